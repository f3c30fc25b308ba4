import Plotting
import VINKit

/// The trajectory of a system on R^n or SO(2): columns `t, q1…qn, v1…vn, energy`, with the
/// velocity `v = M(q)⁻¹ p` recovered from the discrete momentum and angles unwrapped.
struct CoordinateTable: TrajectoryTable {
  /// The number n of coordinates.
  let dimension: Int
  /// `t_k`.
  var times: [Double]
  /// `q_k`, row-major (n per row).
  var positions: [Double]
  /// `v_k`, row-major (n per row).
  var velocities: [Double]
  /// `E(q_k, p_k)`, computed before any noise is added.
  var energies: [Double]
  /// What ``energies`` are: the system's (`vin simulate`) or a learned model's.
  var energyColumn = EnergyColumn.system

  var header: [String] { RowLayout.coordinates(dimension: dimension).header(energy: energyColumn) }

  var count: Int { times.count }

  func row(_ index: Int) -> [Double] {
    let range = (index * dimension)..<((index + 1) * dimension)
    return [times[index]] + positions[range] + velocities[range] + [energies[index]]
  }

  func figure(title: String, subtitle: String) -> Figure {
    let coordinates = (0..<dimension).map { i in
      Series(
        name: "q\(i + 1)", x: times,
        y: stride(from: i, to: positions.count, by: dimension).map { positions[$0] })
    }
    return Figure(
      title: title, subtitle: subtitle,
      panels: [
        Panel(title: "Coordinates", xLabel: "time t", yLabel: "q", series: coordinates),
        EnergyPanel.make(times: times, energies: energies),
      ])
  }
}
