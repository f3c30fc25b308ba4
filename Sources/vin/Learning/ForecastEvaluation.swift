import VINKit

/// A model's forecast against a true trajectory: the per-step squared error and the energy
/// behaviour of the forecast.
struct ForecastEvaluation {
  /// `t_k` of the truth.
  let times: [Double]
  /// `e_k = Σᵢ (q̂ᵢ − qᵢ)² + (v̂ᵢ − vᵢ)²` at step k (`e₀ = 0`); on SO(3)
  /// `e_k = |log(R̂_kᵀR_k)|² + |Ω̂_k − Ω_k|²`, the squared geodesic attitude distance plus the
  /// squared angular-velocity error.
  let squaredErrors: [Double]
  /// On SO(3), the geodesic attitude distance `|log(R̂_kᵀR_k)|` (rad) at step k; `nil` otherwise.
  let attitudeErrors: [Double]?
  /// The forecast's learned energy (NaN for models without one).
  let energies: [Double]
  /// The slope of the block maxima of `|E(t) − E(0)|` (`nil` without an energy, or with too
  /// few steps for ten blocks).
  let energyDrift: EnergyDrift?
  let hasEnergy: Bool

  /// - Throws: ``LearningCommandError/data(path:_:)`` when the truth has no velocity columns, a
  ///   different dimension or another step size than the model;
  ///   ``LearningCommandError/nonFiniteError(truthPath:modelPath:time:value:)`` when a squared
  ///   error overflows (values near 1e308) or the forecast is NaN.
  init(model saved: SavedModel, truth: TrajectoryFile) throws(LearningCommandError) {
    let observed = truth.trajectory
    try truth.checkSampling(of: saved)
    guard let initial = observed.state(at: 0) else {
      throw .data(
        path: truth.path,
        .invalidCSV(
          line: 1, column: "v1", detail: "missing: evaluation starts from the truth's (q, v)"))
    }
    // A model with inputs replays the truth's own.
    let m = saved.model.inputCount
    guard m == 0 || observed.inputCount == m else {
      throw .data(
        path: truth.path,
        .dimensionMismatch(
          name: "input columns u1… (the model '\(saved.path)' takes \(m))", expected: m,
          actual: observed.inputCount))
    }
    let forecast = try saved.forecast(
      from: initial, inputs: m > 0 ? observed.inputs ?? [] : [], steps: observed.count - 1)
    let times = observed.times
    self.times = times
    switch (forecast, observed.states) {
    case (.coordinates(let forecast), .coordinates(let positions, let velocities?)):
      attitudeErrors = nil
      squaredErrors = times.indices.map { k in
        var sum = 0.0
        for i in positions[k].indices {
          let dq = forecast.positions[k][i] - positions[k][i]
          let dv = forecast.velocities[k][i] - velocities[k][i]
          sum += dq * dq + dv * dv
        }
        return sum
      }
    case (.rigidBody(let forecast), .rigidBody(let attitudes, let angularVelocities)):
      let distances = zip(forecast.attitudes, attitudes).map { predicted, r in
        (predicted.inverse() * r).log().norm
      }
      attitudeErrors = distances
      squaredErrors = distances.indices.map { k in
        let dw = forecast.angularVelocities[k] - angularVelocities[k]
        return distances[k] * distances[k] + dw.dot(dw)
      }
    default:
      // checkSampling(of:) has matched the layouts, and a forecast stays in its start's.
      throw .layout(path: truth.path, observed.layout, model: saved.model.kind)
    }
    if let k = squaredErrors.firstIndex(where: { !$0.isFinite }) {
      throw .nonFiniteError(
        truthPath: truth.path, modelPath: saved.path, time: times[k], value: squaredErrors[k])
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

  /// The number N of forecast steps.
  var steps: Int { squaredErrors.count - 1 }

  /// On SO(3), the mean of `|log(R̂_kᵀR_k)|` over k = 1…N (0 without steps); `nil` otherwise.
  var meanGeodesicError: Double? {
    attitudeErrors.map { errors in
      steps > 0 ? errors.dropFirst().reduce(0, +) / Double(steps) : 0
    }
  }

  /// The summary as lines of text: the mean squared error, on SO(3) the mean geodesic
  /// attitude error, and the energy drift.
  func summary() -> String {
    var text = "mean squared error \(meanSquaredError) over \(steps) steps"
    if let meanGeodesicError {
      text +=
        " (|log(R̂ᵀR)|² + |Ω̂ − Ω|²)\nmean geodesic attitude error \(meanGeodesicError) rad over \(steps) steps"
    }
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

  /// The summary as one JSON object on one line:
  /// `{"steps":N,"mean_squared_error":…,"mean_geodesic_error":…,"energy_drift":…,"max_energy_error":…}`,
  /// with `mean_geodesic_error` (radians) on SO(3) only, and `null` for an energy drift that
  /// is not available (no energy, or too few steps). Numbers are written as in the CSV files
  /// (``CSVFormat/number(_:)``), so they read back as the same `Double`.
  func jsonSummary() -> String {
    func number(_ value: Double?) -> String {
      guard let value, value.isFinite else { return "null" }
      return CSVFormat.number(value)
    }
    var fields = [
      ("steps", "\(steps)"), ("mean_squared_error", number(meanSquaredError)),
    ]
    if let meanGeodesicError { fields.append(("mean_geodesic_error", number(meanGeodesicError))) }
    fields += [
      ("energy_drift", number(energyDrift?.slope)),
      ("max_energy_error", number(energyDrift?.maxError)),
    ]
    return "{" + fields.map { "\"\($0.0)\":\($0.1)" }.joined(separator: ",") + "}"
  }
}

extension TrajectoryFile {
  /// Checks that the file is sampled as `saved` forecasts: in the model's layout (coordinates
  /// or SO(3)), with its step size (relative 10⁻⁶) and its configuration dimension.
  /// - Throws: ``LearningCommandError/layout(path:_:model:)`` or
  ///   ``LearningCommandError/data(path:_:)`` naming this file and the value that differs.
  func checkSampling(of saved: SavedModel) throws(LearningCommandError) {
    let model = saved.model
    guard model.observationLayout == trajectory.layout else {
      throw .layout(path: path, trajectory.layout, model: model.kind)
    }
    if let h = stepSize, abs(h - model.stepSize) > 1e-6 * model.stepSize {
      throw .data(
        path: path, .stepSizeMismatch(trajectory: 0, expected: model.stepSize, actual: h))
    }
    let n = model.configurationDimension
    if trajectory.dimension != n {
      throw .data(
        path: path,
        .dimensionMismatch(
          name: "q columns (the model in '\(saved.path)' has dimension \(n))", expected: n,
          actual: trajectory.dimension))
    }
  }
}
