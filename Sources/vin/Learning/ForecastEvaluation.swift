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
    let model = saved.model
    let n = model.configurationDimension
    let observed = truth.trajectory
    guard model.kind.observationLayout == observed.layout else {
      throw .layout(path: truth.path, observed.layout, model: model.kind)
    }
    if let h = truth.stepSize, abs(h - model.stepSize) > 1e-6 * model.stepSize {
      throw .data(
        path: truth.path, .stepSizeMismatch(trajectory: 0, expected: model.stepSize, actual: h))
    }
    if let rigidBody = model as? any RigidBodyRolloutModel, let attitudes = observed.attitudes,
      let angularVelocities = observed.angularVelocities
    {
      let forecast: SO3Forecast
      do {
        forecast = try rigidBody.forecast(
          attitude: attitudes[0], angularVelocity: angularVelocities[0], steps: observed.count - 1)
      } catch {
        throw .forecast(error)
      }
      let distances = zip(forecast.attitudes, attitudes).map { predicted, r in
        (predicted.inverse() * r).log().norm
      }
      times = observed.times
      attitudeErrors = distances
      squaredErrors = distances.indices.map { k in
        let dw = forecast.angularVelocities[k] - angularVelocities[k]
        return distances[k] * distances[k] + dw.dot(dw)
      }
      if let k = squaredErrors.firstIndex(where: { !$0.isFinite }) {
        throw .nonFiniteError(
          truthPath: truth.path, modelPath: saved.path, time: times[k], value: squaredErrors[k])
      }
      hasEnergy = true
      energies = forecast.energies
      energyDrift = EnergyDrift(times: times, values: forecast.energies)
      return
    }
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
    if let k = squaredErrors.firstIndex(where: { !$0.isFinite }) {
      throw .nonFiniteError(
        truthPath: truth.path, modelPath: saved.path, time: times[k], value: squaredErrors[k])
    }
    attitudeErrors = nil
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
    if let attitudeErrors {
      let mean =
        steps > 0 ? attitudeErrors.dropFirst().reduce(0, +) / Double(steps) : 0
      text +=
        " (|log(R̂ᵀR)|² + |Ω̂ − Ω|²)\nmean geodesic attitude error \(mean) rad over \(steps) steps"
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
}
