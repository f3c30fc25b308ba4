import DiscreteMechanics
import Foundation
import Testing

@testable import LagrangianLearning

/// Small pixel models (6 × 6 frames, widths 8) for the gradient and ELBO checks.
enum PixelFixtures {
  /// The latent dynamics of a small model of `kind` (nil: a plain VAE).
  static func dynamics(_ kind: ModelKind?, step: Double = 0.1) -> ModelSpecification? {
    switch kind {
    case nil: nil
    case .residualNetwork?:
      ModelSpecification(
        kind: .residualNetwork, dimension: 1, stepSize: step,
        network: BaselineNetworkSpecification(NetworkArchitecture(width: 8, depth: 1)))
    case .vinSO2?:
      ModelSpecification(
        kind: .vinSO2, dimension: 1, stepSize: step,
        potential: .angularMLP(NetworkArchitecture(width: 8, depth: 1)), mass: .constant())
    case let kind?:
      ModelSpecification(
        kind: kind, dimension: 1, stepSize: step,
        potential: .mlp(NetworkArchitecture(width: 8, depth: 1)), mass: .constant())
    }
  }

  static func specification(_ kind: ModelKind?, size: Int = 6, context: Int = 3)
    -> PixelModelSpecification
  {
    PixelModelSpecification(
      dynamics: dynamics(kind), frameSize: size, context: context, encoderWidth: 8,
      recurrentWidth: 5, decoderWidth: 8)
  }

  /// Videos of random intensities.
  static func videos(size: Int = 6, frames: Int = 6, count: Int = 2, seed: UInt64 = 3) throws
    -> [PixelVideo]
  {
    var generator = SeededGenerator(seed: seed)
    return try (0..<count).map { _ in
      try PixelVideo(
        size: size, pixels: (0..<(frames * size * size)).map { _ in generator.nextUniform() })
    }
  }

  /// The kinds a pixel model takes, and none.
  static let kinds: [ModelKind?] = [
    .vinVelocityVerlet, .vinStormerVerlet, .vinSO2, .residualNetwork, nil,
  ]
}

@Suite("Pixel models: layers, ELBO and gradients")
struct PixelModelTests {
  @Test("ReLU network: the pullback against central differences")
  func rectifiedNetworkPullback() {
    let network = RectifiedNetwork(sizes: [5, 7, 6, 3])
    var generator = SeededGenerator(seed: 4)
    let parameters = network.parameterCount
    let batch = 3
    let values = (0..<(parameters + batch * 5)).map { _ in 2 * generator.nextUniform() - 1 }
    let probe = (0..<(batch * 3)).map { 0.3 + 0.1 * Double($0 % 5) }
    func forward(_ values: [Double]) -> [Double] {
      var output = [Double](repeating: 0, count: batch * 3)
      var hidden = [Double](repeating: 0, count: network.hiddenCount(batch: batch))
      values.withUnsafeBufferPointer { v in
        output.withUnsafeMutableBufferPointer { o in
          hidden.withUnsafeMutableBufferPointer { h in
            network.forward(
              v.baseAddress!, v.baseAddress! + parameters, batch: batch, hidden: h.baseAddress!,
              output: o.baseAddress!)
          }
        }
      }
      return output
    }
    var gradient = [Double](repeating: 0, count: parameters + batch * 5)
    var hidden = [Double](repeating: 0, count: network.hiddenCount(batch: batch))
    var output = [Double](repeating: 0, count: batch * 3)
    var scratch = [Double](repeating: 0, count: network.scratchCount(batch: batch))
    values.withUnsafeBufferPointer { v in
      let (p, x) = (v.baseAddress!, v.baseAddress! + parameters)
      network.forward(p, x, batch: batch, hidden: &hidden, output: &output)
      gradient.withUnsafeMutableBufferPointer { g in
        network.accumulatePullback(
          p, x, batch: batch, hidden: hidden, outputCotangent: probe, scratch: &scratch,
          into: g.baseAddress!, inputCotangent: g.baseAddress! + parameters)
      }
    }
    let numeric = centralDifference(values) { values in
      zip(forward(values), probe).reduce(0) { $0 + $1.0 * $1.1 }
    }
    #expect(relativeError(gradient, numeric) < 1e-8)
  }

  @Test("Backwards LSTM: backpropagation through time against central differences")
  func recurrentPullback() {
    let lstm = RecurrentEncoder(inputDimension: 3, hiddenDimension: 4, outputDimension: 2)
    var generator = SeededGenerator(seed: 8)
    let (batch, steps) = (2, 4)
    let parameters = lstm.parameterCount
    let values =
      lstm.initialParameters(generator: &generator)
      .map { $0 + 0.3 * generator.nextStandardNormal() }
      + (0..<(batch * steps * 3)).map { _ in generator.nextStandardNormal() }
    let probe = [0.7, -0.4, 1.1, 0.25]
    func loss(_ values: [Double]) -> Double {
      var storage = [Double](repeating: 0, count: lstm.storageCount(batch: batch, steps: steps))
      var output = [Double](repeating: 0, count: batch * 2)
      values.withUnsafeBufferPointer { v in
        lstm.forward(
          v.baseAddress!, inputs: v.baseAddress! + parameters, batch: batch, steps: steps,
          storage: &storage, output: &output)
      }
      return zip(output, probe).reduce(0) { $0 + $1.0 * $1.1 }
    }
    var storage = [Double](repeating: 0, count: lstm.storageCount(batch: batch, steps: steps))
    var output = [Double](repeating: 0, count: batch * 2)
    var scratch = [Double](repeating: 0, count: lstm.scratchCount(batch: batch))
    var gradient = [Double](repeating: 0, count: values.count)
    values.withUnsafeBufferPointer { v in
      lstm.forward(
        v.baseAddress!, inputs: v.baseAddress! + parameters, batch: batch, steps: steps,
        storage: &storage, output: &output)
      gradient.withUnsafeMutableBufferPointer { g in
        storage.withUnsafeMutableBufferPointer { s in
          lstm.accumulatePullback(
            v.baseAddress!, batch: batch, steps: steps, storage: s.baseAddress!,
            outputCotangent: probe, scratch: &scratch, into: g.baseAddress!,
            inputCotangent: g.baseAddress! + parameters)
        }
      }
    }
    let numeric = centralDifference(values, loss)
    #expect(relativeError(gradient, numeric) < 1e-8)
  }

  /// `KL(N(μ_q, Σ_q) ‖ N(μ_p, Σ_p))` of 2-D Gaussians: `½[tr(Σ_p⁻¹Σ_q) + Δᵀ Σ_p⁻¹ Δ − 2 +
  /// log(det Σ_p / det Σ_q)]`.
  static func gaussianDivergence2D(
    meanQ: (Double, Double), covarianceQ: [[Double]], covarianceP: [[Double]]
  ) -> Double {
    let p = covarianceP
    let det = p[0][0] * p[1][1] - p[0][1] * p[1][0]
    let inverse = [[p[1][1] / det, -p[0][1] / det], [-p[1][0] / det, p[0][0] / det]]
    let q = covarianceQ
    var trace = 0.0
    for i in 0..<2 {
      for j in 0..<2 { trace += inverse[i][j] * q[j][i] }
    }
    let m = [meanQ.0, meanQ.1]
    var quadratic = 0.0
    for i in 0..<2 {
      for j in 0..<2 { quadratic += m[i] * inverse[i][j] * m[j] }
    }
    let detQ = q[0][0] * q[1][1] - q[0][1] * q[1][0]
    return 0.5 * (trace + quadratic - 2 + log(det / detQ))
  }

  @Test("Random-walk prior: the KL of (q₀, q₁) is the 2-D Gaussian divergence")
  func incrementDivergence() {
    let (mu0, sigma0, mu1, sigma1, v) = (0.4, 0.3, 0.9, 0.2, 0.1)
    let kl = GaussianPosterior.increment(
      mean0: mu0, deviation0: sigma0, mean1: mu1, deviation1: sigma1, increment: mu1 - mu0,
      variance: v)
    // The prior q₀ ~ N(0, 1), q₁ = q₀ + δ, δ ~ N(0, v): covariance [[1, 1], [1, 1 + v]].
    let exact = Self.gaussianDivergence2D(
      meanQ: (mu0, mu1), covarianceQ: [[sigma0 * sigma0, 0], [0, sigma1 * sigma1]],
      covarianceP: [[1, 1], [1, 1 + v]])
    #expect(abs(kl.value - exact) < 1e-13 * exact)
    let numeric = centralDifference([mu0, sigma0, mu1, sigma1]) { x in
      GaussianPosterior.increment(
        mean0: x[0], deviation0: x[1], mean1: x[2], deviation1: x[3], increment: x[2] - x[0],
        variance: v
      ).value
    }
    let (a, b, c, d) = kl.derivatives
    #expect(relativeError([a, b, c, d], numeric) < 1e-9)
  }

  /// A model whose encoders ignore the frames (all weights zero, the output biases the
  /// posterior parameters) and whose decoder draws the constant logit `c`.
  static func constantModel(
    _ kind: ModelKind?, logit c: Double, encoding: [Double], velocity: [Double]
  )
    throws -> PixelModel
  {
    var generator = SeededGenerator(seed: 1)
    var model = try PixelModel(
      specification: PixelFixtures.specification(kind), generator: &generator)
    let specification = model.specification
    let encoder = RectifiedNetwork(sizes: specification.encoderSizes)
    model.encoderParameters = Array(repeating: 0, count: encoder.parameterCount)
    let top = encoder.weightOffset(ofLayer: encoder.layerCount - 1)
    let bias = top + encoder.sizes[encoder.layerCount - 1] * encoder.outputDimension
    for (i, value) in encoding.enumerated() { model.encoderParameters[bias + i] = value }
    if let recurrent = specification.recurrentEncoder {
      model.recurrentParameters = Array(repeating: 0, count: recurrent.parameterCount)
      let readOut = recurrent.cellParameterCount + recurrent.hiddenDimension * 2
      for (i, value) in velocity.enumerated() { model.recurrentParameters[readOut + i] = value }
    }
    let decoder = RectifiedNetwork(sizes: specification.decoderSizes)
    model.decoderParameters = Array(repeating: 0, count: decoder.parameterCount)
    let outputBias =
      decoder.weightOffset(ofLayer: decoder.layerCount - 1) + decoder.sizes[decoder.layerCount - 1]
      * decoder.outputDimension
    for i in 0..<decoder.outputDimension { model.decoderParameters[outputBias + i] = c }
    return model
  }

  @Test(
    "ELBO of a Gaussian case: constant logits and posteriors give the closed form",
    arguments: PixelFixtures.kinds)
  func closedFormELBO(kind: ModelKind?) throws {
    let c = -0.7
    let (mu, s) = (0.35, -0.4)
    let (velocityMu, velocityS) = (-0.2, 0.3)
    let encoding = kind == .vinSO2 ? [cos(mu), sin(mu), s] : [mu, s]
    let model = try Self.constantModel(
      kind, logit: c, encoding: encoding, velocity: [velocityMu, velocityS])
    let videos = try PixelFixtures.videos()
    let horizon = 3
    let windows = [PixelWindow(video: 0, start: 0), PixelWindow(video: 1, start: 2)]
    var generator = SeededGenerator(seed: 5)
    let noise = (0..<(2 * model.noiseCount(horizon: horizon))).map { _ in
      generator.nextStandardNormal()
    }
    let loss = model.negativeELBO(videos: videos, windows: windows, horizon: horizon, noise: noise)
    // Σ_pixels softplus(c) − y c over each window's frames, plus the KL in closed form.
    var reconstruction = 0.0
    for window in windows {
      for k in 0...horizon {
        for y in videos[window.video].frame(window.start + k) {
          reconstruction += log1p(exp(c)) - y * c
        }
      }
    }
    let sigma = log1p(exp(s))
    let h = 0.1
    /// `KL(N(m, σ²) ‖ N(0, v))`, the 1-D case of the 2-D formula.
    func normal(_ m: Double, _ sd: Double, _ v: Double) -> Double {
      0.5 * (sd * sd / v + m * m / v - 1 + log(v / (sd * sd)))
    }
    let divergence: Double
    switch kind {
    case nil: divergence = Double(horizon + 1) * normal(mu, sigma, 1)
    case .vinStormerVerlet?, .vinSO2?:
      divergence = Self.gaussianDivergence2D(
        meanQ: (mu, mu), covarianceQ: [[sigma * sigma, 0], [0, sigma * sigma]],
        covarianceP: [[1, 1], [1, 1 + h]])
    case .vinVelocityVerlet?:
      divergence = normal(mu, sigma, 1) + normal(velocityMu, log1p(exp(velocityS)), h)
    default:
      divergence = normal(mu, sigma, 1) + normal(velocityMu, log1p(exp(velocityS)), 1)
    }
    let expected = (reconstruction + 2 * divergence) / 2
    #expect(abs(loss - expected) < 1e-12 * abs(expected))
  }

  @Test(
    "Negative ELBO: the gradient of every pixel model against central differences",
    arguments: PixelFixtures.kinds)
  func elboGradient(kind: ModelKind?) throws {
    var generator = SeededGenerator(seed: 21)
    let model = try PixelModel(
      specification: PixelFixtures.specification(kind), generator: &generator)
    let videos = try PixelFixtures.videos()
    let horizon = 3
    let windows = [PixelWindow(video: 0, start: 1), PixelWindow(video: 1, start: 0)]
    let noise = (0..<(2 * model.noiseCount(horizon: horizon))).map { _ in
      0.5 * generator.nextStandardNormal()
    }
    let workspace = PixelWorkspace()
    var gradient: [Double] = []
    _ = model.negativeELBOGradient(
      videos: videos, windows: windows, horizon: horizon, noise: noise, workspace: workspace,
      into: &gradient)
    let numeric = centralDifference(model.flatParameters) { values in
      var perturbed = model
      perturbed.flatParameters = values
      return perturbed.negativeELBO(
        videos: videos, windows: windows, horizon: horizon, noise: noise, workspace: workspace)
    }
    let error = relativeError(gradient, numeric)
    print("pixel model \(kind?.rawValue ?? "vae"): ELBO gradient relative error \(error)")
    #expect(error < 1e-6)
  }

  @Test(
    "Shared frames: overlapping windows' ELBO and gradient are the mean of one-window passes",
    arguments: PixelFixtures.kinds)
  func overlappingWindowsShareFrames(kind: ModelKind?) throws {
    var generator = SeededGenerator(seed: 17)
    let model = try PixelModel(
      specification: PixelFixtures.specification(kind), generator: &generator)
    let videos = try PixelFixtures.videos()
    let horizon = 3
    // Overlapping windows of both videos, one of them twice.
    let windows = [(0, 0), (0, 1), (1, 2), (0, 2), (1, 0), (0, 1), (1, 1)].map {
      PixelWindow(video: $0.0, start: $0.1)
    }
    let perWindow = model.noiseCount(horizon: horizon)
    let noise = (0..<(windows.count * perWindow)).map { _ in 0.5 * generator.nextStandardNormal() }
    let workspace = PixelWorkspace()
    let pass = PixelPass(
      model: model, videos: videos, windows: windows, horizon: horizon, workspace: workspace)
    #expect(pass.frameCount < pass.encodedCount)
    var gradient: [Double] = []
    let loss = model.negativeELBOGradient(
      videos: videos, windows: windows, horizon: horizon, noise: noise, workspace: workspace,
      into: &gradient)
    // Each window alone, with its own noise: the batch's loss and gradient are their means.
    var (meanLoss, meanGradient) = (0.0, [Double](repeating: 0, count: model.parameterCount))
    var single: [Double] = []
    for (b, window) in windows.enumerated() {
      meanLoss +=
        model.negativeELBOGradient(
          videos: videos, windows: [window], horizon: horizon,
          noise: Array(noise[(b * perWindow)..<((b + 1) * perWindow)]), workspace: workspace,
          into: &single) / Double(windows.count)
      for i in single.indices { meanGradient[i] += single[i] / Double(windows.count) }
    }
    #expect(abs(loss - meanLoss) < 1e-12 * abs(meanLoss))
    #expect(relativeError(gradient, meanGradient) < 1e-12)
  }

  @Test("A sample the VIN-SO(2) cannot step: that window is rolled out from its posterior mean")
  func unsteppableSampleFallsBackToTheMean() throws {
    var generator = SeededGenerator(seed: 29)
    let model = try PixelModel(
      specification: PixelFixtures.specification(.vinSO2), generator: &generator)
    let videos = try PixelFixtures.videos()
    let horizon = 4
    let windows = [PixelWindow(video: 0, start: 0), PixelWindow(video: 1, start: 1)]
    let workspace = PixelWorkspace()
    var gradient: [Double] = []
    // Window 0's q₁ sampled a quarter turn from q₀ (σ₀ = 0.1: ε ≈ ±15.7) makes sin Δ ≈ ±1, and
    // the potential's first push takes |sin Δ| past 1; window 1 keeps an ordinary sample.
    let candidates = stride(from: 14.0, through: 18.0, by: 0.01).flatMap { [$0, -$0] }
    let failing = candidates.lazy.map { [0, $0, 0.3, -0.2] }.first { noise in
      model.lossAndGradient(
        videos: videos, windows: windows, horizon: horizon, noise: noise, workspace: workspace,
        into: &gradient
      ).meanStarts == 1
    }
    let noise = try #require(failing)
    let (loss, meanStarts) = model.lossAndGradient(
      videos: videos, windows: windows, horizon: horizon, noise: noise, workspace: workspace,
      into: &gradient)
    #expect(meanStarts == 1 && loss.isFinite && gradient.allSatisfy(\.isFinite))
    // Exactly the loss and gradient with window 0's noise set to zero.
    var atMean: [Double] = []
    let meanLoss = model.negativeELBOGradient(
      videos: videos, windows: windows, horizon: horizon, noise: [0, 0, 0.3, -0.2],
      workspace: workspace, into: &atMean)
    #expect(loss == meanLoss)
    #expect(gradient == atMean)
    // The sample itself cannot be stepped: window 0 alone with its sampled q₁ is rolled out
    // from the mean, and with a nearby ordinary sample it is not.
    #expect(
      model.lossAndGradient(
        videos: videos, windows: [windows[0]], horizon: horizon, noise: [0, noise[1]],
        workspace: workspace, into: &gradient
      ).meanStarts == 1)
    #expect(
      model.lossAndGradient(
        videos: videos, windows: [windows[0]], horizon: horizon, noise: [0, noise[1] / 2],
        workspace: workspace, into: &gradient
      ).meanStarts == 0)
  }
}
