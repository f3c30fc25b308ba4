import DiscreteMechanics
import Manifolds
import Testing

/// The observed order of every forced integrator on damped, driven, nonlinear problems, against
/// GSL's rk8pd at tolerance 1e-13 with the same forces, each hold interval of the input one
/// reference step: the global error at T = 1 over h = 1/16 … 1/128 (Euler 1/64 … 1/512) has the
/// log–log slope of the method's order within 0.1 (2 for the variational integrators, 4 for
/// RK4, 1 for Euler). The inputs are piecewise constant over holds of 1/8 (a multiple of every
/// h), with values that change from hold to hold, so that each step sees one input.
@Suite("Forced integrators: orders of convergence against rk8pd")
struct ForcedOrderTests {
  @Test("observed order = the method's order", arguments: ForcedOrderCase.all)
  func order(_ pair: ForcedOrderCase) throws {
    let steps = [1, 2, 4, 8].map { $0 * pair.coarsestSteps }
    let errors = try steps.map { try pair.globalError($0) }
    if pair.isAdaptive {
      #expect(errors.allSatisfy { $0 < 1e-9 }, "\(pair): errors \(errors)")
      return
    }
    let slope = try #require(
      ConvergenceOrder.fit(stepSizes: steps.map { 1 / Double($0) }, errors: errors))
    #expect(
      (slope - Double(pair.order)).magnitude < 0.1,
      "\(pair): slope \(slope), order \(pair.order), errors \(errors)")
  }

  @Test("every forced method is covered")
  func coverage() {
    let names = Set(ForcedOrderCase.all.map(\.method))
    #expect(names == ["verlet", "midpoint", "trapezoidal", "lgvi", "euler", "rk4", "rk8pd"])
    #expect(ForcedOrderCase.all.count == 22)
  }
}

/// A piecewise-constant input with m channels on holds of 1/8 over [0, 1]:
/// `u_i = amplitude sin(1.3 j + 0.7 i + 0.5)` on the hold j.
func testInputs(channels m: Int, amplitude: Double) throws -> ZeroOrderHold {
  let times = (0...8).map { Double($0) / 8 }
  let values = times.indices.map { j in
    (0..<m).map { i in amplitude * Double.sin(1.3 * Double(j) + 0.7 * Double(i) + 0.5) }
  }
  return try ZeroOrderHold(times: times, values: values)
}

/// A thrust of magnitude u along the tangent of the orbit, `(−q₂, q₁)/|q|`, and isotropic drag
/// c: a configuration-dependent input matrix, whose Newton term is the protocol's default
/// (central differences).
struct TangentialThrust: GeneralisedForce {
  var drag = 0.0
  var dimension: Int { 2 }
  var inputCount: Int { 1 }

  func inputForce(at q: [Double], input u: [Double], into force: inout [Double]) {
    let r = (q[0] * q[0] + q[1] * q[1]).squareRoot()
    force[0] = -u[0] * q[1] / r
    force[1] = u[0] * q[0] / r
  }

  func dissipation(at q: [Double], into matrix: inout Matrix) {
    matrix = .diagonal([drag, drag])
  }
}

/// One forced (integrator, system) pair with the global error of N steps to T = 1.
struct ForcedOrderCase: Sendable, CustomTestStringConvertible {
  let description: String
  let method: String
  let order: Int
  let isAdaptive: Bool
  let coarsestSteps: Int
  let globalError: @Sendable (_ steps: Int) throws -> Double

  var testDescription: String { description }

  /// A method on R^n against ``ReferenceSolver`` with the same forces.
  static func coordinates<Method: ForcedIntegrator & SendableMetatype>(
    _ method: Method.Type, on name: String, _ system: Method.System,
    forces: any GeneralisedForce, q0: [Double], v0: [Double], coarsestSteps: Int = 16
  ) throws -> Self
  where
    Method.State == PhaseState, Method.System: LagrangianSystem,
    Method.Forces == any GeneralisedForce
  {
    let start = try system.state(position: q0, velocity: v0)
    let inputs = try testInputs(channels: forces.inputCount, amplitude: 1.5)
    var reference = try ReferenceSolver(
      system: system, stepSize: 1.0 / 8, absoluteTolerance: 1e-13, relativeTolerance: 1e-13,
      forces: forces)
    let exact = try reference.integrate(from: start, steps: 8, inputs: inputs).states.last!
    let traits = Method.methodTraits
    return Self(
      description: "\(traits.name) on \(name)", method: traits.name, order: traits.order,
      isAdaptive: traits.isAdaptive, coarsestSteps: coarsestSteps
    ) { steps in
      var integrator = try Method(system: system, stepSize: 1 / Double(steps), forces: forces)
      let end = try integrator.integrate(from: start, steps: steps, inputs: inputs, stride: steps)
      return maxDifference(end.states.last!.flattened, exact.flattened)
    }
  }

  /// Every forced method on every system it applies to.
  static let all: [ForcedOrderCase] = {
    do {
      var cases: [ForcedOrderCase] = []
      func everyImplicitAndBaseline<S: LagrangianSystem>(
        _ name: String, _ system: S, _ forces: any GeneralisedForce, _ q0: [Double],
        _ v0: [Double]
      ) throws {
        cases.append(
          try .coordinates(
            VariationalMidpoint<S>.self, on: name, system, forces: forces, q0: q0, v0: v0))
        cases.append(
          try .coordinates(
            VariationalTrapezoidal<S>.self, on: name, system, forces: forces, q0: q0, v0: v0))
        cases.append(
          try .coordinates(
            ExplicitEuler<S>.self, on: name, system, forces: forces, q0: q0, v0: v0,
            coarsestSteps: 64))
        cases.append(
          try .coordinates(
            ClassicalRK4<S>.self, on: name, system, forces: forces, q0: q0, v0: v0))
        cases.append(
          try .coordinates(
            ReferenceSolver<S>.self, on: name, system, forces: forces, q0: q0, v0: v0))
      }
      let pendulum = try Pendulum(damping: 0.3)
      cases.append(
        try .coordinates(
          StormerVerlet<Pendulum>.self, on: "damped driven pendulum", pendulum,
          forces: pendulum.forces, q0: [1.2], v0: [0]))
      try everyImplicitAndBaseline(
        "damped driven pendulum", pendulum, pendulum.forces, [1.2], [0])
      cases.append(try .rotor(pendulum, angle: 1.2))
      let doublePendulum = try DoublePendulum(damping: 0.2)
      try everyImplicitAndBaseline(
        "damped driven double pendulum", doublePendulum, doublePendulum.forces, [0.5, 1.0],
        [0.3, -0.2])
      let cartPole = try CartPole(friction: 0.2, damping: 0.05)
      try everyImplicitAndBaseline(
        "damped driven cart-pole", cartPole, cartPole.forces, [0.1, 2.5], [0.5, -1])
      let thrust = TangentialThrust(drag: 0.1)
      for method in [
        try ForcedOrderCase.coordinates(
          StormerVerlet<Kepler>.self, on: "Kepler with thrust and drag", Kepler(),
          forces: thrust, q0: [0.7, 0], v0: [0, 1.4]),
        try .coordinates(
          VariationalMidpoint<Kepler>.self, on: "Kepler with thrust and drag", Kepler(),
          forces: thrust, q0: [0.7, 0], v0: [0, 1.4]),
        try .coordinates(
          VariationalTrapezoidal<Kepler>.self, on: "Kepler with thrust and drag", Kepler(),
          forces: thrust, q0: [0.7, 0], v0: [0, 1.4]),
      ] {
        cases.append(method)
      }
      let top = try HeavyTop(damping: 0.05)
      cases.append(try .rigidBody(SO3LGVI<HeavyTop>.self, top))
      cases.append(try .rigidBody(RigidBodyReferenceSolver<HeavyTop>.self, top))
      return cases
    } catch {
      Issue.record("building the cases failed: \(error)")
      return []
    }
  }()

  /// The forced LGVI on SO(2) against ``ReferenceSolver`` of the same pendulum on R.
  static func rotor(_ pendulum: Pendulum, angle: Double) throws -> Self {
    let forces = pendulum.forces
    let inputs = try testInputs(channels: 1, amplitude: 1.5)
    var reference = try ReferenceSolver(
      system: pendulum, stepSize: 1.0 / 8, absoluteTolerance: 1e-13, relativeTolerance: 1e-13,
      forces: forces)
    let exact = try reference.integrate(
      from: PhaseState(q: [angle], p: [0]), steps: 8, inputs: inputs
    ).states.last!
    return Self(
      description: "lgvi on damped driven pendulum (SO(2))", method: "lgvi", order: 2,
      isAdaptive: false, coarsestSteps: 16
    ) { steps in
      var integrator = try SO2LGVI(system: pendulum, stepSize: 1 / Double(steps), forces: forces)
      let end = try integrator.integrate(
        from: RotorState(angle: angle, momentum: 0), steps: steps, inputs: inputs, stride: steps
      ).states.last!
      return max((end.angle - exact.q[0]).magnitude, (end.momentum - exact.p[0]).magnitude)
    }
  }

  /// A method on SO(3) against ``RigidBodyReferenceSolver`` with the same torques.
  static func rigidBody<Method: ForcedIntegrator & SendableMetatype>(
    _ method: Method.Type, _ top: HeavyTop
  ) throws -> Self
  where
    Method.State == RigidBodyState, Method.System == HeavyTop,
    Method.Forces == any RigidBodyTorque
  {
    let forces = top.forces
    let start = try top.state(
      rotationVector: Vector3(0.5, 0, 0), angularVelocity: Vector3(0.5, -0.3, 3))
    let inputs = try testInputs(channels: 3, amplitude: 0.5)
    var reference = try RigidBodyReferenceSolver(
      system: top, stepSize: 1.0 / 8, absoluteTolerance: 1e-13, relativeTolerance: 1e-13,
      forces: forces)
    let exact = try reference.integrate(from: start, steps: 8, inputs: inputs).states.last!
    let traits = Method.methodTraits
    return Self(
      description: "\(traits.name) on damped driven heavy top", method: traits.name,
      order: traits.order, isAdaptive: traits.isAdaptive, coarsestSteps: 16
    ) { steps in
      var integrator = try Method(system: top, stepSize: 1 / Double(steps), forces: forces)
      let end = try integrator.integrate(from: start, steps: steps, inputs: inputs, stride: steps)
        .states.last!
      return maxDifference(
        end.attitude.matrix.entries + end.angularMomentum.components,
        exact.attitude.matrix.entries + exact.angularMomentum.components)
    }
  }
}
