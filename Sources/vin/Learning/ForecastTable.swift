import Plotting
import VINKit

/// A forecast as the rows of `vin simulate` in the forecast's state space, the energy column
/// being the learned model's: `t, q1…qn, v1…vn, learned_energy` for coordinates,
/// `t, R11…R33, w1, w2, w3, learned_energy` for a rigid body. Baselines (ResNet, feed-forward)
/// have no energy: their column holds `nan` so the layout stays the same, and their plot has no
/// energy panel.
struct ForecastTable: TrajectoryTable {
  /// The rows in the layout of `vin simulate`.
  var table: any TrajectoryTable
  /// Whether the model has an energy.
  var hasEnergy: Bool
  /// The inputs `u_k` written after the energy, row k's the input held over step k (the last
  /// row's the signal's value at the final time); none for a model without inputs.
  var inputs: [[Double]] = []

  /// The forecast's rows, with the inputs `inputs` (one per row) as columns `u1…um`.
  init(_ forecast: ForecastTrajectory, inputs: [[Double]] = []) {
    self.inputs = inputs
    let energies = forecast.energies ?? Array(repeating: .nan, count: forecast.times.count)
    switch forecast {
    case .coordinates(let forecast):
      table = CoordinateTable(
        dimension: forecast.positions.first?.count ?? 0, times: forecast.times,
        positions: forecast.positions.flatMap { $0 },
        velocities: forecast.velocities.flatMap { $0 }, energies: energies,
        energyColumn: .learned)
    case .rigidBody(let forecast):
      table = RigidBodyTable(
        times: forecast.times, attitudes: forecast.attitudes,
        angularVelocities: forecast.angularVelocities, energies: energies,
        energyColumn: .learned)
    }
    hasEnergy = forecast.energies != nil
  }

  var header: [String] {
    table.header + (0..<(inputs.first?.count ?? 0)).map { "u\($0 + 1)" }
  }
  var count: Int { table.count }
  func row(_ index: Int) -> [Double] {
    inputs.isEmpty ? table.row(index) : table.row(index) + inputs[index]
  }

  func figure(title: String, subtitle: String) -> Figure {
    var figure = table.figure(title: title, subtitle: subtitle)
    if !hasEnergy { figure.panels.removeLast() }
    return figure
  }
}
