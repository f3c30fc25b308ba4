import RealModule

/// A start for the encoder of a pixel model whose latent position is an angle (VIN-SO(2)):
/// before the ELBO training, the encoder is regressed on a spectral embedding of the training
/// frames, and then held there while the decoder and the latent dynamics learn.
///
/// Without it the encoder starts near one angle for every frame, and the fit can *fold* the
/// circle: the latent angle follows the true one over part of the swing and turns back over
/// the rest (Docs/Learning.md, "Why the fits fail on some seeds"). The frames of a body that
/// goes round lie on a closed curve, and the first two coordinates of their Laplacian eigenmap
/// (Belkin and Niyogi, Neural Computation 2003) go round it once, so their angle
/// `φ_i = atan2(y_i2, y_i1)` is an unfolded start. The frames of swings that do not go round lie
/// on an open curve, and the first coordinate orders them along it: they are spread over
/// ``arcAngle`` (`SpectralEmbedding.angles(arcAngle:)` tells the two apart and has the
/// formulas). The encoder's point `(a, b)` is fitted to `(cos φ_i, sin φ_i)` by
/// ``iterations`` Adam steps on the mean squared error. The first ``heldIterations`` ELBO
/// updates then leave the encoder where it is: updates through a decoder and a potential that
/// are still random fold the start again.
///
/// It is ``PixelTrainingConfiguration``'s default, and models whose latent position is not an
/// angle ignore it. Of more than 4000 frames an even sample of at most 4000 is embedded (the
/// graph is dense). When the frames cannot be embedded (no more of them than ``neighbours``, or
/// a neighbourhood graph in separate pieces) the encoder starts from its initial weights, and
/// ``PixelTrainingSummary/spectralStartSkipped`` says why.
///
/// The encoder has an ``Adam`` of its own, whose moments follow the encoder's gradient while it
/// is held (``Adam/observe(gradient:offset:)``): released, its first steps are sized by the
/// gradients of the held updates. (A fresh Adam would move every encoder weight by the full
/// learning rate at once; one Adam of all the parameters, fed zero for the held encoder, moved
/// it by up to about 3 times the rate.)
public struct PixelSpectralStart: Codable, Hashable, Sendable {
  /// k: the frames' graph joins each frame to its k nearest (squared Euclidean distance).
  public var neighbours: Int
  /// The Adam steps of the regression on the embedding, at the training's learning rate.
  public var iterations: Int
  /// The ELBO updates, from the first, that leave the encoder unchanged.
  public var heldIterations: Int
  /// The angle that frames on an open curve (swings that never reach the top) are spread over.
  public var arcAngle: Double

  public init(
    neighbours: Int = 20, iterations: Int = 300, heldIterations: Int = 300,
    arcAngle: Double = .pi
  ) {
    self.arcAngle = arcAngle
    self.neighbours = neighbours
    self.iterations = iterations
    self.heldIterations = heldIterations
  }

  /// Reads settings written before ``arcAngle`` existed with its default.
  public init(from decoder: any Decoder) throws {
    let record = try decoder.container(keyedBy: CodingKeys.self)
    neighbours = try record.decode(Int.self, forKey: .neighbours)
    iterations = try record.decode(Int.self, forKey: .iterations)
    heldIterations = try record.decode(Int.self, forKey: .heldIterations)
    arcAngle = try record.decodeIfPresent(Double.self, forKey: .arcAngle) ?? .pi
  }

  /// - Throws: ``LearningError/invalidConfiguration(name:value:requirement:)`` naming a count
  ///   below 1 (below 0 for the held updates), or an arc angle outside (0, 2π].
  public func validate() throws(LearningError) {
    guard arcAngle.isFinite, arcAngle > 0, arcAngle <= 2 * .pi else {
      throw .invalidConfiguration(
        name: "spectral start arc angle", value: "\(arcAngle)", requirement: "must be in (0, 2π]")
    }
    try ModelLimits.check(neighbours, in: 1...100_000, field: "spectral start neighbours")
    try ModelLimits.check(iterations, in: 1...10_000_000, field: "spectral start iterations")
    try ModelLimits.check(heldIterations, in: 0...Int.max, field: "spectral start held iterations")
  }
}

extension PixelModel {
  /// Regresses the encoder's point `(a, b)` on the circle points of the frames' spectral
  /// embedding (``PixelSpectralStart``; of an even sample of at most `maximumFrames`) and
  /// returns the mean squared error
  /// `(1/n) Σ_i ½ |(a_i, b_i) − (cos φ_i, sin φ_i)|²` after each step.
  /// The model's latent position must be an angle (``PixelTrainer`` checks).
  /// - Throws: as ``SpectralEmbedding/init(frames:count:area:neighbours:dimension:)``.
  mutating func fitEncoderToSpectralEmbedding(
    of videos: [PixelVideo], start: PixelSpectralStart, learningRate: Double,
    maximumFrames: Int = SpectralEmbedding.maximumFrameCount
  ) throws(LearningError) -> [Double] {
    let area = specification.frameArea
    let all = videos.flatMap(\.pixels)
    let stride = SpectralEmbedding.sampleStride(
      frameCount: all.count / area, maximum: maximumFrames)
    let frames =
      stride == 1
      ? all
      : Swift.stride(from: 0, to: all.count / area, by: stride).flatMap {
        all[($0 * area)..<(($0 + 1) * area)]
      }
    let n = frames.count / area
    let embedding = try SpectralEmbedding(
      frames: frames, count: n, area: area, neighbours: start.neighbours, dimension: 2)
    var targets = [Double](repeating: 0, count: 2 * n)
    for (i, phi) in embedding.angles(arcAngle: start.arcAngle).enumerated() {
      (targets[2 * i], targets[2 * i + 1]) = (Double.cos(phi), Double.sin(phi))
    }
    let encoder = RectifiedNetwork(sizes: specification.encoderSizes)
    let e = specification.encodingDimension
    var output = [Double](repeating: 0, count: n * e)
    var hidden = [Double](repeating: 0, count: encoder.hiddenCount(batch: n))
    var scratch = [Double](repeating: 0, count: encoder.scratchCount(batch: n))
    var outputBar = [Double](repeating: 0, count: n * e)
    var gradient = [Double](repeating: 0, count: encoder.parameterCount)
    var optimizer = Adam(parameterCount: encoder.parameterCount, learningRate: learningRate)
    var parameters = encoderParameters
    var losses: [Double] = []
    losses.reserveCapacity(start.iterations)
    for _ in 0..<start.iterations {
      parameters.withUnsafeBufferPointer { p in
        frames.withUnsafeBufferPointer { x in
          guard let p = p.baseAddress, let x = x.baseAddress else { return }
          encoder.forward(p, x, batch: n, hidden: &hidden, output: &output)
        }
      }
      var loss = 0.0
      for i in 0..<n {
        for c in 0..<2 {
          let r = output[i * e + c] - targets[2 * i + c]
          loss += 0.5 * r * r / Double(n)
          outputBar[i * e + c] = r / Double(n)
        }
      }
      losses.append(loss)
      for i in gradient.indices { gradient[i] = 0 }
      parameters.withUnsafeBufferPointer { p in
        frames.withUnsafeBufferPointer { x in
          guard let p = p.baseAddress, let x = x.baseAddress else { return }
          encoder.accumulatePullback(
            p, x, batch: n, hidden: hidden, outputCotangent: outputBar, scratch: &scratch,
            into: &gradient, inputCotangent: nil)
        }
      }
      optimizer.update(&parameters, gradient: gradient)
    }
    encoderParameters = parameters
    return losses
  }
}
