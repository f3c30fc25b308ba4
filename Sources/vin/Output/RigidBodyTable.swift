import Plotting
import VINKit

/// The trajectory of a rigid body on SO(3): columns
/// `t, R11, R12, R13, R21, R22, R23, R31, R32, R33, w1, w2, w3, energy` with the attitude R
/// row by row and the body angular velocity `w = Ω = J⁻¹Π`.
struct RigidBodyTable: TrajectoryTable {
  /// `t_k`.
  var times: [Double]
  /// `R_k`.
  var attitudes: [SO3]
  /// `Ω_k`.
  var angularVelocities: [Vector3]
  /// `E(R_k, Π_k)`, computed before any noise is added.
  var energies: [Double]
  /// What ``energies`` are: the system's (`vin simulate`) or a learned model's.
  var energyColumn = EnergyColumn.system

  var header: [String] { RowLayout.rigidBody.header(energy: energyColumn) }

  var count: Int { times.count }

  func row(_ index: Int) -> [Double] {
    let w = angularVelocities[index]
    return [times[index]] + attitudes[index].matrix.entries + [w.x, w.y, w.z, energies[index]]
  }

  func figure(title: String, subtitle: String) -> Figure {
    let components = ["Ω₁", "Ω₂", "Ω₃"].enumerated().map { i, name in
      Series(name: name, x: times, y: angularVelocities.map { $0[i] })
    }
    return Figure(
      title: title, subtitle: subtitle,
      panels: [
        Panel(
          title: "Body angular velocity", xLabel: "time t", yLabel: "Ω (rad per unit time)",
          series: components),
        EnergyPanel.make(times: times, energies: energies),
      ])
  }
}
