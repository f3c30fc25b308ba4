import Foundation
import VINKit

/// The damped pendulum the data come from and the controllers act on: `Pendulum` (m = l = 1,
/// g = 9.81, damping b) with its pivot torque u, advanced over each sample interval h by GSL's
/// rk8pd (tolerances 1e-12) with u held, as a digital controller holds its output.
struct TruePendulum {
  let system: Pendulum
  private var solver: ReferenceSolver<Pendulum>

  /// - Throws: `IntegrationError` for a bad parameter or step size.
  init(damping: Double, stepSize: Double) throws {
    system = try Pendulum(mass: 1, length: 1, gravity: 9.81, damping: damping)
    solver = try ReferenceSolver(system: system, stepSize: stepSize, forces: system.forces)
  }

  /// The energy `E = ½ m l² q̇² − m g l cos q`: −mgl at rest at the bottom, +mgl at rest upright.
  func energy(angle q: Double, velocity v: Double) -> Double {
    0.5 * system.inertia * v * v - system.m * system.gravity * system.length * cos(q)
  }

  /// `(q, q̇)` one step of h after `(q, v)` under the torque `u` held over the step.
  /// - Throws: `IntegrationError` for a non-finite torque or a failed step.
  mutating func step(angle q: Double, velocity v: Double, torque u: Double) throws -> (
    q: Double, v: Double
  ) {
    var state = try system.state(position: [q], velocity: [v])
    try solver.holdInput([u])
    try solver.step(&state)
    return (state.q[0], state.p[0] / system.inertia)
  }

  /// The samples `(q_k, q̇_k)`, k = 0…K, of the motion from `(q0, v0)` under the torques
  /// `u_0, …, u_{K−1}` (u_k held over step k).
  /// - Throws: as ``step(angle:velocity:torque:)``.
  mutating func trajectory(from q0: Double, _ v0: Double, torques: [Double]) throws -> (
    q: [Double], v: [Double]
  ) {
    var (q, v) = ([q0], [v0])
    for u in torques {
      let next = try step(angle: q[q.count - 1], velocity: v[v.count - 1], torque: u)
      q.append(next.q)
      v.append(next.v)
    }
    return (q, v)
  }
}

/// The angle from the upright, `q − π` wrapped to [−π, π].
func angleFromUpright(_ q: Double) -> Double { remainder(q - .pi, 2 * .pi) }
