import DiscreteMechanics
import Manifolds
import Testing

/// What every integrator's ``IntegratorTraits`` claim, checked on every (integrator, system) pair
/// `vin` offers, with the laws written once (as manif's `common_tester.h` does for its groups):
///
/// - **order**: the global error at a fixed time over step sizes halved three times, against
///   GSL's rk8pd at tolerance 1e-13, has the log–log slope ``IntegratorTraits/order`` within 0.1
///   (``ConvergenceOrder/fit(stepSizes:errors:)``), on nonlinear problems (and the linear
///   oscillator, which `vin` offers too); an adaptive method's
///   error is instead at its tolerance for every step size;
/// - **symmetric**: N steps, momentum reversed, N steps, reversed back return to the start to
///   round-off iff the method is symmetric (``Reversibility``);
/// - **symplectic**: the one-step map's defect `‖DΦᵀΩDΦ − Ω‖` is at the finite-difference floor
///   iff the method is symplectic (``SymplecticityDefect``), in canonical coordinates: the state
///   itself on R^n and SO(2), the cotangent-lifted exponential charts on T*SO(3)
///   (`SymplecticityDefect.of(_:at:delta:)` on `RigidBodyState`).
///
/// An adaptive method approximates the exact flow, which is symplectic and symmetric, to its
/// tolerance; its "not symplectic" and "not symmetric" are then not observable above that
/// tolerance, so only the positive claims and the tolerance are checked for it.
@Suite("Integrator traits hold on every (integrator, system) pair")
struct IntegratorTraitsBattery {
  // The bounds sit between the two populations measured on these pairs (h = 0.1, debug build,
  // x86-64): round trips of the symmetric methods ≤ 1.1e-14, of RK4 ≥ 3.3e-7 (Hénon–Heiles),
  // explicit Euler ≥ 0.19; symplecticity defects of the symplectic methods ≤ 4e-11 (the
  // five-point finite-difference floor; LGVI on SO(3) ≤ 2e-11), of RK4 ≥ 6.2e-7 (Hénon–Heiles).

  /// A symmetric method's round trip (Newton iterated to round-off) is within this of the start.
  static let reversibleBound = 1e-12
  /// A non-symmetric, non-adaptive method's round trip is at least this far from the start.
  static let irreversibleFloor = 1e-8
  /// The finite-difference floor of ``SymplecticityDefect`` (five-point, δ = 1e-4).
  static let symplecticFloor = 1e-9
  /// A non-symplectic, non-adaptive map's defect is at least this.
  static let nonSymplecticFloor = 1e-7
  /// The error bound of an adaptive method (tolerance 1e-12) against the reference at 1e-13, and
  /// of its round trip.
  static let adaptiveBound = 1e-9

  @Test("observed order of convergence = traits.order", arguments: IntegratorCase.all)
  func order(_ pair: IntegratorCase) throws {
    let steps = [1, 2, 4, 8].map { $0 * pair.coarsestSteps }
    let errors = try steps.map { try pair.globalError($0) }
    let stepSizes = steps.map { pair.finalTime / Double($0) }
    if pair.traits.isAdaptive {
      #expect(errors.allSatisfy { $0 < Self.adaptiveBound }, "\(pair): errors \(errors)")
      return
    }
    let slope = try #require(ConvergenceOrder.fit(stepSizes: stepSizes, errors: errors))
    #expect(
      (slope - Double(pair.traits.order)).magnitude < 0.1,
      "\(pair): slope \(slope), claimed order \(pair.traits.order), errors \(errors)")
  }

  @Test("time-reversible iff traits.isSymmetric", arguments: IntegratorCase.all)
  func reversibility(_ pair: IntegratorCase) throws {
    let distance = try pair.roundTripDistance()
    if pair.traits.isSymmetric {
      #expect(distance < Self.reversibleBound, "\(pair): round trip off by \(distance)")
    } else if pair.traits.isAdaptive {
      #expect(distance < Self.adaptiveBound, "\(pair): round trip off by \(distance)")
    } else {
      #expect(distance > Self.irreversibleFloor, "\(pair): round trip off by only \(distance)")
    }
  }

  @Test("symplecticity defect at the floor iff traits.isSymplectic", arguments: IntegratorCase.all)
  func symplecticity(_ pair: IntegratorCase) throws {
    let defect = try pair.symplecticityDefect()
    if pair.traits.isSymplectic {
      #expect(defect < Self.symplecticFloor, "\(pair): defect \(defect)")
    } else if !pair.traits.isAdaptive {
      #expect(defect > Self.nonSymplecticFloor, "\(pair): defect only \(defect)")
    }
  }

  @Test("every pair is covered: the traits of each integrator type, each applicable system")
  func coverage() {
    let names = Set(IntegratorCase.all.map(\.traits.name))
    #expect(names == ["verlet", "midpoint", "trapezoidal", "lgvi", "euler", "rk4", "rk8pd"])
    #expect(IntegratorCase.all.count == 39)
    #expect(Set(IntegratorCase.all.map(\.description)).count == IntegratorCase.all.count)
  }
}

/// One (integrator, system) pair, reduced to the quantities the laws need.
struct IntegratorCase: Sendable, CustomStringConvertible, CustomTestStringConvertible {
  /// `integrator on system`.
  let description: String
  let traits: IntegratorTraits
  /// The time T the global error is measured at.
  let finalTime: Double
  /// The smallest number of steps to T of the order law (then ×2, ×4, ×8).
  let coarsestSteps: Int
  /// The max-norm distance at T between N steps of the method and the reference.
  let globalError: @Sendable (_ steps: Int) throws -> Double
  /// The distance from the start of 40 steps forward, 40 reversed (step T/10).
  let roundTripDistance: @Sendable () throws -> Double
  /// The symplecticity defect of 10 steps (step T/10) in canonical coordinates.
  let symplecticityDefect: @Sendable () throws -> Double

  var testDescription: String { description }

  /// The shared construction: `distance` and `reversed` on the state, the reference at T, and
  /// the symplecticity defect of a map of states.
  init<Method: SystemIntegrator & SendableMetatype>(
    _ method: Method.Type, on name: String, _ system: Method.System, from start: Method.State,
    finalTime: Double, coarsestSteps: Int,
    reference: @escaping @Sendable (Method.State, Double) throws -> Method.State,
    distance: @escaping @Sendable (Method.State, Method.State) -> Double,
    reversed: @escaping @Sendable (Method.State) -> Method.State,
    symplecticity:
      @escaping @Sendable (
        _ map: (Method.State) throws -> Method.State, _ at: Method.State
      ) throws -> Double
  ) where Method.System: Sendable, Method.State: Sendable {
    let traits = Method.methodTraits
    description = "\(traits.name) on \(name)"
    self.traits = traits
    self.finalTime = finalTime
    self.coarsestSteps = coarsestSteps
    globalError = { steps in
      var integrator = try Method(system: system, stepSize: finalTime / Double(steps))
      var state = start
      for _ in 0..<steps { try integrator.step(&state) }
      return distance(state, try reference(start, finalTime))
    }
    let h = finalTime / 10
    roundTripDistance = {
      var integrator = try Method(system: system, stepSize: h)
      let back = try Reversibility.roundTrip(
        &integrator, from: start, steps: 40, reverseMomentum: reversed)
      return distance(back, start)
    }
    symplecticityDefect = {
      let flow = { (state: Method.State) throws -> Method.State in
        var integrator = try Method(system: system, stepSize: h)
        var state = state
        for _ in 0..<10 { try integrator.step(&state) }
        return state
      }
      return try symplecticity(flow, start)
    }
  }

  /// A method on R^n, state (q, p), against ``ReferenceSolver``.
  static func coordinates<Method: SystemIntegrator & SendableMetatype>(
    _ method: Method.Type, on name: String, _ system: Method.System, q0: [Double], v0: [Double],
    finalTime: Double = 1, coarsestSteps: Int = 16
  ) throws -> Self where Method.State == PhaseState, Method.System: LagrangianSystem {
    let n = system.dimension
    return Self(
      method, on: name, system, from: try system.state(position: q0, velocity: v0),
      finalTime: finalTime, coarsestSteps: coarsestSteps,
      reference: { start, time in
        var reference = try ReferenceSolver(
          system: system, stepSize: time, absoluteTolerance: 1e-13, relativeTolerance: 1e-13)
        var state = start
        try reference.step(&state)
        return state
      },
      distance: { maxDifference($0.flattened, $1.flattened) }, reversed: \.reversed,
      symplecticity: { map, start in
        try SymplecticityDefect.of(
          { x in try map(PhaseState(q: Array(x[0..<n]), p: Array(x[n..<(2 * n)]))).flattened },
          at: start.flattened)
      })
  }

  /// A method for a planar rotor on SO(2), state (θ, π), against ``ReferenceSolver`` of the
  /// same system on R (θ the coordinate, π = Jθ̇ its momentum).
  static func rotor<Method: SystemIntegrator & SendableMetatype>(
    _ method: Method.Type, on name: String, _ system: Method.System, angle: Double,
    angularVelocity: Double, finalTime: Double = 1, coarsestSteps: Int = 16
  ) throws -> Self
  where Method.State == RotorState, Method.System: PlanarRotor & LagrangianSystem {
    Self(
      method, on: name, system,
      from: try system.state(angle: angle, angularVelocity: angularVelocity),
      finalTime: finalTime, coarsestSteps: coarsestSteps,
      reference: { start, time in
        var reference = try ReferenceSolver(
          system: system, stepSize: time, absoluteTolerance: 1e-13, relativeTolerance: 1e-13)
        var state = PhaseState(q: [start.angle], p: [start.momentum])
        try reference.step(&state)
        return RotorState(angle: state.q[0], momentum: state.p[0])
      },
      distance: { max(($0.angle - $1.angle).magnitude, ($0.momentum - $1.momentum).magnitude) },
      reversed: \.reversed,
      symplecticity: { map, start in
        try SymplecticityDefect.of(
          { x in
            let image = try map(RotorState(angle: x[0], momentum: x[1]))
            return [image.angle, image.momentum]
          }, at: [start.angle, start.momentum])
      })
  }

  /// A method for a rigid body on SO(3), state (R, Π), against ``RigidBodyReferenceSolver``;
  /// the distance is the max-norm over the entries of R and Π.
  static func rigidBody<Method: SystemIntegrator & SendableMetatype>(
    _ method: Method.Type, on name: String, _ system: Method.System, rotationVector: Vector3,
    angularVelocity: Vector3, finalTime: Double = 1, coarsestSteps: Int = 16
  ) throws -> Self where Method.State == RigidBodyState, Method.System: RigidBodySystem {
    Self(
      method, on: name, system,
      from: try system.state(rotationVector: rotationVector, angularVelocity: angularVelocity),
      finalTime: finalTime, coarsestSteps: coarsestSteps,
      reference: { start, time in
        var reference = try RigidBodyReferenceSolver(
          system: system, stepSize: time, absoluteTolerance: 1e-13, relativeTolerance: 1e-13)
        var state = start
        try reference.step(&state)
        return state
      },
      distance: { a, b in
        var d = 0.0
        for i in 0..<3 {
          for j in 0..<3 {
            d = max(d, (a.attitude.matrix[i, j] - b.attitude.matrix[i, j]).magnitude)
          }
          d = max(d, (a.angularMomentum[i] - b.angularMomentum[i]).magnitude)
        }
        return d
      },
      reversed: \.reversed,
      symplecticity: { map, start in try SymplecticityDefect.of(map, at: start) })
  }

  /// Every method on every system it applies to (those of `vin systems`), from initial
  /// conditions where the motion is nonlinear (pendulum swings of 1–1.2 rad, an eccentric
  /// Kepler orbit, a chaotic-regime double pendulum, a cart-pole swinging 1 rad, tumbling rigid
  /// bodies).
  static let all: [IntegratorCase] = {
    do {
      var cases: [IntegratorCase] = []
      func everyMethodOnR<S: ConstantMassSystem>(
        _ name: String, _ system: S, _ q0: [Double], _ v0: [Double]
      ) throws {
        cases.append(try .coordinates(StormerVerlet<S>.self, on: name, system, q0: q0, v0: v0))
        try everyImplicitAndBaselineOnR(name, system, q0, v0)
      }
      func everyImplicitAndBaselineOnR<S: LagrangianSystem>(
        _ name: String, _ system: S, _ q0: [Double], _ v0: [Double]
      ) throws {
        cases.append(
          try .coordinates(VariationalMidpoint<S>.self, on: name, system, q0: q0, v0: v0))
        cases.append(
          try .coordinates(VariationalTrapezoidal<S>.self, on: name, system, q0: q0, v0: v0))
        cases.append(
          try .coordinates(
            ExplicitEuler<S>.self, on: name, system, q0: q0, v0: v0, coarsestSteps: 64))
        cases.append(try .coordinates(ClassicalRK4<S>.self, on: name, system, q0: q0, v0: v0))
        cases.append(try .coordinates(ReferenceSolver<S>.self, on: name, system, q0: q0, v0: v0))
      }
      func everyMethodOnSO3<S: RigidBodySystem>(
        _ name: String, _ system: S, _ r0: Vector3, _ w0: Vector3
      ) throws {
        cases.append(
          try .rigidBody(SO3LGVI<S>.self, on: name, system, rotationVector: r0, angularVelocity: w0)
        )
        cases.append(
          try .rigidBody(
            RigidBodyReferenceSolver<S>.self, on: name, system, rotationVector: r0,
            angularVelocity: w0))
      }
      let pendulum = try Pendulum()
      try everyMethodOnR("pendulum", pendulum, [1.2], [0])
      cases.append(
        try .rotor(
          SO2LGVI<Pendulum>.self, on: "pendulum (SO(2))", pendulum, angle: 1.2, angularVelocity: 0))
      try everyMethodOnR(
        "harmonic", try HarmonicOscillator(dimension: 2, stiffness: 4), [1, 0.5], [0, 1])
      try everyMethodOnR("kepler", Kepler(), [0.7, 0], [0, 1.4])
      try everyMethodOnR("henon-heiles", HenonHeiles(), [0.3, -0.2], [0.25, 0.1])
      try everyImplicitAndBaselineOnR(
        "double-pendulum", try DoublePendulum(), [0.5, 1.0], [0.3, -0.2])
      try everyImplicitAndBaselineOnR("cart-pole", try CartPole(), [0.1, 1.0], [0.5, -1])
      try everyMethodOnSO3(
        "rigid-body", try FreeRigidBody(), Vector3(0.3, -0.2, 0.1), Vector3(0.4, 1, 0.3))
      try everyMethodOnSO3("heavy-top", try HeavyTop(), Vector3(0.5, 0, 0), Vector3(0.5, -0.3, 3))
      return cases
    } catch {
      Issue.record("building the cases failed: \(error)")
      return []
    }
  }()
}
