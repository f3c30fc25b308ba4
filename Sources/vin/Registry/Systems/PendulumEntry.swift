import Frames
import VINKit

extension SystemEntry {
  /// The planar pendulum (``Pendulum``): θ on R with Störmer–Verlet and the baselines, on SO(2)
  /// with the LGVI (the angle is unwrapped either way).
  static let pendulum = SystemEntry(
    name: "pendulum",
    configuration: "an angle θ from the downward vertical (R, or SO(2) with lgvi)",
    lagrangian: "½ m l² θ̇² + m g l cos θ",
    parameters: [
      ParameterSpec(name: "m", defaultValue: 1, meaning: "mass (kg)"),
      ParameterSpec(name: "l", defaultValue: 1, meaning: "rod length (m)"),
      ParameterSpec(name: "g", defaultValue: 9.81, meaning: "gravitational acceleration (m/s²)"),
      ParameterSpec(
        name: "damping", defaultValue: 0, meaning: "viscous damping at the pivot (N m s)"),
    ],
    inputs: .inputs(["torque at the pivot (N m)"]),
    dimension: 1, defaultPosition: [1.0], defaultVelocity: [0],
    integrators: [
      IntegratorEntry(StormerVerlet<Pendulum>.self, makePendulum),
      IntegratorEntry(VariationalMidpoint<Pendulum>.self, makePendulum),
      IntegratorEntry(VariationalTrapezoidal<Pendulum>.self, makePendulum),
      IntegratorEntry(SO2LGVI<Pendulum>.self, makePendulum),
      IntegratorEntry(ExplicitEuler<Pendulum>.self, makePendulum),
      IntegratorEntry(ClassicalRK4<Pendulum>.self, makePendulum),
      IntegratorEntry(ReferenceSolver<Pendulum>.self, makePendulum),
    ],
    // The view scales with the rod, so the frames do not depend on l.
    drawing: { _ throws(FrameError) in try PendulumDrawing() }
  )

  private static func makePendulum(_ setup: SimulationSetup) throws(IntegrationError) -> Pendulum {
    try Pendulum(
      mass: setup.parameter("m"), length: setup.parameter("l"), gravity: setup.parameter("g"),
      damping: setup.parameter("damping"))
  }
}
