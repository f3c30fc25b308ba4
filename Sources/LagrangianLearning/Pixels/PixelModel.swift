import DiscreteMechanics
import RealModule
import _Differentiation

/// A window of a training video: frames `start … start + H` of video `video`.
public struct PixelWindow: Hashable, Sendable {
  public let video: Int
  public let start: Int

  public init(video: Int, start: Int) {
    self.video = video
    self.start = start
  }
}

/// A variational autoencoder whose latent dynamics are one of the existing models (a VIN-VAE,
/// Saemundsson et al., *Variational Integrator Networks*, AISTATS 2020, §5.2): an encoder
/// infers a Gaussian posterior on a window's latent initial state from its first frames, the
/// latent dynamics (VIN-VV, VIN-SV, VIN-SO(2) or the ResNet baseline, their own batched
/// rollouts and pullbacks) roll a sample of it out, and a decoder maps each latent position to
/// the Bernoulli logits of a frame.
///
/// **Encoder.** A per-frame `RectifiedNetwork` `784 → W → W` maps a frame to `(μ, s)` of its
/// latent position (`σ = softplus(s)`); on the circle (VIN-SO(2)) to `(a, b, s)` with the angle
/// `μ = atan2(b, a)`, a point of the circle. A velocity model's q̇₀ comes from a backwards LSTM
/// (``PixelModelSpecification/recurrentWidth`` units) over the encodings of the first C
/// frames, ending at frame 0, and a linear read-out `(μ, s)`.
///
/// **Posterior and prior** (independent Gaussians, sampled as `μ + σ ε`):
/// - velocity models: `q₀` from frame 0 and `q̇₀` from the LSTM; prior `q₀ ~ N(0, I)`,
///   `q̇₀ ~ N(0, h I)` for VIN-VV, `N(0, I)` for the ResNet;
/// - position-only models: `q₀`, `q₁` from frames 0 and 1; prior `q₀ ~ N(0, I)` and the
///   increment `q₁ − q₀ ~ N(0, h I)` (on the circle the increment in (−π, π]),
///   `GaussianPosterior`;
/// - without dynamics, each frame's position with prior `N(0, I)`.
///
/// (The reference passes h to TensorFlow's `Normal` as the *standard deviation*; here h is the
/// variance, the random-walk prior of the step.)
///
/// **Loss.** The negative evidence lower bound of a window of H + 1 frames `y₀ … y_H`,
///
///     −ELBO = Σ_k Σ_pixels [softplus(ℓ_k) − y_k ℓ_k] + KL(q(x₀ | y) ‖ p(x₀)),
///
/// `ℓ_k` the decoder's logits at the latent position of step k (the Bernoulli log-likelihood
/// `y log σ(ℓ) + (1 − y) log(1 − σ(ℓ))` summed over pixels), averaged over the windows of a
/// batch. Its gradient is hand-written end to end: the decoder's and encoder's layer pullbacks
/// and the LSTM's backpropagation through time (`RecurrentEncoder`), the dynamics' own rollout
/// pullback, the reparameterisation and the closed-form KL derivatives; the frame-sized values
/// live in a ``PixelWorkspace``.
public struct PixelModel: Sendable {
  public let specification: PixelModelSpecification
  /// The per-frame encoder's weights (`RectifiedNetwork` layout).
  public var encoderParameters: [Double]
  /// The velocity encoder's LSTM and read-out (empty for models without one).
  public var recurrentParameters: [Double]
  /// The decoder's weights.
  public var decoderParameters: [Double]
  /// The latent dynamics (`nil` for a plain VAE).
  public var dynamics: (any SpecifiedModel)?

  /// A freshly initialised model, its weights drawn from `generator`.
  /// - Throws: as ``PixelModelSpecification/validate()``.
  public init(specification: PixelModelSpecification, generator: inout SeededGenerator)
    throws(LearningError)
  {
    try specification.validate()
    self.specification = specification
    encoderParameters = RectifiedNetwork(sizes: specification.encoderSizes)
      .initialParameters(generator: &generator)
    recurrentParameters =
      specification.recurrentEncoder?.initialParameters(generator: &generator) ?? []
    decoderParameters = RectifiedNetwork(sizes: specification.decoderSizes)
      .initialParameters(generator: &generator)
    if let dynamics = specification.dynamics {
      self.dynamics = try dynamics.makeModel(generator: &generator)
    }
    // Every posterior starts at σ = σ₀: its deviation outputs' biases at softplus⁻¹(σ₀).
    let deviationBias = Double.log(Double.exp(Self.initialDeviation) - 1)
    let encoder = RectifiedNetwork(sizes: specification.encoderSizes)
    let top = encoder.weightOffset(ofLayer: encoder.layerCount - 1)
    let bias = top + encoder.sizes[encoder.layerCount - 1] * encoder.outputDimension
    let d = specification.latentDimension
    for i in (specification.onCircle ? 2..<3 : d..<(2 * d)) {
      encoderParameters[bias + i] = deviationBias
    }
    // On the circle every fresh encoding is near the angle 0: the point (a, b) starts at
    // (1, 0) plus a tenth of Glorot's spread.
    if specification.onCircle {
      let inputs = encoder.sizes[encoder.layerCount - 1]
      for i in top..<(top + 2 * inputs) { encoderParameters[i] *= Self.initialCircleSpread }
      encoderParameters[bias] = 1
    }
    if let recurrent = specification.recurrentEncoder {
      let readOutBias = recurrent.cellParameterCount + recurrent.hiddenDimension * 2 * d
      for i in d..<(2 * d) { recurrentParameters[readOutBias + i] = deviationBias }
    }
  }

  /// The standard deviation σ₀ of every posterior of a freshly initialised model. The
  /// reference's zero biases give softplus(0) = 0.69: samples of a position-only model's
  /// `(q₀, q₁)` then differ by up to π/2 and more, where a VIN-SO(2) step has no solution
  /// (`|sin Δ| > 1`, ``VINSO2``) and the first iteration's loss is NaN.
  public static let initialDeviation = 0.1

  /// The factor on the Glorot weights of a fresh circle encoder's point `(a, b)`, whose bias
  /// is `(1, 0)`. With the reference's initialisation the angles `atan2(b, a)` of consecutive
  /// frames of a fresh VIN-SO(2)-VAE differ by up to π (frames of a 28 × 28 pendulum: −2.28
  /// and 3.05), and the step from such a pair can have no solution (`|sin Δ| > 1`; 2 of the
  /// 120 windows of `Examples/PixelPendulum` at the start, then most batches as the potential
  /// grows); with the weights a tenth as large and the bias `(1, 0)` every fresh angle lies
  /// near 0.
  public static let initialCircleSpread = 0.1

  /// The model with `parameters` (for example a ``PixelModelFile``'s).
  /// - Throws: as ``PixelModelSpecification/validate()``;
  ///   ``LearningError/dimensionMismatch(name:expected:actual:)`` naming a component whose
  ///   parameter count is wrong; ``LearningError/invalidConfiguration(name:value:requirement:)``
  ///   naming a parameter that is not finite, or dynamics parameters with no dynamics (or none
  ///   with dynamics); as ``ModelSpecification/makeModel(parameters:registry:)``.
  public init(
    specification: PixelModelSpecification, parameters: PixelModelParameters,
    registry: ComponentRegistry = ComponentRegistry()
  ) throws(LearningError) {
    try specification.validate()
    for (name, values, count) in [
      (
        "encoder", parameters.encoder,
        RectifiedNetwork(sizes: specification.encoderSizes).parameterCount
      ),
      ("recurrent", parameters.recurrent, specification.recurrentEncoder?.parameterCount ?? 0),
      (
        "decoder", parameters.decoder,
        RectifiedNetwork(sizes: specification.decoderSizes).parameterCount
      ),
    ] {
      guard values.count == count else {
        throw .dimensionMismatch(name: "\(name) parameters", expected: count, actual: values.count)
      }
      try ModelLimits.checkFinite(values, field: "parameters.\(name)")
    }
    self.specification = specification
    encoderParameters = parameters.encoder
    recurrentParameters = parameters.recurrent
    decoderParameters = parameters.decoder
    switch (specification.dynamics, parameters.dynamics) {
    case (let dynamics?, let values?):
      self.dynamics = try dynamics.makeModel(parameters: values, registry: registry)
    case (nil, nil): dynamics = nil
    case (let dynamics, _):
      throw .invalidConfiguration(
        name: "parameters.dynamics", value: dynamics == nil ? "present" : "missing",
        requirement: "must be given exactly when the model has latent dynamics")
    }
  }

  /// The parameters, component by component.
  public var parameters: PixelModelParameters {
    PixelModelParameters(
      encoder: encoderParameters, recurrent: recurrentParameters, decoder: decoderParameters,
      dynamics: dynamics?.componentParameters)
  }

  /// The number of trained numbers.
  public var parameterCount: Int {
    encoderParameters.count + recurrentParameters.count + decoderParameters.count
      + (dynamics?.parameterCount ?? 0)
  }

  /// All parameters in one vector: encoder, velocity encoder, decoder, dynamics; setting
  /// requires ``parameterCount`` numbers. Setting overwrites the components' storage in place
  /// (a training iteration allocates no new parameter arrays).
  public var flatParameters: [Double] {
    get {
      encoderParameters + recurrentParameters + decoderParameters
        + (dynamics?.flatParameters ?? [])
    }
    set {
      var offset = 0
      func take(into values: inout [Double]) {
        let source = newValue[offset..<(offset + values.count)]
        values.withUnsafeMutableBufferPointer { _ = $0.update(fromContentsOf: source) }
        offset += values.count
      }
      take(into: &encoderParameters)
      take(into: &recurrentParameters)
      take(into: &decoderParameters)
      if let count = dynamics?.parameterCount {
        dynamics?.flatParameters = Array(newValue[offset..<(offset + count)])
      }
    }
  }

  /// The number of standard normal numbers ε one window of `horizon` steps draws: `(q₀, q̇₀)`
  /// or `(q₀, q₁)`, 2d numbers; one position per frame, (H + 1) d, without dynamics.
  public func noiseCount(horizon: Int) -> Int {
    let d = specification.latentDimension
    return specification.start == .perFrame ? (horizon + 1) * d : 2 * d
  }

  // MARK: - Loss

  /// The negative ELBO of `windows` (frames `start … start + horizon` of `videos`), averaged
  /// over the windows, with the sampling noise `noise` (``noiseCount(horizon:)`` numbers per
  /// window, back to back).
  ///
  /// A window whose sampled initial state the latent dynamics cannot step (a VIN-SO(2) step
  /// turning by more than a quarter turn, `|sin Δ| > 1`) is rolled out from its posterior mean
  /// instead, as if its noise were ε = 0: one unlucky sample of 120 would otherwise make the
  /// whole batch's loss NaN. The estimate of the ELBO is then biased towards the mean for those
  /// windows (``PixelTrainingSummary/meanStarts`` counts them). A window that cannot be stepped
  /// from its mean either leaves the loss NaN.
  public func negativeELBO(
    videos: [PixelVideo], windows: [PixelWindow], horizon: Int, noise: [Double],
    workspace: PixelWorkspace = PixelWorkspace()
  ) -> Double {
    var pass = PixelPass(
      model: self, videos: videos, windows: windows, horizon: horizon, workspace: workspace)
    return pass.loss(noise: noise)
  }

  /// ``negativeELBO(videos:windows:horizon:noise:workspace:)`` and its gradient with respect
  /// to ``flatParameters``, written to `gradient` (resized to ``parameterCount``).
  public func negativeELBOGradient(
    videos: [PixelVideo], windows: [PixelWindow], horizon: Int, noise: [Double],
    workspace: PixelWorkspace = PixelWorkspace(), into gradient: inout [Double]
  ) -> Double {
    lossAndGradient(
      videos: videos, windows: windows, horizon: horizon, noise: noise, workspace: workspace,
      into: &gradient
    ).loss
  }

  /// ``negativeELBOGradient(videos:windows:horizon:noise:workspace:into:)`` and the number of
  /// windows rolled out from their posterior mean.
  func lossAndGradient(
    videos: [PixelVideo], windows: [PixelWindow], horizon: Int, noise: [Double],
    workspace: PixelWorkspace, into gradient: inout [Double]
  ) -> (loss: Double, meanStarts: Int) {
    if gradient.count != parameterCount {
      gradient = Array(repeating: 0, count: parameterCount)
    }
    var pass = PixelPass(
      model: self, videos: videos, windows: windows, horizon: horizon, workspace: workspace)
    let loss = pass.loss(noise: noise)
    gradient.withUnsafeMutableBufferPointer { buffer in
      guard let g = buffer.baseAddress else { return }
      pass.backward(into: g)
    }
    return (loss, pass.meanStarts)
  }

  // MARK: - Inference, forecasts and embeddings

  /// Checks that `video` has this model's frame size and at least `frames` frames.
  func check(_ video: PixelVideo, frames: Int, role: String) throws(LearningError) {
    guard video.size == specification.frameSize else {
      throw .invalidConfiguration(
        name: "\(role) frame size", value: "\(video.size)×\(video.size)",
        requirement:
          "must be the model's \(specification.frameSize)×\(specification.frameSize)")
    }
    guard video.frameCount >= frames else {
      throw .notEnoughData(
        detail:
          "the \(role) has \(video.frameCount) frames; the \(specification.kindName) model needs \(frames)"
      )
    }
  }

  /// A forecast from the first frames of `context`: the latent initial state that
  /// ``initialState(context:estimate:)`` infers from them, rolled out `steps` steps by the
  /// latent dynamics and decoded. Frame k of the result is the prediction of the truth's frame
  /// k, k = 0…`steps`.
  /// - Throws: as ``initialState(context:estimate:)``;
  ///   ``LearningError/invalidConfiguration(name:value:requirement:)`` for a negative step count
  ///   or a latent state that the dynamics cannot step (NaN, naming the frame).
  public func forecast(
    context: PixelVideo, steps: Int, estimate: PixelStartEstimate = .contextFit
  ) throws(LearningError) -> PixelForecast {
    try ModelLimits.check(steps, in: 0...10_000_000, field: "steps")
    let dynamics = try forecastingDynamics()
    let initial = try initialState(context: context, estimate: estimate)
    let rows = dynamics.rollout(from: initial, steps: steps, workspace: RolloutWorkspace())
    let width = dynamics.observationDimension
    let d = specification.latentDimension
    var positions: [[Double]] = []
    for k in 0...steps {
      let q = Array(rows[(k * width)..<(k * width + d)])
      guard q.allSatisfy(\.isFinite) else {
        throw .invalidConfiguration(
          name: "latent state at frame \(k)", value: "\(q)",
          requirement: "must be finite: the learned dynamics has no step from frame \(k - 1)")
      }
      positions.append(q)
    }
    return PixelForecast(
      positions: positions,
      frames: try decode(positions: positions))
  }

  /// The latent initial state of a forecast from the first frames of `context`, 2d numbers in
  /// the dynamics' `rollout(from:steps:)` layout: `(q₀, q̇₀)` for velocity models, `(q₀, q₁)`
  /// for position-only ones.
  ///
  /// ``PixelStartEstimate/encoder`` is the training-time inference at ε = 0: the posterior
  /// means from the first ``PixelModelSpecification/requiredContext`` frames.
  /// ``PixelStartEstimate/contextFit`` (the default) starts there and moves the state to the
  /// one whose rollout explains the first C = min(``PixelModelSpecification/context``, frames
  /// of `context`) frames best under the decoder, minimising their negative log-likelihood
  ///
  ///     Σ_{k<C} Σ_pixels [softplus(ℓ(q_k)) − y_k ℓ(q_k)],   q_k = the k-th position rolled out from x₀,
  ///
  /// over x₀ by a Nelder–Mead simplex (`SimplexMinimizer`, edge 0.02, until the simplex is
  /// smaller than 10⁻⁶ or after 200 iterations). A position-only model's encoder sees only
  /// frames 0 and 1, so its velocity `(q₁ − q₀)/h` carries both frames' encoding errors; the
  /// fit reads it off all C frames. If the minimiser cannot start (the dynamics cannot step
  /// from the simplex around the encoder's state), or ends no better, the encoder's state is
  /// returned.
  /// - Throws: ``LearningError/invalidConfiguration(name:value:requirement:)`` for a frame size
  ///   that is not the model's or a model without dynamics (a plain VAE cannot forecast);
  ///   ``LearningError/notEnoughData(detail:)`` for a context shorter than
  ///   ``PixelModelSpecification/requiredContext``.
  public func initialState(context: PixelVideo, estimate: PixelStartEstimate = .contextFit)
    throws(LearningError) -> [Double]
  {
    let dynamics = try forecastingDynamics()
    let frames = specification.requiredContext
    try check(context, frames: frames, role: "context")
    let horizon = max(frames - 1, 1)
    let pass = PixelPass(
      model: self, videos: [try context.prefix(frames)], windows: [PixelWindow(video: 0, start: 0)],
      horizon: horizon, workspace: PixelWorkspace())
    pass.encodeWindows()
    let encoded = pass.initialStates(
      noise: Array(repeating: 0, count: noiseCount(horizon: horizon)))
    guard estimate == .contextFit else { return encoded }
    let fitted = try context.prefix(max(frames, min(specification.context, context.frameCount)))
    let d = specification.latentDimension
    let width = dynamics.observationDimension
    let workspace = RolloutWorkspace()
    let negativeLogLikelihood = { (x: [Double]) -> Double in
      let rows = dynamics.rollout(from: x, steps: fitted.frameCount - 1, workspace: workspace)
      let positions = (0..<fitted.frameCount).map { Array(rows[($0 * width)..<($0 * width + d)]) }
      guard positions.allSatisfy({ $0.allSatisfy(\.isFinite) }),
        let terms = try? crossEntropies(positions: positions, truth: fitted)
      else { return .infinity }
      return terms.reduce(0, +)
    }
    guard let minimizer = try? SimplexMinimizer(initialStep: 0.02, maxIterations: 200),
      let minimum = try? minimizer.minimize(negativeLogLikelihood, from: encoded),
      minimum.value < negativeLogLikelihood(encoded)
    else { return encoded }
    return minimum.x
  }

  /// The latent dynamics, or an error for a plain VAE.
  private func forecastingDynamics() throws(LearningError) -> any SpecifiedModel {
    guard let dynamics else {
      throw .invalidConfiguration(
        name: "model", value: "vae",
        requirement: "has no latent dynamics: a plain VAE encodes and decodes, it cannot forecast")
    }
    return dynamics
  }

  /// The frames (Bernoulli means `σ(ℓ)`) that the decoder draws at the latent positions
  /// `positions` (d numbers each).
  /// - Throws: ``LearningError/dimensionMismatch(name:expected:actual:)`` for a position of
  ///   the wrong size.
  public func decode(positions: [[Double]]) throws(LearningError) -> PixelVideo {
    let d = specification.latentDimension
    for (k, q) in positions.enumerated() where q.count != d {
      throw .dimensionMismatch(name: "latent position \(k)", expected: d, actual: q.count)
    }
    let probabilities = PixelPass.decodeProbabilities(
      model: self, positions: positions.flatMap { $0 }, workspace: PixelWorkspace())
    return try PixelVideo(size: specification.frameSize, pixels: probabilities)
  }

  /// The negative log-likelihood of each frame of `truth` under the decoder's Bernoulli pixels
  /// at the latent position of the same index (`positions[k]` for frame k, d numbers each):
  ///
  ///     −log p(y_k | q_k) = Σ_pixels [softplus(ℓ) − y ℓ],   ℓ = the decoder's logits at q_k,
  ///
  /// the binary cross-entropy of frame k summed over its pixels, computed from the logits so
  /// that a saturated pixel costs its true (large) amount rather than `−log 0`. It is the frame
  /// term of the negative ELBO (``negativeELBO(videos:windows:horizon:noise:workspace:)``).
  /// - Throws: ``LearningError/dimensionMismatch(name:expected:actual:)`` for a position of the
  ///   wrong size or fewer frames than positions; ``LearningError/invalidConfiguration(name:value:requirement:)``
  ///   for frames of another size than the model's.
  public func crossEntropies(positions: [[Double]], truth: PixelVideo) throws(LearningError)
    -> [Double]
  {
    let d = specification.latentDimension
    for (k, q) in positions.enumerated() where q.count != d {
      throw .dimensionMismatch(name: "latent position \(k)", expected: d, actual: q.count)
    }
    try check(truth, frames: 0, role: "truth")
    guard truth.frameCount >= positions.count else {
      throw .dimensionMismatch(
        name: "frames of the truth", expected: positions.count, actual: truth.frameCount)
    }
    let decoder = RectifiedNetwork(sizes: specification.decoderSizes)
    let workspace = PixelWorkspace()
    PixelPass.decodeLogits(
      model: self, decoder: decoder, positions: positions.flatMap { $0 }, workspace: workspace)
    let area = specification.frameArea
    let logits = workspace.buffer(.logits, count: positions.count * area)
    return (0..<positions.count).map { k in
      var sum = 0.0
      for (i, y) in truth.frame(k).enumerated() {
        let l = logits[k * area + i]
        sum += Activation.softplus(l) - y * l
      }
      return sum
    }
  }

  /// The per-frame encoder's posterior mean of the latent position of every frame of `video`
  /// (on the circle, the angle in (−π, π]).
  /// - Throws: as ``initialState(context:estimate:)`` for a frame size that is not the model's.
  public func embed(_ video: PixelVideo) throws(LearningError) -> [[Double]] {
    try check(video, frames: 1, role: "video")
    let means = PixelPass.encodedMeans(model: self, video: video, workspace: PixelWorkspace())
    let d = specification.latentDimension
    return (0..<video.frameCount).map { Array(means[($0 * d)..<(($0 + 1) * d)]) }
  }
}

/// How ``PixelModel/initialState(context:estimate:)`` infers a forecast's latent initial state.
public enum PixelStartEstimate: String, CaseIterable, Sendable {
  /// The encoder's posterior mean, as in training.
  case encoder
  /// The encoder's estimate, moved to the state whose rollout best explains the context
  /// frames under the decoder.
  case contextFit
}

/// A forecast of a ``PixelModel``: the latent positions and the decoded frames, k = 0…N.
public struct PixelForecast: Sendable {
  /// The latent position q_k of every frame (d numbers; the angle on the circle, unwrapped).
  public var positions: [[Double]]
  /// The predicted frames: each pixel's Bernoulli mean σ(ℓ) in [0, 1].
  public var frames: PixelVideo
}

/// The rollout of `model` from `initial` and its pullback: for an output cotangent, the
/// gradient in ``ParameterFlattening/flatParameters`` order and the initial states' cotangent.
func rolloutWithPullback<Model: RolloutModel>(
  _ model: Model, from initial: [Double], steps: Int, workspace: RolloutWorkspace
) -> (rows: [Double], pullback: ([Double]) -> (parameters: [Double], initial: [Double])) {
  let (rows, pullback) = valueWithPullback(at: model, initial) { model, initial in
    model.rollout(from: initial, steps: steps, workspace: workspace)
  }
  return (
    rows,
    { cotangent in
      let (modelBar, initialBar) = pullback(.init(cotangent))
      return (model.flatten(modelBar), [Double](dense: initialBar, count: initial.count))
    }
  )
}
