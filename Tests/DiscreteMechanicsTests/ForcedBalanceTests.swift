import DiscreteMechanics
import Foundation
import Manifolds
import Testing

/// The balances that the discrete Lagrange–d'Alembert principle makes exact or of the method's
/// order: forced Noether (to round-off), the energy against the work of the discrete forces
/// (O(h²)), dissipation that only takes energy, and the damped, driven oscillator against its
/// closed form.
@Suite("Forced integrators: momentum and energy balances")
struct ForcedBalanceTests {
  // MARK: Forced Noether

  /// A thrust that changes from step to step.
  static func thrust(atStep k: Int) -> [Double] { [0.4 * Double.sin(0.05 * Double(k))] }

  /// Kepler with a tangential thrust (and drag, which is rotation invariant too): the angular
  /// momentum changes each step by exactly the discrete torque impulse
  /// `f_d⁻ · ξ(q_k) + f_d⁺ · ξ(q_{k+1})`, for Verlet, midpoint and trapezoidal: to 2e-15 for the
  /// explicit Verlet (measured 4.4e-16), and to 1e-13 for the implicit methods, whose equation is
  /// solved for `q_{k+1}` to round-off, a residual of about `ε |M| |q| / h ≈ 1.5e-14` in p
  /// (measured 2.7e-14), while the thrust changes J by about 1 in all.
  @Test("Kepler with thrust: ΔJ = discrete torque impulse, to round-off", arguments: [0, 0.2])
  func keplerThrust(drag: Double) throws {
    let kepler = Kepler()
    let thrust = TangentialThrust(drag: drag)
    let start = try kepler.state(position: [0.7, 0], velocity: [0, 1.4])
    let angularMomentum = MomentumMap.rotation(plane: 0, 1)
    func check<Method: ForcedIntegrator>(
      _ integrator: Method, _ name: String, bound: Double,
      forces: (Method, PhaseState, PhaseState) throws -> DiscreteForces
    ) throws where Method.State == PhaseState {
      var integrator = integrator
      var state = start
      var (largest, impulse) = (0.0, 0.0)
      for k in 0..<300 {
        try integrator.holdInput(Self.thrust(atStep: k))
        let before = state
        try integrator.step(&state)
        let discrete = try forces(integrator, before, state)
        let residual = ForcedMomentumBalance.residual(
          of: angularMomentum, from: before, to: state, forces: discrete)
        largest = max(largest, residual.magnitude)
        impulse += (angularMomentum(state) - angularMomentum(before)).magnitude
      }
      #expect(largest < bound, "\(name): largest residual \(largest)")
      #expect(impulse > 0.1, "\(name): the thrust changed J by only \(impulse)")
    }
    let h = 0.01
    try check(
      try StormerVerlet(system: kepler, stepSize: h, forces: thrust), "verlet", bound: 2e-15
    ) { try $0.discreteForces(from: $1, to: $2) }
    try check(
      try VariationalMidpoint(system: kepler, stepSize: h, forces: thrust), "midpoint", bound: 1e-13
    ) { try $0.discreteForces(from: $1, to: $2) }
    try check(
      try VariationalTrapezoidal(system: kepler, stepSize: h, forces: thrust), "trapezoidal",
      bound: 1e-13
    ) { try $0.discreteForces(from: $1, to: $2) }
  }

  /// A damped free rigid body: `R_{k+1}(Π_{k+1} − f_d⁺) = R_k(Π_k + f_d⁻)`, so
  /// `|Π_{k+1} − f_d⁺| = |Π_k + f_d⁻|` to round-off, and |Π| decays; the damped, driven heavy top
  /// satisfies the spatial balance with its gravity moments.
  @Test("damped free body: |Π| decays as the discrete balance says; heavy top: spatial balance")
  func rigidBodyBalance() throws {
    let body = try FreeRigidBody(damping: 0.2)
    var lgvi = try SO3LGVI(system: body, stepSize: 0.05, forces: body.forces)
    var state = try body.state(
      rotationVector: Vector3(0.3, -0.2, 0.1), angularVelocity: Vector3(0.4, 1, 0.3))
    let initialNorm = state.angularMomentum.norm
    var (largest, spatial) = (0.0, 0.0)
    for _ in 0..<200 {
      let before = state
      try lgvi.step(&state)
      let forces = lgvi.discreteForces(from: before, to: state)
      let end = state.angularMomentum - Vector3(forces.end[0], forces.end[1], forces.end[2])
      let start =
        before.angularMomentum + Vector3(forces.start[0], forces.start[1], forces.start[2])
      largest = max(largest, (end.norm - start.norm).magnitude / start.norm)
      spatial = max(
        spatial,
        ForcedMomentumBalance.spatialResidual(
          of: body, from: before, to: state, stepSize: 0.05, forces: forces
        ).norm)
      #expect(state.angularMomentum.norm < before.angularMomentum.norm)
    }
    #expect(largest < 1e-14, "largest relative defect of the |Π| balance \(largest)")
    #expect(spatial < 1e-14, "largest spatial residual \(spatial)")
    #expect(state.angularMomentum.norm < 0.5 * initialNorm)

    let top = try HeavyTop(damping: 0.05)
    var topLGVI = try SO3LGVI(system: top, stepSize: 0.02, forces: top.forces)
    var topState = try top.state(
      rotationVector: Vector3(0.5, 0, 0), angularVelocity: Vector3(0.5, -0.3, 3))
    var topResidual = 0.0
    for k in 0..<200 {
      try topLGVI.holdInput([0.1 * Double.sin(0.1 * Double(k)), 0.05, -0.02])
      let before = topState
      try topLGVI.step(&topState)
      topResidual = max(
        topResidual,
        ForcedMomentumBalance.spatialResidual(
          of: top, from: before, to: topState, stepSize: 0.02,
          forces: topLGVI.discreteForces(from: before, to: topState)
        ).norm)
    }
    #expect(topResidual < 1e-14, "heavy top: largest spatial residual \(topResidual)")
  }

  // MARK: Energy

  /// A damped pendulum without input, from θ = 2.5: the energy decreases at every step for
  /// h = 0.001 (the dissipation `h b v²` per step dominates the O(h³) energy oscillation).
  @Test("energy decreases monotonically for a damped unforced system at small h")
  func monotoneEnergy() throws {
    let pendulum = try Pendulum(damping: 0.5)
    let h = 0.001
    let start = try pendulum.state(position: [2.5], velocity: [0])
    func check<Method: Integrator>(_ integrator: Method, _ name: String)
      throws where Method.State == PhaseState
    {
      var integrator = integrator
      var state = start
      var energy = pendulum.energy(state)
      for k in 0..<6000 {
        try integrator.step(&state)
        let next = pendulum.energy(state)
        guard next < energy else {
          Issue.record("\(name): E rose from \(energy) to \(next) at step \(k)")
          return
        }
        energy = next
      }
      #expect(energy < pendulum.energy(start) - 5, "\(name): E only fell to \(energy)")
    }
    try check(try StormerVerlet(system: pendulum, stepSize: h, forces: pendulum.forces), "verlet")
    try check(
      try VariationalMidpoint(system: pendulum, stepSize: h, forces: pendulum.forces), "midpoint")
    try check(
      try VariationalTrapezoidal(system: pendulum, stepSize: h, forces: pendulum.forces),
      "trapezoidal")
    var lgvi = try SO2LGVI(system: pendulum, stepSize: h, forces: pendulum.forces)
    var rotor = RotorState(angle: 2.5, momentum: 0)
    var energy = pendulum.energy(rotor)
    for _ in 0..<6000 {
      try lgvi.step(&rotor)
      #expect(pendulum.energy(rotor) < energy)
      energy = pendulum.energy(rotor)
    }
    let body = try FreeRigidBody(damping: 0.3)
    var bodyLGVI = try SO3LGVI(system: body, stepSize: h, forces: body.forces)
    var bodyState = try body.state(
      rotationVector: Vector3(0, 0, 0), angularVelocity: Vector3(0.05, 1, 0.05))
    var bodyEnergy = body.energy(bodyState)
    for _ in 0..<2000 {
      try bodyLGVI.step(&bodyState)
      #expect(body.energy(bodyState) < bodyEnergy)
      bodyEnergy = body.energy(bodyState)
    }
  }

  /// The accumulated residual of the energy balance `E_k − E_0 − Σ W_j` of a damped, driven
  /// pendulum (and heavy top) over T = 2 falls as h² (slope 2 ± 0.15 over h = 0.04 … 0.005;
  /// measured 2.004–2.010), and at h = 0.005 it is below 5e-4 of the work `Σ |W_k|` (measured
  /// 3e-5 to 2.6e-4: the size of the methods' unforced energy error); without input every
  /// step's work is ≤ 0.
  @Test("discrete energy balance: residual O(h²), damping work never positive")
  func energyBalance() throws {
    let pendulum = try Pendulum(damping: 0.4)
    let stepSizes = [0.04, 0.02, 0.01, 0.005]
    func input(_ t: Double) -> Double { 2 * Double.sin(3 * t) }
    func balance<Method: ForcedIntegrator>(
      _ make: (Double) throws -> Method, energy: (Method.State) -> Double, from start: Method.State,
      forces: (Method, Method.State, Method.State) throws -> DiscreteForces,
      input: (Double) -> [Double], _ name: String
    ) throws {
      var residuals: [Double] = []
      var totalWork = 0.0
      for h in stepSizes {
        var integrator = try make(h)
        var state = start
        var (energies, works) = ([energy(start)], [Double]())
        for k in 0..<Int((2 / h).rounded()) {
          try integrator.holdInput(input(Double(k) * h))
          let before = state
          try integrator.step(&state)
          energies.append(energy(state))
          works.append(try forces(integrator, before, state).work)
        }
        let balance = try #require(EnergyBalance(energies: energies, works: works))
        residuals.append(balance.maxAccumulatedResidual)
        totalWork = works.reduce(0) { $0 + $1.magnitude }
      }
      let slope = try #require(ConvergenceOrder.fit(stepSizes: stepSizes, errors: residuals))
      #expect((slope - 2).magnitude < 0.15, "\(name): slope \(slope), residuals \(residuals)")
      #expect(residuals.last! < 5e-4 * totalWork, "\(name): \(residuals) against \(totalWork)")
    }
    let start = try pendulum.state(position: [1.2], velocity: [0])
    let forces = pendulum.forces
    try balance(
      { try StormerVerlet(system: pendulum, stepSize: $0, forces: forces) },
      energy: pendulum.energy, from: start, forces: { try $0.discreteForces(from: $1, to: $2) },
      input: { [input($0)] }, "verlet")
    try balance(
      { try VariationalMidpoint(system: pendulum, stepSize: $0, forces: forces) },
      energy: pendulum.energy, from: start, forces: { try $0.discreteForces(from: $1, to: $2) },
      input: { [input($0)] }, "midpoint")
    try balance(
      { try VariationalTrapezoidal(system: pendulum, stepSize: $0, forces: forces) },
      energy: pendulum.energy, from: start, forces: { try $0.discreteForces(from: $1, to: $2) },
      input: { [input($0)] }, "trapezoidal")
    try balance(
      { try SO2LGVI(system: pendulum, stepSize: $0, forces: forces) },
      energy: pendulum.energy, from: RotorState(angle: 1.2, momentum: 0),
      forces: { $0.discreteForces(from: $1, to: $2) }, input: { [input($0)] }, "lgvi (SO(2))")
    let top = try HeavyTop(damping: 0.05)
    try balance(
      { try SO3LGVI(system: top, stepSize: $0, forces: top.forces) }, energy: top.energy,
      from: try top.state(
        rotationVector: Vector3(0.5, 0, 0), angularVelocity: Vector3(0.5, -0.3, 3)),
      forces: { $0.discreteForces(from: $1, to: $2) },
      input: { [0.2 * input($0), 0.1, -0.1 * input($0)] }, "lgvi (SO(3))")

    // Damping alone: every step's work is ≤ 0.
    var verlet = try StormerVerlet(system: pendulum, stepSize: 0.01, forces: forces)
    var state = start
    for _ in 0..<300 {
      let before = state
      try verlet.step(&state)
      #expect(try verlet.discreteForces(from: before, to: state).work <= 0)
    }
  }

  // MARK: Closed form

  /// `m ẍ + b ẋ + k x = u` with constant u: `x = u/k + e^{−γt}(A cos ω_d t + B sin ω_d t)`,
  /// `γ = b/(2m)`, `ω_d = √(k/m − γ²)`, `A = x₀ − u/k`, `B = (v₀ + γA)/ω_d`. Every forced method
  /// on R^n reaches it at T = 5 with its order (2, or 4 for RK4), errors in (x, p) at
  /// h = 0.01 below 2e-4 (measured 6.7e-5 to 1.1e-4), RK4's below 1e-8 (3.4e-9).
  @Test("damped, driven harmonic oscillator against its closed form")
  func dampedOscillator() throws {
    let (m, k, b, u) = (1.5, 4.0, 0.6, 0.8)
    let (x0, v0, time) = (1.0, -0.5, 5.0)
    let oscillator = try HarmonicOscillator(dimension: 1, mass: m, stiffness: k, damping: b)
    let gamma = b / (2 * m)
    let omega = (k / m - gamma * gamma).squareRoot()
    let a = x0 - u / k
    let c = (v0 + gamma * a) / omega
    let decay = Double.exp(-gamma * time)
    let (cosine, sine) = (Double.cos(omega * time), Double.sin(omega * time))
    let x = u / k + decay * (a * cosine + c * sine)
    let v = decay * ((c * omega - gamma * a) * cosine - (a * omega + gamma * c) * sine)
    let exact = [x, m * v]
    let start = try oscillator.state(position: [x0], velocity: [v0])
    let stepSizes = [0.04, 0.02, 0.01]
    func check<Method: ForcedIntegrator>(
      _ make: (Double) throws -> Method, order: Int, bound: Double, _ name: String
    ) throws where Method.State == PhaseState {
      var errors: [Double] = []
      for h in stepSizes {
        var integrator = try make(h)
        try integrator.holdInput([u])
        var state = start
        for _ in 0..<Int((time / h).rounded()) { try integrator.step(&state) }
        errors.append(maxDifference(state.q + state.p, exact))
      }
      let slope = try #require(ConvergenceOrder.fit(stepSizes: stepSizes, errors: errors))
      #expect((slope - Double(order)).magnitude < 0.1, "\(name): slope \(slope), \(errors)")
      #expect(errors.last! < bound, "\(name): errors \(errors)")
    }
    let forces = oscillator.forces
    try check(
      { try StormerVerlet(system: oscillator, stepSize: $0, forces: forces) }, order: 2,
      bound: 2e-4, "verlet")
    try check(
      { try VariationalMidpoint(system: oscillator, stepSize: $0, forces: forces) }, order: 2,
      bound: 2e-4, "midpoint")
    try check(
      { try VariationalTrapezoidal(system: oscillator, stepSize: $0, forces: forces) }, order: 2,
      bound: 2e-4, "trapezoidal")
    try check(
      { try ClassicalRK4(system: oscillator, stepSize: $0, forces: forces) }, order: 4,
      bound: 1e-8, "rk4")
  }

  // MARK: SO(2) and SO(3)

  /// A spin about the principal axis e_z with torque and damping about it is a planar rotation:
  /// the forced SO(3) LGVI then steps exactly the forced SO(2) LGVI of the rotor with J = J₃
  /// (both evaluate the damping at `(F − Fᵀ)^∨/(2h)`, which is `sin Δ/h` for a planar rotation).
  @Test("forced LGVI on SO(3) about a principal axis = forced LGVI on SO(2)")
  func planarRotation() throws {
    let damping = 0.7
    let body = try FreeRigidBody(damping: damping)
    var zAxis = Matrix.zeros(rows: 3, columns: 1)
    zAxis[2, 0] = 1
    let torque = try BodyActuatorsAndDamping(
      inputMatrix: zAxis, dissipation: Matrix3(diagonal: Vector3(repeating: damping)))
    var spatial = try SO3LGVI(system: body, stepSize: 0.05, forces: torque)
    let rotor = FreeRotor(inertia: 3)
    var planar = try SO2LGVI(
      system: rotor, stepSize: 0.05,
      forces: ActuatorsAndDamping(inputMatrix: .identity(1), damping: damping))
    var state = try body.state(rotationVector: .zero, angularVelocity: Vector3(0, 0, 4))
    var rotorState = RotorState(angle: 0, momentum: 12)
    var largest = 0.0
    for k in 0..<200 {
      let u = [3 * Double.sin(0.1 * Double(k))]
      try spatial.holdInput(u)
      try planar.holdInput(u)
      let (attitude, angle) = (state.attitude, rotorState.angle)
      try spatial.step(&state)
      try planar.step(&rotorState)
      let turn = (attitude.inverse() * state.attitude).log()
      largest = max(
        largest, (state.angularMomentum.z - rotorState.momentum).magnitude,
        (turn.z - (rotorState.angle - angle)).magnitude, turn.x.magnitude, turn.y.magnitude)
      #expect(state.angularMomentum.x == 0 && state.angularMomentum.y == 0)
    }
    #expect(largest < 1e-12, "largest difference \(largest)")
    #expect(rotorState.momentum < 6, "the damping took momentum: \(rotorState.momentum)")
  }
}

/// A free planar rotor of inertia J (no potential).
struct FreeRotor: PlanarRotor {
  let inertia: Double
  func potential(atAngle angle: Double) -> Double { 0 }
  func potentialDerivative(atAngle angle: Double) -> Double { 0 }
}
