import Foundation
import Testing

@testable import LagrangianLearning

@Suite("Pixel models: the spectral start of the encoder")
struct PixelSpectralStartTests {
  /// `n` equally spaced points of the unit circle, as frames of two "pixels".
  static func ring(_ n: Int, offset: Double = 0) -> [Double] {
    (0..<n).flatMap { i in
      let theta = 2 * Double.pi * Double(i) / Double(n)
      return [offset + cos(theta), sin(theta)]
    }
  }

  @Test("the eigenmap of a ring: the circulant graph's eigenvalue; its angle goes round once")
  func ringEigenmap() throws {
    // With k = 4 every point's neighbours are the points ±1 and ±2 along the ring: the graph
    // is circulant, every degree is 4, and the normalised adjacency W/4 has the eigenvalues
    // λ_m = (cos 2πm/n + cos 4πm/n)/2; λ₁ is double, with the eigenvectors cos and sin of the
    // angle, so the embedding's angle is the points' own up to a rotation and a reflection.
    let n = 40
    let embedding = try SpectralEmbedding(
      frames: Self.ring(n), count: n, area: 2, neighbours: 4, dimension: 2)
    let lambda = (cos(2 * Double.pi / Double(n)) + cos(4 * Double.pi / Double(n))) / 2
    #expect(abs(embedding.eigenvalues[0] - lambda) < 1e-12)
    #expect(abs(embedding.eigenvalues[1] - lambda) < 1e-12)
    let phi = (0..<n).map {
      atan2(embedding.coordinates[2 * $0 + 1], embedding.coordinates[2 * $0])
    }
    let theta = (0..<n).map { 2 * Double.pi * Double($0) / Double(n) }
    #expect(abs(try LatentAlignment(latent: phi, truth: theta).value - 1) < 1e-12)
  }

  @Test("frames on an open curve are told from a closed one, and spread evenly over the arc angle")
  func openCurve() throws {
    // 40 equally spaced points of a segment, k = 4: a path-like graph, whose Laplacian
    // eigenvalues are about 1 : 4 (a ring's first two are equal).
    let n = 40
    let segment = try SpectralEmbedding(
      frames: (0..<n).map { Double($0) / Double(n - 1) }, count: n, area: 1, neighbours: 4,
      dimension: 2)
    #expect(!segment.isClosed)
    let ringEmbedding = try SpectralEmbedding(
      frames: Self.ring(n), count: n, area: 2, neighbours: 4, dimension: 2)
    #expect(ringEmbedding.isClosed)
    let phi = segment.angles(arcAngle: 2)
    // In order along the segment (the two end points share their neighbours, so their
    // coordinates agree to rounding), over exactly the arc angle, near even spacing.
    let steps = zip(phi.dropFirst(), phi).map { $0 - $1 }
    let sign: Double = steps.reduce(0, +) > 0 ? 1 : -1
    #expect(steps.allSatisfy { sign * $0 > -1e-6 })
    #expect(abs((phi.max() ?? 0) - (phi.min() ?? 0) - 2) < 1e-12)
    for (i, angle) in phi.enumerated() {
      #expect(abs(sign * angle - (2 * Double(i) / Double(n - 1) - 1)) < 0.11)
    }
    // The angle of the first two coordinates goes most of the way round, with steps in the
    // middle more than twice the largest of the open curve's.
    let twoCoordinates = (0..<n).map {
      atan2(segment.coordinates[2 * $0 + 1], segment.coordinates[2 * $0])
    }
    let largest = zip(twoCoordinates.dropFirst(), twoCoordinates).map {
      abs(remainder($0 - $1, 2 * Double.pi))
    }.max()
    #expect(try #require(largest) > 2 * (steps.map(abs).max() ?? 0))
  }

  @Test("a neighbourhood graph in two pieces has no embedding, and says so")
  func disconnectedGraph() {
    let frames = Self.ring(12) + Self.ring(12, offset: 100)
    #expect {
      try SpectralEmbedding(frames: frames, count: 24, area: 2, neighbours: 3, dimension: 2)
    } throws: { error in
      guard case LearningError.notEnoughData(let detail) = error else { return false }
      return detail.contains("separate pieces")
    }
  }

  @Test("more frames than the dense graph can hold are refused before it is built")
  func tooManyFrames() {
    let n = SpectralEmbedding.maximumFrameCount + 1
    #expect {
      try SpectralEmbedding(
        frames: [Double](repeating: 0, count: n), count: n, area: 1, neighbours: 3, dimension: 2)
    } throws: { error in
      guard case LearningError.invalidConfiguration(let name, let value, _) = error else {
        return false
      }
      return name == "spectral start" && value == "\(n) frames"
    }
  }

  @Test("the regression fits the encoder's circle point to the embedding")
  func regression() throws {
    var generator = SeededGenerator(seed: 4)
    var model = try PixelModel(
      specification: PixelFixtures.specification(.vinSO2, size: 8), generator: &generator)
    let angles = (0..<24).map { 2 * Double.pi * Double($0) / 24 }
    let video = try rodFrames(angles: angles, size: 8)
    let losses = try model.fitEncoderToSpectralEmbedding(
      of: [video], start: PixelSpectralStart(neighbours: 4, iterations: 400),
      learningRate: 1e-2)
    #expect(losses.count == 400)
    #expect(losses[399] < 0.01 * losses[0])
  }

  @Test("training holds the started encoder for the held updates, and trains the rest")
  func heldEncoder() throws {
    var generator = SeededGenerator(seed: 5)
    let model = try PixelModel(
      specification: PixelFixtures.specification(.vinSO2, size: 8), generator: &generator)
    let angles = pendulumAngles(1.2, frames: 12, stepSize: 0.1)
    let videos = [try rodFrames(angles: angles, size: 8)]
    let start = PixelSpectralStart(neighbours: 4, iterations: 20, heldIterations: 3)
    func train(_ iterations: Int) throws -> PixelTrainingResult {
      try PixelTrainer(
        configuration: PixelTrainingConfiguration(
          horizon: 3, iterations: iterations, learningRate: 1e-3, seed: 2, spectralStart: start)
      ).train(model, on: videos)
    }
    let (one, three, four) = (try train(1), try train(3), try train(4))
    #expect(one.model.encoderParameters != model.encoderParameters)
    #expect(three.model.encoderParameters == one.model.encoderParameters)
    #expect(three.model.decoderParameters != one.model.decoderParameters)
    // Released, the encoder moves by its Adam's step, whose moments have followed the 3 held
    // gradients: each move within Adam's bound (about α = 10⁻³ at step 4), and most of them
    // less than α, where a fresh Adam's first step moves every weight by α exactly.
    let moves = zip(four.model.encoderParameters, three.model.encoderParameters).map {
      abs($0 - $1)
    }
    #expect(try #require(moves.max()) < 3.2e-3)
    #expect(moves.filter { abs($0 - 1e-3) < 1e-9 }.count < moves.count / 2)
    let loss = try #require(three.summary.spectralStartLoss)
    #expect(loss.isFinite && loss > 0)
  }

  @Test("models whose latent is not an angle ignore the start; too few frames skip it, saying why")
  func whereTheStartIsNotMade() throws {
    var generator = SeededGenerator(seed: 6)
    let configuration = PixelTrainingConfiguration(horizon: 3, iterations: 2)
    #expect(configuration.spectralStart == PixelSpectralStart())
    let trainer = PixelTrainer(configuration: configuration)
    let velocityModel = try PixelModel(
      specification: PixelFixtures.specification(.vinVelocityVerlet), generator: &generator)
    let ignored = try trainer.train(velocityModel, on: try PixelFixtures.videos(frames: 8))
    #expect(ignored.summary.configuration.spectralStart == nil)
    #expect(ignored.summary.spectralStartLoss == nil && ignored.summary.spectralStartSkipped == nil)
    // Two videos of 8 frames: 16 frames, no more than the 20 neighbours.
    let circleModel = try PixelModel(
      specification: PixelFixtures.specification(.vinSO2), generator: &generator)
    let skipped = try trainer.train(circleModel, on: try PixelFixtures.videos(frames: 8))
    #expect(skipped.summary.configuration.spectralStart == nil)
    #expect(skipped.summary.spectralStartLoss == nil)
    #expect(try #require(skipped.summary.spectralStartSkipped).contains("16 frames"))
    #expect(throws: LearningError.self) {
      try PixelTrainingConfiguration(spectralStart: PixelSpectralStart(neighbours: 0)).validate()
    }
  }

  @Test("of more frames than the graph can hold, an even sample of at most that many is embedded")
  func sampledFrames() throws {
    let most = SpectralEmbedding.maximumFrameCount
    for (count, stride) in [(1, 1), (most, 1), (most + 1, 2), (3 * most, 3), (3 * most + 1, 4)] {
      #expect(SpectralEmbedding.sampleStride(frameCount: count) == stride)
    }
    // 48 frames with room for 24: the start is the one made from every second frame.
    var generator = SeededGenerator(seed: 8)
    let model = try PixelModel(
      specification: PixelFixtures.specification(.vinSO2, size: 8), generator: &generator)
    let angles = (0..<48).map { 2 * Double.pi * Double($0) / 48 }
    let start = PixelSpectralStart(neighbours: 4, iterations: 50)
    var (sampled, everySecond) = (model, model)
    let sampledLosses = try sampled.fitEncoderToSpectralEmbedding(
      of: [try rodFrames(angles: angles, size: 8)], start: start, learningRate: 1e-2,
      maximumFrames: 24)
    let everySecondLosses = try everySecond.fitEncoderToSpectralEmbedding(
      of: [try rodFrames(angles: stride(from: 0, to: 48, by: 2).map { angles[$0] }, size: 8)],
      start: start, learningRate: 1e-2)
    #expect(sampledLosses == everySecondLosses)
    #expect(sampled.encoderParameters == everySecond.encoderParameters)
  }

  @Test("settings written before the spectral start read back without one")
  func olderSettings() throws {
    let configuration = PixelTrainingConfiguration(spectralStart: PixelSpectralStart())
    let data = try JSONEncoder().encode(configuration)
    #expect(try JSONDecoder().decode(PixelTrainingConfiguration.self, from: data) == configuration)
    var object = try #require(JSONSerialization.jsonObject(with: data) as? [String: Any])
    object["spectralStart"] = nil
    let older = try JSONSerialization.data(withJSONObject: object)
    let read = try JSONDecoder().decode(PixelTrainingConfiguration.self, from: older)
    #expect(read.spectralStart == nil)
    #expect(read.horizon == configuration.horizon)
    // A start written before the arc angle reads back with the default.
    let start = PixelSpectralStart(neighbours: 12, iterations: 40, heldIterations: 5)
    var fields = try #require(
      JSONSerialization.jsonObject(with: JSONEncoder().encode(start)) as? [String: Any])
    #expect(fields["arcAngle"] as? Double == Double.pi)
    fields["arcAngle"] = nil
    let withoutArc = try JSONSerialization.data(withJSONObject: fields)
    #expect(try JSONDecoder().decode(PixelSpectralStart.self, from: withoutArc) == start)
    for bad in [0, -1, 7, Double.nan] {
      #expect(throws: LearningError.self) { try PixelSpectralStart(arcAngle: bad).validate() }
    }
  }
}
