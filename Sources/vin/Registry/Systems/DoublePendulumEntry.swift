import Frames
import VINKit

extension SystemEntry {
  /// The planar double pendulum (``DoublePendulum``): its mass matrix depends on the angles, so
  /// the variational integrators are the implicit midpoint and trapezoidal rules.
  static let doublePendulum = SystemEntry(
    name: "double-pendulum",
    configuration: "angles (θ1, θ2) from the downward vertical (R², M depends on q)",
    lagrangian: "½ θ̇ᵀ M(θ) θ̇ + (m1 + m2) g l1 cos θ1 + m2 g l2 cos θ2",
    parameters: [
      ParameterSpec(name: "m1", defaultValue: 1, meaning: "inner mass (kg)"),
      ParameterSpec(name: "m2", defaultValue: 1, meaning: "outer mass (kg)"),
      ParameterSpec(name: "l1", defaultValue: 1, meaning: "inner rod length (m)"),
      ParameterSpec(name: "l2", defaultValue: 1, meaning: "outer rod length (m)"),
      ParameterSpec(name: "g", defaultValue: 9.81, meaning: "gravitational acceleration (m/s²)"),
      ParameterSpec(
        name: "damping", defaultValue: 0, meaning: "viscous friction of each joint (N m s)"),
    ],
    inputs: .inputs([
      "torque at the pivot, on the inner rod (N m)",
      "torque at the elbow, on the outer rod against the inner (N m)",
    ]),
    dimension: 2, defaultPosition: [0.5, 1.0], defaultVelocity: [0, 0],
    integrators: [
      IntegratorEntry(VariationalMidpoint<DoublePendulum>.self, makeDoublePendulum),
      IntegratorEntry(VariationalTrapezoidal<DoublePendulum>.self, makeDoublePendulum),
      IntegratorEntry(ExplicitEuler<DoublePendulum>.self, makeDoublePendulum),
      IntegratorEntry(ClassicalRK4<DoublePendulum>.self, makeDoublePendulum),
      IntegratorEntry(ReferenceSolver<DoublePendulum>.self, makeDoublePendulum),
    ],
    drawing: { setup throws(FrameError) in
      try PendulumDrawing(rodLengths: [setup.parameter("l1"), setup.parameter("l2")])
    }
  )

  private static func makeDoublePendulum(_ setup: SimulationSetup) throws(IntegrationError)
    -> DoublePendulum
  {
    try DoublePendulum(
      mass1: setup.parameter("m1"), mass2: setup.parameter("m2"),
      length1: setup.parameter("l1"), length2: setup.parameter("l2"),
      gravity: setup.parameter("g"), damping: setup.parameter("damping"))
  }
}
