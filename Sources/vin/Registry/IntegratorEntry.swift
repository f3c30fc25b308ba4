import VINKit

/// One integrator a built-in system supports: its traits (name, order, symplectic, …) and how to
/// run it on a ``SimulationSetup``, sending the rows that `vin` writes and plots to a
/// ``TrajectoryStream`` one step at a time.
///
/// An entry is made from the integrator's type alone, by one generic initialiser per kind of
/// state (R^n, SO(2), SO(3), which fixes the columns written), so a system lists its integrators
/// as `[IntegratorEntry(StormerVerlet<Pendulum>.self, make), …]` with `make` building the system
/// from the setup's parameters, and the name and the listing of `vin systems` are the type's
/// ``SystemIntegrator/methodTraits``.
///
/// Every method is a ``ForcedIntegrator``: it is made with the system's actuators and damping
/// (``BuiltInForces``, ``BuiltInTorques``) when the run has a `--control` or the system is
/// damped, and without forces otherwise (so an undamped run without `--control` is exactly the
/// unforced method's).
struct IntegratorEntry: Sendable {
  /// Builds a system of type `S` from the parameters of a setup.
  typealias SystemBuilder<S> = @Sendable (SimulationSetup) throws(IntegrationError) -> S

  /// The method's traits, from its type.
  let traits: IntegratorTraits
  /// Integrates from the setup's initial condition for its number of steps.
  ///
  /// Throws ``IntegrationError`` for a bad setup or a failed step, and the stream's
  /// ``CommandError``s.
  let simulate: @Sendable (SimulationSetup, TrajectoryStream) throws -> Void

  /// The name on the command line.
  var name: String { traits.name }

  /// A method on R^n, state (q, p): rows `t, q, v = M(q)⁻¹p, E[, u]`.
  init<Method: ForcedIntegrator & SendableMetatype>(
    _ method: Method.Type, _ build: @escaping SystemBuilder<Method.System>
  )
  where
    Method.State == PhaseState, Method.System: LagrangianSystem & BuiltInForces,
    Method.Forces == any GeneralisedForce
  {
    traits = Method.methodTraits
    simulate = { setup, stream in
      let system = try build(setup)
      var integrator: Method = try Self.make(
        system, forces: system.builtInForces, damped: system.isDamped, setup: setup)
      try Self.coordinateRows(&integrator, system: system, setup: setup, into: stream)
    }
  }

  /// A method for a planar rotor on SO(2), state (θ, π): the angle is written unwrapped as `q1`,
  /// `θ̇ = π/J` as `v1`.
  init<Method: ForcedIntegrator & SendableMetatype>(
    _ method: Method.Type, _ build: @escaping SystemBuilder<Method.System>
  )
  where
    Method.State == RotorState, Method.System: PlanarRotor & BuiltInForces,
    Method.Forces == any GeneralisedForce
  {
    traits = Method.methodTraits
    simulate = { setup, stream in
      let rotor = try build(setup)
      var integrator: Method = try Self.make(
        rotor, forces: rotor.builtInForces, damped: rotor.isDamped, setup: setup)
      try Self.rotorRows(&integrator, rotor: rotor, setup: setup, into: stream)
    }
  }

  /// A method for a rigid body on SO(3), state (R, Π): rows `t, R, Ω, E[, u]`.
  init<Method: ForcedIntegrator & SendableMetatype>(
    _ method: Method.Type, _ build: @escaping SystemBuilder<Method.System>
  )
  where
    Method.State == RigidBodyState, Method.System: RigidBodySystem & BuiltInTorques,
    Method.Forces == any RigidBodyTorque
  {
    traits = Method.methodTraits
    simulate = { setup, stream in
      let body = try build(setup)
      var integrator: Method = try Self.make(
        body, forces: body.builtInTorques, damped: body.isDamped, setup: setup)
      try Self.rigidBodyRows(&integrator, system: body, setup: setup, into: stream)
    }
  }

  /// The method with the system's forces when the run has a control or the system is damped,
  /// else without forces.
  private static func make<Method: ForcedIntegrator>(
    _ system: Method.System, forces: Method.Forces?, damped: Bool, setup: SimulationSetup
  ) throws(IntegrationError) -> Method {
    if let forces, setup.control != nil || damped {
      return try Method(system: system, stepSize: setup.stepSize, forces: forces)
    }
    return try Method(system: system, stepSize: setup.stepSize)
  }

  // MARK: Rows

  /// The rows `t, q, v = M(q)⁻¹p, E` of `system` stepped by `integrator` from the setup's
  /// (q0, v0).
  ///
  /// - Throws: the integrator's errors, or ``IntegrationError/singularMassMatrix(step:)`` when
  ///   `M(q_k)` cannot be inverted to recover `v_k`.
  private static func coordinateRows<Method: ForcedIntegrator, System: LagrangianSystem>(
    _ integrator: inout Method, system: System, setup: SimulationSetup,
    into stream: TrajectoryStream
  ) throws where Method.State == PhaseState {
    let n = system.dimension
    try run(
      &integrator, from: try system.state(position: setup.position, velocity: setup.velocity),
      setup: setup, layout: .coordinates(dimension: n), into: stream
    ) { state, k, row throws(IntegrationError) in
      guard let v = system.velocity(state) else { throw .singularMassMatrix(step: k) }
      for i in 0..<n {
        row[1 + i] = state.q[i]
        row[1 + n + i] = v[i]
      }
      row[1 + 2 * n] = system.energy(state)
    }
  }

  /// The rows `t, θ (unwrapped), θ̇ = π/J, E` of a planar rotor stepped on SO(2).
  private static func rotorRows<Method: ForcedIntegrator, Rotor: PlanarRotor>(
    _ integrator: inout Method, rotor: Rotor, setup: SimulationSetup,
    into stream: TrajectoryStream
  ) throws where Method.State == RotorState {
    try IntegrationError.check(setup.position, name: "q0", dimension: 1)
    try IntegrationError.check(setup.velocity, name: "v0", dimension: 1)
    let initial = try rotor.state(angle: setup.position[0], angularVelocity: setup.velocity[0])
    try run(
      &integrator, from: initial, setup: setup, layout: .coordinates(dimension: 1), into: stream
    ) {
      state, _, row throws(IntegrationError) in
      row[1] = state.angle
      row[2] = rotor.angularVelocity(of: state)
      row[3] = rotor.energy(state)
    }
  }

  /// The rows `t, R (row by row), w = Ω = J⁻¹Π, E` of a rigid body from the rotation vector q0
  /// and the body angular velocity v0 of the setup.
  private static func rigidBodyRows<Method: ForcedIntegrator, System: RigidBodySystem>(
    _ integrator: inout Method, system: System, setup: SimulationSetup,
    into stream: TrajectoryStream
  ) throws where Method.State == RigidBodyState {
    let (rotationVector, angularVelocity) = try setup.rigidBodyInitialCondition()
    let initial = try system.state(rotationVector: rotationVector, angularVelocity: angularVelocity)
    try run(&integrator, from: initial, setup: setup, layout: .rigidBody, into: stream) {
      state, _, row throws(IntegrationError) in
      let r = state.attitude.matrix
      for i in 0..<3 {
        for j in 0..<3 { row[1 + 3 * i + j] = r[i, j] }
      }
      let w = system.angularVelocity(of: state)
      row[10] = w.x
      row[11] = w.y
      row[12] = w.z
      row[13] = system.energy(state)
    }
  }

  /// Steps `integrator` `setup.steps` times from `initial`, sending row k (`t_k = k h`, then
  /// the columns `fill` writes from state k, then the input u_k held over step k when the run
  /// has a control) to `stream` after each step.
  private static func run<Method: ForcedIntegrator>(
    _ integrator: inout Method, from initial: Method.State, setup: SimulationSetup,
    layout: RowLayout, into stream: TrajectoryStream,
    fill: (Method.State, Int, inout [Double]) throws(IntegrationError) -> Void
  ) throws {
    let inputs = setup.control == nil ? 0 : integrator.inputCount
    let layout = layout.withInputs(inputs)
    var control = setup.control?.sequence(inputs: inputs, stepSize: setup.stepSize)
    try stream.begin(layout)
    var row = [Double](repeating: 0, count: layout.columns)
    var state = initial
    var input = control?.input(atStep: 0) ?? []
    func record(_ k: Int) throws {
      try fill(state, k, &row)
      for i in input.indices { row[layout.energyColumn + 1 + i] = input[i] }
      try stream.append(&row)
    }
    try record(0)
    for k in 0..<setup.steps {
      do throws(IntegrationError) {
        if control != nil { try integrator.holdInput(input) }
        try integrator.step(&state)
      } catch {
        throw error.at(step: k)
      }
      row[0] = Double(k + 1) * setup.stepSize
      input = control?.input(atStep: k + 1) ?? []
      try record(k + 1)
    }
  }
}
