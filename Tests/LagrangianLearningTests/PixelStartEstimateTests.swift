import DiscreteMechanics
import Testing

@testable import LagrangianLearning

/// ``PixelModel/initialState(context:estimate:)``: the forecast's latent start fitted to the
/// context frames.
@Suite("Pixel forecasts: the initial state fitted to the context")
struct PixelStartEstimateTests {
  /// Context frames drawn by the model itself (the decoder's Bernoulli means along its own
  /// rollout from a state x*) are explained best at x*: each pixel's cross-entropy
  /// `softplus(ℓ) − y ℓ` is least where `σ(ℓ) = y`. So the fit must return x*, although the
  /// encoder, which has not been trained, puts the start elsewhere.
  @Test(
    "the fit recovers the latent state that drew the context frames",
    arguments: [ModelKind.vinSO2, .vinVelocityVerlet, .residualNetwork])
  func recoversTheDrawingState(kind: ModelKind) throws {
    var generator = SeededGenerator(seed: 5)
    let frames = 6
    let model = try PixelModel(
      specification: PixelFixtures.specification(kind, context: frames), generator: &generator)
    let dynamics = try #require(model.dynamics)
    let probe = try PixelFixtures.videos(frames: frames, count: 1)[0]
    let truth = zip(try model.initialState(context: probe, estimate: .encoder), [0.05, -0.04])
      .map(+)
    let rows = dynamics.rollout(from: truth, steps: frames - 1, workspace: RolloutWorkspace())
    let width = dynamics.observationDimension
    let context = try model.decode(positions: (0..<frames).map { [rows[$0 * width]] })

    let encoded = try model.initialState(context: context, estimate: .encoder)
    let fitted = try model.initialState(context: context)
    let encoderError = zip(encoded, truth).map { abs($0 - $1) }.max() ?? .nan
    let fitError = zip(fitted, truth).map { abs($0 - $1) }.max() ?? .nan
    print("\(kind.rawValue): start error, encoder \(encoderError), context fit \(fitError)")
    #expect(encoderError > 1e-2)
    #expect(fitError < 2e-5)
    #expect(try model.forecast(context: context, steps: 3).positions[0] == [fitted[0]])
    #expect(
      try model.forecast(context: context, steps: 3, estimate: .encoder).positions[0]
        == [encoded[0]])
  }

  /// The encoder's estimate is its posterior mean: for a position-only model the latent
  /// positions of frames 0 and 1, for a velocity model that of frame 0 (``PixelModel/embed(_:)``
  /// gives the same encoder's means).
  @Test(
    "the encoder's estimate is the posterior mean of the context's first frames",
    arguments: [ModelKind.vinSO2, .vinStormerVerlet, .vinVelocityVerlet, .residualNetwork])
  func encoderEstimateIsThePosteriorMean(kind: ModelKind) throws {
    var generator = SeededGenerator(seed: 7)
    let model = try PixelModel(
      specification: PixelFixtures.specification(kind, context: 4), generator: &generator)
    let context = try PixelFixtures.videos(frames: 4, count: 1, seed: 11)[0]
    let means = try model.embed(context).map { $0[0] }
    let start = try model.initialState(context: context, estimate: .encoder)
    #expect(start.count == 2)
    #expect(start[0] == means[0])
    if kind == .vinSO2 || kind == .vinStormerVerlet {
      #expect(start[1] == means[1])
    }
    #expect(abs(means[0] - means[1]) > 1e-6)
  }
}
