import VINKit

/// One integrator a built-in system supports: its name and how to run it on a
/// ``SimulationSetup``, producing the table of rows that `vin` writes and plots.
///
/// Entries are made by the factories below, one per method and kind of state, so a system
/// lists its integrators as `[.verlet(make), .rk4(make), …]` with `make` building the system
/// from the setup's parameters.
struct IntegratorEntry: Sendable {
  /// Builds a system of type `S` from the parameters of a setup.
  typealias SystemBuilder<S> = @Sendable (SimulationSetup) throws(IntegrationError) -> S

  /// The name on the command line.
  let name: String
  /// Integrates from the setup's initial condition for its number of steps.
  let simulate: @Sendable (SimulationSetup) throws(IntegrationError) -> any TrajectoryTable

  // MARK: Systems on R^n, state (q, p)

  /// ``StormerVerlet``.
  static func verlet<S: ConstantMassSystem>(_ build: @escaping SystemBuilder<S>) -> Self {
    Self(name: "verlet") { setup throws(IntegrationError) in
      let system = try build(setup)
      var integrator = try StormerVerlet(system: system, stepSize: setup.stepSize)
      return try CoordinateTable(integrating: &integrator, system: system, setup: setup)
    }
  }

  /// ``VariationalMidpoint`` (implicit; any mass matrix M(q)).
  static func midpoint<S: LagrangianSystem>(_ build: @escaping SystemBuilder<S>) -> Self {
    Self(name: "midpoint") { setup throws(IntegrationError) in
      let system = try build(setup)
      var integrator = try VariationalMidpoint(system: system, stepSize: setup.stepSize)
      return try CoordinateTable(integrating: &integrator, system: system, setup: setup)
    }
  }

  /// ``VariationalTrapezoidal`` (implicit; any mass matrix M(q)).
  static func trapezoidal<S: LagrangianSystem>(_ build: @escaping SystemBuilder<S>) -> Self {
    Self(name: "trapezoidal") { setup throws(IntegrationError) in
      let system = try build(setup)
      var integrator = try VariationalTrapezoidal(system: system, stepSize: setup.stepSize)
      return try CoordinateTable(integrating: &integrator, system: system, setup: setup)
    }
  }

  /// ``ExplicitRungeKutta/explicitEuler(system:stepSize:)``.
  static func euler<S: LagrangianSystem>(_ build: @escaping SystemBuilder<S>) -> Self {
    Self(name: "euler") { setup throws(IntegrationError) in
      let system = try build(setup)
      var integrator = try ExplicitRungeKutta.explicitEuler(
        system: system, stepSize: setup.stepSize)
      return try CoordinateTable(integrating: &integrator, system: system, setup: setup)
    }
  }

  /// ``ExplicitRungeKutta/classicalRK4(system:stepSize:)``.
  static func rk4<S: LagrangianSystem>(_ build: @escaping SystemBuilder<S>) -> Self {
    Self(name: "rk4") { setup throws(IntegrationError) in
      let system = try build(setup)
      var integrator = try ExplicitRungeKutta.classicalRK4(system: system, stepSize: setup.stepSize)
      return try CoordinateTable(integrating: &integrator, system: system, setup: setup)
    }
  }

  /// ``ReferenceSolver`` (GSL rk8pd).
  static func rk8pd<S: LagrangianSystem>(_ build: @escaping SystemBuilder<S>) -> Self {
    Self(name: "rk8pd") { setup throws(IntegrationError) in
      let system = try build(setup)
      var integrator = try ReferenceSolver(system: system, stepSize: setup.stepSize)
      return try CoordinateTable(integrating: &integrator, system: system, setup: setup)
    }
  }

  // MARK: Planar rotors on SO(2), state (θ, π)

  /// ``SO2LGVI``; the angle is written unwrapped as `q1`, `θ̇ = π/J` as `v1`.
  static func lgvi<S: PlanarRotor>(_ build: @escaping SystemBuilder<S>) -> Self {
    Self(name: "lgvi") { setup throws(IntegrationError) in
      let rotor = try build(setup)
      var integrator = try SO2LGVI(system: rotor, stepSize: setup.stepSize)
      return try CoordinateTable(integrating: &integrator, rotor: rotor, setup: setup)
    }
  }

  // MARK: Rigid bodies on SO(3), state (R, Π)

  /// ``SO3LGVI``.
  static func lgvi<S: RigidBodySystem>(_ build: @escaping SystemBuilder<S>) -> Self {
    Self(name: "lgvi") { setup throws(IntegrationError) in
      let body = try build(setup)
      var integrator = try SO3LGVI(system: body, stepSize: setup.stepSize)
      return try RigidBodyTable(integrating: &integrator, system: body, setup: setup)
    }
  }

  /// ``RigidBodyReferenceSolver`` (GSL rk8pd on R¹²).
  static func rk8pd<S: RigidBodySystem>(_ build: @escaping SystemBuilder<S>) -> Self {
    Self(name: "rk8pd") { setup throws(IntegrationError) in
      let body = try build(setup)
      var integrator = try RigidBodyReferenceSolver(system: body, stepSize: setup.stepSize)
      return try RigidBodyTable(integrating: &integrator, system: body, setup: setup)
    }
  }
}
