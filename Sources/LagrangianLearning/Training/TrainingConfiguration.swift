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
  /// Cosine annealing with warm restarts (SGDR, Loshchilov and Hutter, ICLR 2017, with
  /// `T_mult = 2`): cycles of T₀, 2T₀, 4T₀, … iterations (T₀ =
  /// ``TrainingConfiguration/firstCycleLength``), each a ``cosine`` decay from α, the last one
  /// cut short to end with the run. At the end of every cycle the parameters have settled, and
  /// the ``StoppingRule`` decides there whether another, twice as long, cycle is worth running.
  case cosineRestarts = "cosine-restarts"

  /// The cycle holding iteration `t` (1-based) of a run of `total`: its first iteration and its
  /// length. ``constant`` and ``cosine`` have one cycle, the whole run.
  public func cycle(containing t: Int, of total: Int, firstCycle: Int) -> (
    start: Int, length: Int
  ) {
    guard self == .cosineRestarts else { return (1, max(total, 1)) }
    var start = 1
    var length = max(firstCycle, 1)
    while t >= start + length, start + length <= total {
      start += length
      length = length > Int.max / 4 ? length : 2 * length
    }
    return (start, max(1, min(length, total - start + 1)))
  }

  /// Whether iteration `t` ends a cycle (the run's last iteration always does).
  public func endsCycle(iteration t: Int, of total: Int, firstCycle: Int) -> Bool {
    let (start, length) = cycle(containing: t, of: total, firstCycle: firstCycle)
    return t == start + length - 1
  }

  /// `αₜ/α` at iteration `t` (1-based) of `total`.
  public func factor(iteration t: Int, of total: Int, firstCycle: Int) -> Double {
    switch self {
    case .constant: return 1
    case .cosine, .cosineRestarts:
      let (start, length) = cycle(containing: t, of: total, firstCycle: firstCycle)
      return 0.5 * (1 + cos(Double.pi * Double(t - start) / Double(length)))
    }
  }
}

/// When a run on the ``LearningRateSchedule/cosineRestarts`` schedule stops before its
/// ``TrainingConfiguration/iterations``, and which model it keeps.
///
/// The rule is checked at the end of every cycle c, where the parameters have settled, on the
/// root-mean-square residual r_c of the rollouts of all training windows from their current
/// starts (r₀ before training). A cycle's **gain**
///
///     g_c = N (r_(c−1)² − r_c²) / σ̂²
///
/// is the decrease of the residual sum of squares over the N observed numbers, in units of the
/// data's noise variance σ̂² (estimated before training, ``ObservationNoise``): fitting one more
/// free parameter to pure noise lowers it by σ² on average, so a gain below 1 is no more than
/// chance would give (the reasoning of Mallows' C_p and of the F-test for nested models).
///
/// - **Converged**: a cycle whose gain is below ``significance`` ends the run: the next cycle,
///   twice as long, is not expected to find anything the data support. The model of this cycle
///   is kept.
/// - **Fitting noise**: once the residual is at the data's noise level (`r_c ≤ τ r_floor`, the
///   residual the true model would leave, ``ObservationNoise/residualFloor(noise:entries:startParameters:)``;
///   τ = ``noiseLevelFactor``), a cycle whose gain is larger than the gain of the cycle before
///   it ends the run and the model of the cycle before is kept. Each cycle is twice as long as
///   the one before, so a converging fit gains less every cycle; a residual already at the
///   noise level that suddenly drops faster is being fitted to the noise (Morozov's discrepancy
///   principle: Engl, Hanke and Neubauer, *Regularization of inverse problems*, 1996, §4.3 and
///   §6). With few data this is when forecasts degrade, by orders of magnitude
///   (Docs/Learning.md, "The training recipe").
///
/// Without an estimate of the noise (trajectories of fewer than 3 samples) the run takes all
/// its iterations.
public struct StoppingRule: Equatable, Codable, Sendable {
  /// The gain below which a cycle has converged (`nil`: never stop on convergence).
  public var significance: Double? = 1
  /// τ: the residual is at the noise level when `r ≤ τ r_floor` (`nil`: never stop for fitting
  /// noise). Above 1 to allow for the error of the noise estimate (±5 % on 500 numbers).
  public var noiseLevelFactor: Double? = 1.05

  /// Runs every iteration: never stops early.
  public static let never = StoppingRule(significance: nil, noiseLevelFactor: nil)

  public init(significance: Double? = 1, noiseLevelFactor: Double? = 1.05) {
    self.significance = significance
    self.noiseLevelFactor = noiseLevelFactor
  }

  /// The gains g₁, g₂, … of the cycles whose residuals are r₀, r₁, … (`residuals`), for
  /// N = `observations` observed numbers of noise level `noise`.
  public static func gains(residuals r: [Double], observations: Int, noise: Double) -> [Double] {
    zip(r, r.dropFirst()).map { Double(observations) * ($0 * $0 - $1 * $1) / (noise * noise) }
  }

  /// Whether the run stops after the cycle whose residual is the last of `residuals` (r₀, r₁, …,
  /// r_c, c ≥ 1), for N = `observations` observed numbers of noise level `noise` and residual
  /// floor `floor`; `nil` to go on.
  public func criterion(residuals r: [Double], observations: Int, noise: Double?, floor: Double?)
    -> ConvergenceCriterion?
  {
    guard r.count >= 2, let noise, noise > 0 else { return nil }
    let g = Self.gains(residuals: r, observations: observations, noise: noise)
    let c = g.count
    if let factor = noiseLevelFactor, let floor, c >= 2, r[c] <= factor * floor,
      g[c - 1] > g[c - 2]
    {
      return .fitsNoise(gain: g[c - 1], previousGain: g[c - 2], residual: r[c], floor: floor)
    }
    if let significance, g[c - 1] < significance { return .converged(gain: g[c - 1]) }
    return nil
  }
}

/// What stopped a run on the ``LearningRateSchedule/cosineRestarts`` schedule (``StoppingRule``).
public enum ConvergenceCriterion: Equatable, Sendable, Codable, CustomStringConvertible {
  /// The last cycle lowered the residual sum of squares by less than ``StoppingRule/significance``
  /// noise variances; its model is kept.
  case converged(gain: Double)
  /// At the noise level, the last cycle gained more than the one before it: it fitted noise, and
  /// the model of the cycle before is kept.
  case fitsNoise(gain: Double, previousGain: Double, residual: Double, floor: Double)

  /// Whether the model of the cycle before the last is kept.
  public var keepsPreviousCycle: Bool {
    if case .fitsNoise = self { return true }
    return false
  }

  public var description: String {
    func short(_ x: Double) -> String { String(format: "%.3g", x) }
    switch self {
    case .converged(let g):
      return
        "the last cycle lowered the residual sum of squares by \(short(g)) noise variances, less than chance would"
    case .fitsNoise(let g, let previous, let r, let floor):
      return
        "at the noise level (rollout residual \(short(r)), the true model's \(short(floor))) the last cycle gained more than the one before (\(short(g)) against \(short(previous)) noise variances): it fitted noise"
    }
  }
}

/// Settings of a training run. The defaults are the recipe measured in Docs/Learning.md
/// ("The training recipe"): full-batch Adam with a cosine decay and per-window inferred starts,
/// the training loss monitored.
public struct TrainingConfiguration: Equatable, Codable, Sendable {
  /// H: each training window has H+1 observations and the rollout takes H steps.
  public var horizon = 10
  /// The most optimiser iterations: a run on the ``LearningRateSchedule/cosineRestarts``
  /// schedule stops earlier at the end of a cycle when ``stoppingRule`` says it has converged.
  public var iterations = 31500
  /// Windows per minibatch; `nil` (the default) or a value at least the number of training
  /// windows: every iteration takes the gradient of the whole training loss (full batch).
  ///
  /// Full batches are the default because the windows of the trajectories people fit fit in
  /// memory, and because inferred starts then move with the model at every iteration; on every
  /// dataset of the learning benchmark they forecast better than minibatches of 32 for the same
  /// number of iterations (Docs/Learning.md).
  public var batchSize: Int? = nil
  /// Adam's step size.
  public var learningRate = 5e-3
  /// How the step sizes (the model's and the initial states') vary over the run.
  public var learningRateSchedule = LearningRateSchedule.cosineRestarts
  /// T₀, the length of the first cycle of ``LearningRateSchedule/cosineRestarts``.
  public var firstCycleLength = 500
  /// When a ``LearningRateSchedule/cosineRestarts`` run stops before ``iterations``.
  public var stoppingRule = StoppingRule()
  /// Adam's step size for the inferred per-window initial states
  /// (``InitialStateInference/learned``); `nil`: ``learningRate`` × max(1, training windows /
  /// batch size), see ``initialStateLearningRate(trainingWindows:)``.
  public var initialStateLearningRate: Double? = nil
  /// The seed of every random choice (initial weights are the caller's, drawn from their own
  /// generator).
  public var seed: UInt64 = 0
  /// The fraction of windows held out for validation (0, the default, for none: the training
  /// loss is monitored).
  public var validationFraction = 0.0
  /// Validate (and report) every this many iterations.
  public var validationInterval = 10
  /// With a validation split and inferred starts: the Adam steps taken on the validation
  /// windows' own inferred starts, with the model frozen, before each validation.
  ///
  /// A validation window's first observation is as noisy as the rest, so a rollout from it
  /// scores the noise as much as the model, and the model it keeps is chosen on noise. Instead
  /// every validation window has an inferred start of its own, fitted to that window's H+1
  /// observations by the *current* model and never used to update it; the starts are warm
  /// started from one validation to the next, so a few steps each time keep them converged.
  public var validationStartSteps = 10
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

  /// The number of windows per iteration for `trainingWindows` training windows.
  public func effectiveBatchSize(trainingWindows: Int) -> Int {
    min(batchSize ?? trainingWindows, trainingWindows)
  }

  /// The step size of the per-window initial states for `trainingWindows` windows: the set
  /// value, or by default ``learningRate`` × max(1, `trainingWindows` / batch size).
  ///
  /// A window's start gets a gradient only in the minibatches that hold the window, a fraction
  /// batch/windows of the iterations, while the model moves every iteration; at the model's
  /// step size the starts lag behind the model, which then learns to explain stale starts
  /// (measured on the data-rich pendulum: forecast MSE 88 after 1000 iterations at ×1, 2.4 at
  /// ×10; Docs/Learning.md). Scaling by the inverse visiting frequency gives each start, on
  /// average, the model's step per iteration; with full batches it is the model's rate.
  public func initialStateLearningRate(trainingWindows: Int) -> Double {
    initialStateLearningRate
      ?? learningRate
      * max(
        1, Double(trainingWindows) / Double(effectiveBatchSize(trainingWindows: trainingWindows)))
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
    try require((batchSize ?? 1) >= 1, "batch size", batchSize ?? 0, "must be at least 1")
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
    try require(
      validationStartSteps >= 0, "validation start steps", validationStartSteps,
      "must be non-negative")
    try require(shards >= 1, "shards", shards, "must be at least 1")
    try require(
      firstCycleLength >= 1, "first cycle length", firstCycleLength, "must be at least 1")
    try require(
      stoppingRule.noiseLevelFactor.map { $0.isFinite && $0 > 0 } ?? true, "noise level factor",
      stoppingRule.noiseLevelFactor ?? 0, "must be positive and finite")
    try require(
      stoppingRule.significance.map { $0.isFinite && $0 >= 0 } ?? true, "significance",
      stoppingRule.significance ?? 0, "must be non-negative and finite")
  }
}

extension TrainingConfiguration {
  /// Decodes a configuration recorded by this or an earlier version of VINKit (model files
  /// store the configuration a model was trained with): a setting that the record does not
  /// hold keeps its current default.
  public init(from decoder: any Decoder) throws {
    self.init()
    let record = try decoder.container(keyedBy: CodingKeys.self)
    func read<Value: Decodable>(_ key: CodingKeys, _ value: inout Value) throws {
      if let decoded = try record.decodeIfPresent(Value.self, forKey: key) { value = decoded }
    }
    try read(.horizon, &horizon)
    try read(.iterations, &iterations)
    batchSize = try record.decodeIfPresent(Int.self, forKey: .batchSize)
    try read(.learningRate, &learningRate)
    try read(.learningRateSchedule, &learningRateSchedule)
    initialStateLearningRate = try record.decodeIfPresent(
      Double.self, forKey: .initialStateLearningRate)
    try read(.seed, &seed)
    try read(.validationFraction, &validationFraction)
    try read(.validationInterval, &validationInterval)
    try read(.validationStartSteps, &validationStartSteps)
    patience = try record.decodeIfPresent(Int.self, forKey: .patience)
    gradientClipNorm = try record.decodeIfPresent(Double.self, forKey: .gradientClipNorm)
    try read(.loss, &loss)
    try read(.initialNoiseScale, &initialNoiseScale)
    try read(.initialStates, &initialStates)
    try read(.shards, &shards)
    try read(.firstCycleLength, &firstCycleLength)
    try read(.stoppingRule, &stoppingRule)
  }
}
