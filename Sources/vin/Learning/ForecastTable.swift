import Plotting
import VINKit

/// A forecast as the rows of `vin simulate`, the energy column being the learned model's:
/// `t, q1…qn, v1…vn, learned_energy`. Baselines (ResNet, feed-forward) have no energy: their column holds `nan`
/// so the layout stays the same, and their plot has no energy panel.
struct ForecastTable: TrajectoryTable {
  var coordinates: CoordinateTable
  /// Whether the model has an energy.
  var hasEnergy: Bool

  init(_ forecast: Forecast) {
    let n = forecast.positions.first?.count ?? 0
    coordinates = CoordinateTable(
      dimension: n, times: forecast.times, positions: forecast.positions.flatMap { $0 },
      velocities: forecast.velocities.flatMap { $0 },
      energies: forecast.energies ?? Array(repeating: .nan, count: forecast.times.count),
      energyColumn: .learned)
    hasEnergy = forecast.energies != nil
  }

  var header: [String] { coordinates.header }
  var count: Int { coordinates.count }
  func row(_ index: Int) -> [Double] { coordinates.row(index) }

  func figure(title: String, subtitle: String) -> Figure {
    var figure = coordinates.figure(title: title, subtitle: subtitle)
    if !hasEnergy { figure.panels.removeLast() }
    return figure
  }
}

extension RigidBodyTable {
  /// A VIN-SO(3) forecast in the SO(3) layout of `vin simulate`, the energy column being the
  /// learned model's (`learned_energy`).
  init(_ forecast: SO3Forecast) {
    times = forecast.times
    attitudes = forecast.attitudes
    angularVelocities = forecast.angularVelocities
    energies = forecast.energies
    energyColumn = .learned
  }
}
