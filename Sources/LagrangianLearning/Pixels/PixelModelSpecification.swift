import Frames

/// Everything that fixes a pixel model's architecture (a VIN-VAE, Saemundsson et al.,
/// *Variational Integrator Networks*, AISTATS 2020, §5.2): the frame size, the latent
/// dimension, how many frames the initial state is inferred from, the encoder and decoder
/// widths, and the latent dynamics, a ``ModelSpecification`` of the existing models (or none,
/// for a plain per-frame VAE).
///
/// The latent dynamics decide what the encoder infers (``PixelModel`` has the details):
/// - velocity models (vin-vv and the ResNet baseline, `resnet`) start from `(q₀, q̇₀)`: q₀ from
///   frame 0 by the per-frame encoder, q̇₀ by a backwards LSTM over the encodings of the first
///   ``context`` frames;
/// - position-only models (vin-sv and vin-so2) start from `(q₀, q₁)`, the per-frame encodings
///   of frames 0 and 1;
/// - without dynamics every frame is encoded and decoded on its own.
///
/// The reference setting is the default: 28 × 28 frames, a latent angle, 10 context frames,
/// encoder `784 → 1000 → 1000`, an LSTM of 50 units, decoder `→ 1000 → 1000 → 784`.
public struct PixelModelSpecification: Codable, Hashable, Sendable {
  /// The side of a frame in pixels.
  public var frameSize: Int
  /// The dimension d of the latent configuration q (1 for vin-so2).
  public var latentDimension: Int
  /// The number of frames the initial state is inferred from (the LSTM's sequence length for
  /// velocity models; position-only models read the first 2 of them, a plain VAE the first).
  public var context: Int
  /// The widths and number of hidden layers of the per-frame encoder.
  public var encoderWidth: Int
  public var encoderDepth: Int
  /// The hidden units of the velocity encoder's LSTM.
  public var recurrentWidth: Int
  /// The widths and number of hidden layers of the decoder.
  public var decoderWidth: Int
  public var decoderDepth: Int
  /// The latent dynamics: vin-vv, vin-sv, vin-so2 or resnet, unforced, of dimension
  /// ``latentDimension``; `nil` for a plain VAE.
  public var dynamics: ModelSpecification?

  public init(
    dynamics: ModelSpecification?, frameSize: Int = 28, latentDimension: Int = 1,
    context: Int = 10, encoderWidth: Int = 1000, encoderDepth: Int = 2, recurrentWidth: Int = 50,
    decoderWidth: Int = 1000, decoderDepth: Int = 2
  ) {
    self.dynamics = dynamics
    self.frameSize = frameSize
    self.latentDimension = latentDimension
    self.context = context
    self.encoderWidth = encoderWidth
    self.encoderDepth = encoderDepth
    self.recurrentWidth = recurrentWidth
    self.decoderWidth = decoderWidth
    self.decoderDepth = decoderDepth
  }

  /// The dynamics kinds a pixel model takes.
  public static let dynamicsKinds: [ModelKind] = [
    .vinVelocityVerlet, .vinStormerVerlet, .vinSO2, .residualNetwork,
  ]

  /// Checks the specification.
  /// - Throws: ``LearningError/invalidConfiguration(name:value:requirement:)`` naming the field:
  ///   a frame size outside 1…`FrameStack.maximumSize`, sizes outside ``ModelLimits``, a
  ///   context shorter than the dynamics need (``requiredContext``), dynamics of another kind
  ///   than ``dynamicsKinds``, forced, of another dimension than ``latentDimension`` or
  ///   invalid (``ModelSpecification/validate()``), or networks with too many parameters.
  public func validate() throws(LearningError) {
    try ModelLimits.check(frameSize, in: 1...FrameStack.maximumSize, field: "frameSize")
    try ModelLimits.check(
      latentDimension, in: 1...ModelLimits.maximumDimension, field: "latentDimension")
    try ModelLimits.check(context, in: 1...100_000, field: "context")
    for (field, value) in [
      ("encoderWidth", encoderWidth), ("recurrentWidth", recurrentWidth),
      ("decoderWidth", decoderWidth),
    ] {
      try ModelLimits.check(value, in: 1...ModelLimits.maximumWidth, field: field)
    }
    try ModelLimits.check(encoderDepth, in: 1...ModelLimits.maximumDepth, field: "encoderDepth")
    try ModelLimits.check(decoderDepth, in: 1...ModelLimits.maximumDepth, field: "decoderDepth")
    if let dynamics {
      guard Self.dynamicsKinds.contains(dynamics.kind) else {
        throw .invalidConfiguration(
          name: "dynamics.kind", value: dynamics.kind.rawValue,
          requirement:
            "must be one of \(Self.dynamicsKinds.map(\.rawValue).joined(separator: ", "))")
      }
      try dynamics.validate()
      guard dynamics.forces.vanishes, dynamics.observationLayout == .coordinates,
        dynamics.network?.inputs ?? 0 == 0
      else {
        throw .invalidConfiguration(
          name: "dynamics", value: dynamics.kind.rawValue,
          requirement: "must be unforced, on coordinates, for a pixel model")
      }
      guard dynamics.dimension == latentDimension else {
        throw .invalidConfiguration(
          name: "latentDimension", value: "\(latentDimension)",
          requirement: "must equal the dynamics' dimension \(dynamics.dimension)")
      }
    }
    let fewest = start == .velocity ? 2 : requiredContext
    guard context >= fewest else {
      throw .invalidConfiguration(
        name: "context", value: "\(context)",
        requirement: "must be at least \(fewest) frames for \(kindName)")
    }
    for (field, sizes) in [
      ("encoder", encoderSizes), ("decoder", decoderSizes),
    ] {
      var count = 0
      for l in 0..<(sizes.count - 1) {
        count = try ModelLimits.sum(
          [count, ModelLimits.product(sizes[l] + 1, sizes[l + 1])], field: field)
      }
      try ModelLimits.checkParameterCount(count, field: field)
    }
  }

  /// The model's name: the dynamics kind, or `vae` without dynamics.
  public var kindName: String { dynamics?.kind.rawValue ?? "vae" }

  /// What the encoder infers for the dynamics.
  var start: LatentStart {
    switch dynamics?.kind {
    case nil: .perFrame
    case .vinStormerVerlet?, .vinSO2?: .twoPositions
    default: .velocity
    }
  }

  /// Whether the latent configuration is an angle (vin-so2): the encoder yields a point of the
  /// circle and the decoder sees `(cos q, sin q)`.
  public var onCircle: Bool { dynamics?.kind == .vinSO2 }

  /// The frames the initial state is inferred from: ``context`` for velocity models (the
  /// sequence the LSTM was trained on), 2 for position-only models, 1 for a plain VAE.
  public var requiredContext: Int {
    switch start {
    case .perFrame: 1
    case .twoPositions: 2
    case .velocity: context
    }
  }

  /// The pixels of a frame.
  var frameArea: Int { frameSize * frameSize }

  /// Per frame, the encoder's outputs: `(μ, s)` (2d numbers), or `(a, b, s)` on the circle,
  /// `μ = atan2(b, a)`.
  var encodingDimension: Int { onCircle ? 3 : 2 * latentDimension }

  /// The decoder's input size: d, or `(cos q, sin q)` on the circle.
  var decoderInputDimension: Int { onCircle ? 2 : latentDimension }

  var encoderSizes: [Int] {
    [frameArea] + Array(repeating: encoderWidth, count: encoderDepth) + [encodingDimension]
  }

  var decoderSizes: [Int] {
    [decoderInputDimension] + Array(repeating: decoderWidth, count: decoderDepth) + [frameArea]
  }

  /// The velocity encoder: an LSTM over the frames' encodings with a read-out `(μ, s)` of q̇₀.
  var recurrentEncoder: RecurrentEncoder? {
    start == .velocity
      ? RecurrentEncoder(
        inputDimension: encodingDimension, hiddenDimension: recurrentWidth,
        outputDimension: 2 * latentDimension)
      : nil
  }

  /// The prior variance of q̇₀: h for a VIN, 1 for the ResNet (the reference's priors).
  var velocityPriorVariance: Double {
    dynamics?.kind == .vinVelocityVerlet ? dynamics?.stepSize ?? 1 : 1
  }
}

/// What a pixel model's encoder infers from a window's first frames.
enum LatentStart: Sendable {
  /// `(q₀, q̇₀)`: q₀ from frame 0, q̇₀ from the LSTM over the context frames.
  case velocity
  /// `(q₀, q₁)` from frames 0 and 1.
  case twoPositions
  /// One latent position per frame, each frame on its own (no dynamics).
  case perFrame
}
