import Foundation
import Frames
import VINKit

/// How well one model forecasts the test videos, by the three measures of the pixel benchmark
/// (issue 11) and the drift of the model's own energy. Pixel error alone misleads at long
/// horizons: a sharp rod a little out of phase scores worse than a grey blur. So besides the
/// error early on, the forecast's late frames are matched to the nearest rod the renderer can
/// draw (`RodMatcher`): a physical forecast is close to a rod, and that rod swings as high as
/// the truth's.
struct ForecastScore {
  /// Per frame k = 0…N, the squared error `Σ_pixels (ŷ − y)²` against the truth, mean over the
  /// test videos.
  var frameErrors: [Double]
  /// Per frame k = 0…N, the squared distance of the forecast frame to the nearest rod image,
  /// mean over the test videos.
  var rodDistances: [Double]
  /// short: the mean of `frameErrors` over frames 10–40.
  var short: Double
  /// sharp: the mean of `rodDistances` over frames 50–N.
  var sharp: Double
  /// amplitude: over frames 50–N, `|max |θ̂| − max |θ||` of the matched rods' angles against the
  /// truth frames' matched angles, mean over the test videos (radians).
  var amplitudeError: Double
  /// The change of the learned energy along the latent forecast (`nil` for a model without
  /// one, the ResNet): `|Ē_last − Ē_first| / K_max`, the mean energy over the last and the
  /// first 20 frames against the largest kinetic energy, mean over the test videos.
  var energyDrift: Double?

  /// The frames the short error is taken over, and the first frame of the late measures.
  static let shortFrames = 10...40
  static let lateStart = 50

  /// Scores `forecasts` (frames 0…N) against `tests` (at least N + 1 frames each).
  init(
    forecasts: [PixelForecast], tests: [PendulumVideo], matcher: RodMatcher,
    energy: LearnedEnergy?
  ) throws {
    let n = forecasts[0].frames.frameCount - 1
    var errors = [Double](repeating: 0, count: n + 1)
    var distances = [Double](repeating: 0, count: n + 1)
    var (amplitude, drift) = (0.0, 0.0)
    let share = 1 / Double(tests.count)
    for (forecast, test) in zip(forecasts, tests) {
      for k in 0...n {
        errors[k] += share * squaredDistance(forecast.frames.frame(k), test.video.frame(k))
      }
      let predicted = try matcher.match(FrameStack(forecast.frames))
      let truth = try matcher.match(test.frames)
      for k in 0...n { distances[k] += share * predicted[k].squaredDistance }
      let late = Self.lateStart...n
      let swing = { (matches: [RodMatcher.Match]) in late.map { abs(matches[$0].angle) }.max()! }
      amplitude += share * abs(swing(predicted) - swing(truth))
      if let energy { drift += share * energy.drift(along: forecast.positions.map { $0[0] }) }
    }
    frameErrors = errors
    rodDistances = distances
    short = mean(errors[Self.shortFrames])
    sharp = mean(distances[Self.lateStart...])
    amplitudeError = amplitude
    energyDrift = energy == nil ? nil : drift
  }
}

/// A VIN's learned energy `E = ½ m̂ q̇² + V̂(q)` of its latent motion (one coordinate), its
/// velocity the central difference of the latent positions.
struct LearnedEnergy {
  let mass: Double
  let potential: (Double) -> Double
  let stepSize: Double

  /// The energy of `dynamics` if it is a VIN with a constant mass (nil for the ResNet).
  init?(_ dynamics: (any SpecifiedModel)?) {
    guard let vin = dynamics as? any PotentialMassModel, let energy = Self.components(of: vin)
    else { return nil }
    (mass, potential) = energy
    stepSize = vin.stepSize
  }

  private static func components(of vin: some PotentialMassModel) -> (
    Double, (Double) -> Double
  )? {
    guard let potential = vin.potential as? any LearnablePotential,
      let mass = vin.mass as? any LearnableMassMatrix
    else { return nil }
    return (mass.entries()[0], { potential.energy(at: [$0]) })
  }

  /// `|Ē_last − Ē_first| / K_max` along the latent positions `q` (see ``ForecastScore``).
  func drift(along q: [Double]) -> Double {
    let velocities = (1..<(q.count - 1)).map { (q[$0 + 1] - q[$0 - 1]) / (2 * stepSize) }
    let energies = velocities.indices.map {
      0.5 * mass * velocities[$0] * velocities[$0] + potential(q[$0 + 1])
    }
    let kinetic = velocities.map { 0.5 * mass * $0 * $0 }.max() ?? 0
    let window = min(20, energies.count)
    return abs(mean(energies.suffix(window)) - mean(energies.prefix(window))) / kinetic
  }
}

/// `max over s = ±1 of |mean_k exp(i(φ_k − s θ_k))|`: 1 when the latent angle φ is the true
/// angle θ or its mirror image, up to a constant offset; near 0 when they are unrelated.
func alignment(latent φ: [Double], truth θ: [Double]) -> Double {
  [1.0, -1.0].map { s in
    let (c, d) = zip(φ, θ).reduce((0.0, 0.0)) { sum, pair in
      (sum.0 + cos(pair.0 - s * pair.1), sum.1 + sin(pair.0 - s * pair.1))
    }
    return (c * c + d * d).squareRoot() / Double(φ.count)
  }.max()!
}

/// `Σᵢ (aᵢ − bᵢ)²`.
func squaredDistance(_ a: ArraySlice<Double>, _ b: ArraySlice<Double>) -> Double {
  zip(a, b).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }
}

func mean<C: Collection>(_ values: C) -> Double where C.Element == Double {
  values.reduce(0, +) / Double(values.count)
}
