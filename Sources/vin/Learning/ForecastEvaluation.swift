import VINKit

/// A model's forecast against a true trajectory: the per-step squared error and the energy
/// behaviour of the forecast.
struct ForecastEvaluation {
  /// `t_k` of the truth.
  let times: [Double]
  /// `e_k = Σᵢ (q̂ᵢ − qᵢ)² + (v̂ᵢ − vᵢ)²` at step k (`e₀ = 0`).
  let squaredErrors: [Double]
  /// The forecast's learned energy (NaN for models without one).
  let energies: [Double]
  /// The slope of the block maxima of `|E(t) − E(0)|` (`nil` without an energy, or with too
  /// few steps for ten blocks).
  let energyDrift: EnergyDrift?
  let hasEnergy: Bool

  /// - Throws: ``LearningCommandError/data(path:_:)`` when the truth has no velocity columns, a
  ///   different dimension or another step size than the model.
  init(model saved: SavedModel, truth: TrajectoryFile) throws(LearningCommandError) {
    let model = saved.model
    let n = model.configurationDimension
    let observed = truth.trajectory
    guard observed.dimension == n else {
      throw .data(
        path: truth.path,
        .dimensionMismatch(
          name: "q columns (the model in '\(saved.path)' has dimension \(n))", expected: n,
          actual: observed.dimension))
    }
    guard let velocities = observed.velocities else {
      throw .data(
        path: truth.path,
        .invalidCSV(
          line: 1, column: "v1", detail: "missing: evaluation starts from the truth's (q, v)"))
    }
    if let h = truth.stepSize, abs(h - model.stepSize) > 1e-6 * model.stepSize {
      throw .data(
        path: truth.path, .stepSizeMismatch(trajectory: 0, expected: model.stepSize, actual: h))
    }
    let forecast = try saved.forecast(
      position: observed.positions[0], velocity: velocities[0], steps: observed.count - 1)
    let times = observed.times
    self.times = times
    squaredErrors = (0..<observed.count).map { k in
      var sum = 0.0
      for i in 0..<n {
        let dq = forecast.positions[k][i] - observed.positions[k][i]
        let dv = forecast.velocities[k][i] - velocities[k][i]
        sum += dq * dq + dv * dv
      }
      return sum
    }
    hasEnergy = forecast.energies != nil
    energies = forecast.energies ?? Array(repeating: .nan, count: observed.count)
    energyDrift = forecast.energies.flatMap { EnergyDrift(times: times, values: $0) }
  }

  /// The mean of `e_k` over the forecast steps k = 1…N (0 without steps).
  var meanSquaredError: Double {
    squaredErrors.count > 1
      ? squaredErrors.dropFirst().reduce(0, +) / Double(squaredErrors.count - 1) : 0
  }

  /// Two lines: the mean squared error and the energy drift.
  func summary(modelPath: String, truthPath: String) -> String {
    let steps = squaredErrors.count - 1
    var text = "mean squared error \(meanSquaredError) over \(steps) steps"
    if let energyDrift {
      text +=
        "\nenergy drift \(energyDrift.slope) per unit time (max |E(t) − E(0)| \(energyDrift.maxError))"
    } else if hasEnergy {
      text += "\nenergy drift: n/a (needs more than 10 steps)"
    } else {
      text += "\nenergy drift: n/a (the model has no energy)"
    }
    return text
  }
}
