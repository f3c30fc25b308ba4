import Foundation

/// How a rollout's initial state is obtained for each training window.
public enum InitialStateInference: String, Codable, Sendable, CaseIterable {
  /// The naive start: the window's first observations as they are (`(q₀, q̇₀)`, or `(q₀, q₁)`
  /// for position-only models). With noisy data every rollout starts off the true trajectory.
  case firstObservation = "first-observation"
  /// Per-window initial states are free variables, initialised at the naive start and
  /// optimised jointly with the model on the same loss: the rollout that best explains all
  /// H+1 observations of the window picks its own start (a maximum-likelihood estimate of
  /// the latent initial state, in place of the paper's recurrent encoder).
  case learned
}

/// The training objective on a window of predictions `x̂` and observations `x` (m numbers).
public enum RolloutLossKind: String, Codable, Sendable, CaseIterable {
  /// `(1/m) Σ (x̂ − x)²`.
  case meanSquaredError = "mse"
  /// `(1/m) Σ [(x̂ − x)²/(2σ²) + log σ + ½ log 2π]` with a learned noise scale σ.
  case gaussianNegativeLogLikelihood = "nll"
}

/// How Adam's step size varies over a run of T iterations.
public enum LearningRateSchedule: String, Codable, Sendable, CaseIterable {
  /// The step size α at every iteration.
  case constant
  /// `αₜ = α · ½ (1 + cos(π (t − 1)/T))`, t = 1…T: α at the first iteration, decaying
  /// smoothly to nearly 0 at the last (cosine annealing, Loshchilov and Hutter, *SGDR*, ICLR
  /// 2017, without restarts). Adam's steps have a size of about α whatever the gradient's
  /// scale, so with a constant α the parameters keep jittering by α around a minimum; the
  /// decay lets them settle.
  case cosine

  /// `αₜ/α` at iteration `t` (1-based) of `total`.
  public func factor(iteration t: Int, of total: Int) -> Double {
    switch self {
    case .constant: return 1
    case .cosine: return 0.5 * (1 + cos(Double.pi * Double(t - 1) / Double(max(total, 1))))
    }
  }
}

/// Settings of a training run. Every field has a default that suits the small examples.
public struct TrainingConfiguration: Equatable, Codable, Sendable {
  /// H: each training window has H+1 observations and the rollout takes H steps.
  public var horizon = 10
  /// Optimiser iterations.
  public var iterations = 1000
  /// Windows per minibatch (all training windows if larger).
  public var batchSize = 32
  /// Adam's step size.
  public var learningRate = 1e-3
  /// How the step sizes (the model's and the initial states') vary over the run.
  public var learningRateSchedule = LearningRateSchedule.constant
  /// Adam's step size for the inferred per-window initial states
  /// (``InitialStateInference/learned``); `nil`: ``learningRate`` × max(1, training windows /
  /// ``batchSize``), see ``initialStateLearningRate(trainingWindows:)``.
  public var initialStateLearningRate: Double? = nil
  /// The seed of every random choice (initial weights are the caller's, drawn from their own
  /// generator).
  public var seed: UInt64 = 0
  /// The fraction of windows held out for validation (0 for none).
  public var validationFraction = 0.0
  /// Validate (and report) every this many iterations.
  public var validationInterval = 10
  /// Stop after this many validations without improvement (`nil`: never stop early).
  public var patience: Int? = nil
  /// Rescale the gradient to at most this Euclidean norm (`nil`: no clipping).
  public var gradientClipNorm: Double? = 10
  public var loss = RolloutLossKind.gaussianNegativeLogLikelihood
  /// The initial noise scale σ of the likelihood.
  public var initialNoiseScale = 0.1
  public var initialStates = InitialStateInference.learned
  /// Minibatch shards evaluated in parallel (the reduction order is fixed, so the result does
  /// not depend on scheduling).
  public var shards = 2

  public init() {}

  /// The step size of the per-window initial states for `trainingWindows` windows: the set
  /// value, or by default ``learningRate`` × max(1, `trainingWindows` / ``batchSize``).
  ///
  /// A window's start gets a gradient only in the minibatches that hold the window, a fraction
  /// batch/windows of the iterations, while the model moves every iteration; at the model's
  /// step size the starts lag behind the model, which then learns to explain stale starts
  /// (measured on the data-rich pendulum: forecast MSE 88 after 1000 iterations at ×1, 2.4 at
  /// ×10; Docs/Learning.md). Scaling by the inverse visiting frequency gives each start, on
  /// average, the model's step per iteration; with full batches it is the model's rate.
  public func initialStateLearningRate(trainingWindows: Int) -> Double {
    initialStateLearningRate
      ?? learningRate * max(1, Double(trainingWindows) / Double(batchSize))
  }

  /// - Throws: ``LearningError/invalidConfiguration(name:value:requirement:)`` naming the first
  ///   bad setting.
  public func validate() throws(LearningError) {
    func require(_ ok: Bool, _ name: String, _ value: Any, _ requirement: String)
      throws(LearningError)
    {
      if !ok {
        throw .invalidConfiguration(name: name, value: "\(value)", requirement: requirement)
      }
    }
    try require(horizon >= 1, "horizon", horizon, "must be at least 1")
    try require(iterations >= 0, "iterations", iterations, "must be non-negative")
    try require(batchSize >= 1, "batch size", batchSize, "must be at least 1")
    try require(
      learningRate.isFinite && learningRate > 0, "learning rate", learningRate,
      "must be positive and finite")
    try require(
      initialStateLearningRate.map { $0.isFinite && $0 > 0 } ?? true,
      "initial-state learning rate", initialStateLearningRate ?? 0,
      "must be positive and finite")
    try require(
      validationFraction >= 0 && validationFraction < 1, "validation fraction",
      validationFraction, "must be in [0, 1)")
    try require(
      validationInterval >= 1, "validation interval", validationInterval, "must be at least 1")
    try require((patience ?? 1) >= 1, "patience", patience ?? 0, "must be at least 1")
    try require(
      gradientClipNorm.map { $0.isFinite && $0 > 0 } ?? true, "gradient clip norm",
      gradientClipNorm ?? 0, "must be positive and finite")
    try require(
      initialNoiseScale.isFinite && initialNoiseScale > 0, "initial noise scale",
      initialNoiseScale, "must be positive and finite")
    try require(shards >= 1, "shards", shards, "must be at least 1")
  }
}
