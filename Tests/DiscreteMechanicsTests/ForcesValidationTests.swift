import DiscreteMechanics
import Manifolds
import Testing

/// Bad forces, inputs and input sequences are typed errors that name the value; the zero-order
/// hold selects each step's sample.
@Suite("Forces: validation and the zero-order hold")
struct ForcesValidationTests {
  func matrix(_ rows: [[Double]]) throws -> Matrix {
    try Matrix(rows: rows.count, columns: rows[0].count, storage: rows.flatMap { $0 })
  }

  @Test("a dissipation matrix must be symmetric positive semi-definite, B and D finite")
  func dissipationMatrix() throws {
    let b = Matrix.identity(2)
    // Positive semi-definite, singular: accepted.
    _ = try ActuatorsAndDamping(inputMatrix: b, dissipation: try matrix([[2, -1], [-1, 0.5]]))
    _ = try ActuatorsAndDamping(inputMatrix: b, dissipation: .zeros(rows: 2, columns: 2))
    #expect(throws: IntegrationError.self) {
      try ActuatorsAndDamping(inputMatrix: b, dissipation: try matrix([[1, 2], [2, 1]]))
    }
    #expect(throws: IntegrationError.self) {
      try ActuatorsAndDamping(inputMatrix: b, dissipation: try matrix([[1, 0.5], [0, 1]]))
    }
    #expect(throws: IntegrationError.self) {
      try ActuatorsAndDamping(inputMatrix: b, dissipation: .diagonal([1, -1e-3]))
    }
    #expect(
      throws: IntegrationError.wrongDimension(name: "input matrix rows", expected: 2, actual: 1)
    ) {
      try ActuatorsAndDamping(inputMatrix: .identity(1), dissipation: .diagonal([1, 1]))
    }
    #expect(throws: IntegrationError.self) {
      try ActuatorsAndDamping(
        inputMatrix: try matrix([[.nan], [0]]), dissipation: .diagonal([1, 1]))
    }
    let indefinite = Matrix3(diagonal: Vector3(1, -1, 1))
    #expect(throws: IntegrationError.self) {
      try BodyActuatorsAndDamping(inputMatrix: .identity(3), dissipation: indefinite)
    }
  }

  @Test("a negative or non-finite damping is refused, naming it")
  func negativeDamping() {
    let requirement = "must be non-negative and finite"
    #expect(
      throws: IntegrationError.invalidParameter(
        name: "damping", value: -1, requirement: requirement)
    ) {
      try Pendulum(damping: -1)
    }
    #expect(
      throws: IntegrationError.invalidParameter(
        name: "damping", value: -0.5, requirement: requirement)
    ) {
      try HarmonicOscillator(dimension: 2, damping: -0.5)
    }
    #expect(throws: IntegrationError.self) { try DoublePendulum(damping: .nan) }
    #expect(throws: IntegrationError.self) { try FreeRigidBody(damping: -1) }
    #expect(throws: IntegrationError.self) { try HeavyTop(damping: .infinity) }
    #expect(throws: IntegrationError.self) { try CartPole(friction: -0.1) }
    #expect(throws: IntegrationError.self) { try CartPole(damping: -0.1) }
  }

  @Test("an input must have one finite entry per input; forces must match the system")
  func inputs() throws {
    let pendulum = try Pendulum(damping: 0.1)
    var verlet = try StormerVerlet(system: pendulum, stepSize: 0.01, forces: pendulum.forces)
    #expect(throws: IntegrationError.wrongDimension(name: "input u", expected: 1, actual: 2)) {
      try verlet.holdInput([1, 2])
    }
    #expect(throws: IntegrationError.nonFiniteInput(name: "input u", index: 0, value: .infinity)) {
      try verlet.holdInput([.infinity])
    }
    var unforced = try StormerVerlet(system: pendulum, stepSize: 0.01)
    #expect(unforced.inputCount == 0)
    #expect(throws: IntegrationError.self) { try unforced.holdInput([1]) }
    try unforced.holdInput([])
    #expect(throws: IntegrationError.self) {
      try VariationalMidpoint(system: Kepler(), stepSize: 0.01, forces: pendulum.forces)
    }
    #expect(throws: IntegrationError.self) {
      try SO2LGVI(
        system: pendulum, stepSize: 0.01, forces: try HarmonicOscillator(dimension: 2).forces)
    }
    let top = try HeavyTop(damping: 0.1)
    var lgvi = try SO3LGVI(system: top, stepSize: 0.01, forces: top.forces)
    #expect(throws: IntegrationError.self) { try lgvi.holdInput([1, .nan, 0]) }
  }

  /// Integrators are values: a copy's input is its own, for every kind of forced integrator.
  @Test("a copy of a forced integrator holds its own input")
  func copiesAreIndependent() throws {
    func check<Method: ForcedIntegrator>(_ method: Method, from start: Method.State, _ name: String)
      throws where Method.State: Equatable
    {
      var original = method
      try original.holdInput(Array(repeating: 1, count: original.inputCount))
      var copy = original
      try copy.holdInput(Array(repeating: -1, count: copy.inputCount))
      #expect(original.input == Array(repeating: 1, count: original.inputCount), "\(name)")
      var (a, b) = (start, start)
      try original.step(&a)
      try copy.step(&b)
      #expect(a != b, "\(name): the two inputs gave the same step")
      var again = start
      var fresh = method
      try fresh.holdInput(Array(repeating: 1, count: fresh.inputCount))
      try fresh.step(&again)
      #expect(again == a, "\(name): the copy's input reached the original")
    }
    let pendulum = try Pendulum(damping: 0.2)
    let state = try pendulum.state(position: [1], velocity: [0])
    try check(
      try StormerVerlet(system: pendulum, stepSize: 0.01, forces: pendulum.forces), from: state,
      "verlet")
    try check(
      try VariationalMidpoint(system: pendulum, stepSize: 0.01, forces: pendulum.forces),
      from: state, "midpoint")
    try check(
      try ClassicalRK4(system: pendulum, stepSize: 0.01, forces: pendulum.forces), from: state,
      "rk4")
    try check(
      try SO2LGVI(system: pendulum, stepSize: 0.01, forces: pendulum.forces),
      from: RotorState(angle: 1, momentum: 0), "lgvi (SO(2))")
    let top = try HeavyTop(damping: 0.1)
    try check(
      try SO3LGVI(system: top, stepSize: 0.01, forces: top.forces),
      from: try top.state(rotationVector: Vector3(0.5, 0, 0), angularVelocity: Vector3(0, 0, 5)),
      "lgvi (SO(3))")
  }

  @Test("the zero-order hold: validation, lookup, coverage of the run")
  func zeroOrderHold() throws {
    #expect(throws: IntegrationError.self) {
      try ZeroOrderHold(times: [0, 0.5, 0.5], values: [[1], [2], [3]])
    }
    #expect(throws: IntegrationError.self) {
      try ZeroOrderHold(times: [0, 1], values: [[1], [2, 3]])
    }
    #expect(throws: IntegrationError.self) {
      try ZeroOrderHold(times: [0, 1], values: [[1], [.nan]])
    }
    #expect(throws: IntegrationError.self) {
      try ZeroOrderHold(times: [0, .infinity], values: [[1], [2]])
    }
    #expect(throws: IntegrationError.self) { try ZeroOrderHold(times: [], values: []) }

    // Samples at 0, 0.3 (not 3 × 0.1 = 0.30000000000000004), 0.6, 1.0.
    let hold = try ZeroOrderHold(times: [0, 0.3, 0.6, 1.0], values: [[1], [2], [3], [4]])
    let inputs = (0...10).map { hold.input(atStep: $0, stepSize: 0.1)![0] }
    #expect(inputs == [1, 1, 1, 2, 2, 2, 3, 3, 3, 3, 4])
    #expect(hold.value(at: -0.1) == nil)
    #expect(hold.value(at: 7) == [4])
    try hold.validateCoverage(steps: 10, stepSize: 0.1)
    #expect(throws: IntegrationError.inputsDoNotCover(first: 0, last: 1, start: 0, end: 1.1)) {
      try hold.validateCoverage(steps: 11, stepSize: 0.1)
    }
    let late = try ZeroOrderHold(times: [0.05, 1], values: [[1], [2]])
    #expect(throws: IntegrationError.self) { try late.validateCoverage(steps: 10, stepSize: 0.1) }

    // A forced run takes each step's sample, and is refused when the samples do not cover it.
    let oscillator = try HarmonicOscillator(dimension: 1)
    var verlet = try StormerVerlet(system: oscillator, stepSize: 0.1, forces: oscillator.forces)
    let start = try oscillator.state(position: [0], velocity: [0])
    let trajectory = try verlet.integrate(from: start, steps: 10, inputs: hold)
    #expect(trajectory.states.count == 11)
    #expect(verlet.input == [3])
    #expect(throws: IntegrationError.inputsDoNotCover(first: 0, last: 1, start: 0, end: 2)) {
      try verlet.integrate(from: start, steps: 20, inputs: hold)
    }
    let twoInputs = try ZeroOrderHold(times: [0, 1], values: [[1, 2], [3, 4]])
    #expect(throws: IntegrationError.wrongDimension(name: "input u", expected: 1, actual: 2)) {
      try verlet.integrate(from: start, steps: 10, inputs: twoInputs)
    }
  }
}
