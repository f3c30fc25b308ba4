import DiscreteMechanics
import Manifolds
import Testing

/// With zero inputs and zero dissipation, every forced step equals the unforced step bit for
/// bit: the forced arithmetic adds exact zeros to the unforced operations and nothing else.
@Suite("Zero forces: forced steps equal today's steps bit for bit")
struct ZeroForcesTests {
  /// Zero B (n×m) and D.
  static func zeroForces(dimension n: Int, inputs m: Int) throws -> ActuatorsAndDamping {
    try ActuatorsAndDamping(
      inputMatrix: .zeros(rows: n, columns: m), dissipation: .zeros(rows: n, columns: n))
  }

  /// 60 steps of the unforced and of the zero-forced method from `start`, compared bit for bit
  /// after each step.
  func expectIdentical<Method: ForcedIntegrator>(
    _ unforced: Method, _ forced: Method, from start: Method.State,
    bits: (Method.State) -> [UInt64], _ name: String
  ) throws {
    var (plain, zero) = (unforced, forced)
    try zero.holdInput(Array(repeating: 0, count: zero.inputCount))
    #expect(zero.inputCount > 0, "\(name): the forced method has inputs")
    var (a, b) = (start, start)
    for k in 0..<60 {
      try plain.step(&a)
      try zero.step(&b)
      guard bits(a) == bits(b) else {
        Issue.record("\(name): step \(k) differs: \(a) against \(b)")
        return
      }
    }
  }

  func phaseBits(_ state: PhaseState) -> [UInt64] { (state.q + state.p).map(\.bitPattern) }

  @Test("on R^n: verlet, midpoint, trapezoidal, euler, rk4, rk8pd")
  func coordinates() throws {
    let pendulum = try Pendulum()
    let start = try pendulum.state(position: [1.2], velocity: [0.3])
    let zero1 = try Self.zeroForces(dimension: 1, inputs: 1)
    try expectIdentical(
      try StormerVerlet(system: pendulum, stepSize: 0.05),
      try StormerVerlet(system: pendulum, stepSize: 0.05, forces: zero1), from: start,
      bits: phaseBits, "verlet")
    let kepler = Kepler()
    try expectIdentical(
      try StormerVerlet(system: kepler, stepSize: 0.01),
      try StormerVerlet(
        system: kepler, stepSize: 0.01, forces: Self.zeroForces(dimension: 2, inputs: 2)),
      from: try kepler.state(position: [0.7, 0], velocity: [0, 1.4]), bits: phaseBits,
      "verlet on Kepler")
    let doublePendulum = try DoublePendulum()
    let zero2 = try Self.zeroForces(dimension: 2, inputs: 2)
    let start2 = try doublePendulum.state(position: [0.5, 1], velocity: [0.3, -0.2])
    try expectIdentical(
      try VariationalMidpoint(system: doublePendulum, stepSize: 0.05),
      try VariationalMidpoint(system: doublePendulum, stepSize: 0.05, forces: zero2),
      from: start2, bits: phaseBits, "midpoint")
    try expectIdentical(
      try VariationalTrapezoidal(system: doublePendulum, stepSize: 0.05),
      try VariationalTrapezoidal(system: doublePendulum, stepSize: 0.05, forces: zero2),
      from: start2, bits: phaseBits, "trapezoidal")
    try expectIdentical(
      try ExplicitEuler(system: doublePendulum, stepSize: 0.01),
      try ExplicitEuler(system: doublePendulum, stepSize: 0.01, forces: zero2),
      from: start2, bits: phaseBits, "euler")
    try expectIdentical(
      try ClassicalRK4(system: doublePendulum, stepSize: 0.05),
      try ClassicalRK4(system: doublePendulum, stepSize: 0.05, forces: zero2),
      from: start2, bits: phaseBits, "rk4")
    try expectIdentical(
      try ReferenceSolver(system: pendulum, stepSize: 0.1),
      try ReferenceSolver(system: pendulum, stepSize: 0.1, forces: zero1), from: start,
      bits: phaseBits, "rk8pd")
  }

  @Test("on SO(2): lgvi")
  func rotor() throws {
    let pendulum = try Pendulum()
    try expectIdentical(
      try SO2LGVI(system: pendulum, stepSize: 0.05),
      try SO2LGVI(
        system: pendulum, stepSize: 0.05, forces: Self.zeroForces(dimension: 1, inputs: 1)),
      from: RotorState(angle: 1.2, momentum: 2),
      bits: { [$0.angle.bitPattern, $0.momentum.bitPattern] }, "lgvi on SO(2)")
  }

  func bodyBits(_ state: RigidBodyState) -> [UInt64] {
    (state.attitude.matrix.entries + state.angularMomentum.components).map(\.bitPattern)
  }

  @Test("on SO(3): lgvi (its step and its two phases) and rk8pd")
  func rigidBody() throws {
    let top = try HeavyTop()
    let zero = try BodyActuatorsAndDamping(
      inputMatrix: .zeros(rows: 3, columns: 3), dissipation: .zero)
    let start = try top.state(
      rotationVector: Vector3(0.5, 0.1, 0), angularVelocity: Vector3(0.5, -0.3, 5))
    try expectIdentical(
      try SO3LGVI(system: top, stepSize: 0.02),
      try SO3LGVI(system: top, stepSize: 0.02, forces: zero), from: start, bits: bodyBits,
      "lgvi on SO(3)")
    try expectIdentical(
      try RigidBodyReferenceSolver(system: top, stepSize: 0.1),
      try RigidBodyReferenceSolver(system: top, stepSize: 0.1, forces: zero), from: start,
      bits: bodyBits, "rk8pd on SO(3)")

    // The phases a batched caller uses, with zero torque terms.
    var plain = try SO3LGVI(system: top, stepSize: 0.02)
    var forced = try SO3LGVI(system: top, stepSize: 0.02)
    let none = BodyTorqueTerms(inputTorque: .zero, dissipation: .zero)
    var (a, b) = (start, start)
    for _ in 0..<60 {
      let advance = try plain.advanceAttitude(of: a, moment: top.moment(at: a.attitude))
      a = try plain.completeStep(advance, nextMoment: top.moment(at: advance.attitude))
      let forcedAdvance = try forced.advanceAttitude(
        of: b, moment: top.moment(at: b.attitude), torque: none)
      b = try forced.completeStep(
        forcedAdvance, nextMoment: top.moment(at: forcedAdvance.attitude), nextTorque: none)
    }
    #expect(bodyBits(a) == bodyBits(b))
  }
}
