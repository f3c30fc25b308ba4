import DiscreteMechanics
import Foundation
import Manifolds
import Testing

/// A particle of mass m in the plane in polar coordinates (r, φ) in the central potential
/// `V(r) = −k/r`: `M(q) = diag(m, m r²)`. The Lagrangian does not depend on φ, so the angular
/// momentum `p_φ = m r² φ̇` is conserved. Only first derivatives are given: the variational
/// integrators use the protocol's finite-difference second derivatives.
struct PolarParticle: LagrangianSystem {
  let m = 1.5
  let k = 2.0
  var dimension: Int { 2 }

  func potential(at q: [Double]) -> Double { -k / q[0] }

  func potentialGradient(at q: Span<Double>, into gradient: inout MutableSpan<Double>) {
    gradient[0] = k / (q[0] * q[0])
    gradient[1] = 0
  }

  func massMatrix(at q: [Double]) -> Matrix { .diagonal([m, m * q[0] * q[0]]) }

  func massMatrixDerivative(at q: [Double], coordinate i: Int) -> Matrix {
    i == 0 ? .diagonal([0, 2 * m * q[0]]) : .zeros(rows: 2, columns: 2)
  }
}

/// The implicit variational integrators (midpoint and trapezoidal discrete Lagrangians) checked
/// against the mathematics they promise: order 2, analytic Newton Jacobian, discrete Noether
/// theorem, bounded energy, time reversibility, and typed failures.
@Suite("Variational midpoint and trapezoidal")
struct ImplicitDELTests {
  enum Rule: String, CaseIterable, CustomTestStringConvertible {
    case midpoint, trapezoidal
    var testDescription: String { rawValue }
  }

  let pendulum: DoublePendulum
  /// The DESIGN.md default initial condition, with some velocity so both angles move at once.
  let pendulumStart: PhaseState

  init() throws {
    pendulum = try DoublePendulum()
    pendulumStart = try pendulum.state(position: [0.5, 1.0], velocity: [0.3, -0.2])
  }

  /// One integrator of either rule, as an existential so the tests are written once.
  static func integrator<S: LagrangianSystem>(
    _ rule: Rule, _ system: S, stepSize h: Double, rootFinder: RootFinder = RootFinder()
  ) throws -> any ImplicitStepper {
    switch rule {
    case .midpoint:
      return try VariationalMidpoint(system: system, stepSize: h, rootFinder: rootFinder)
    case .trapezoidal:
      return try VariationalTrapezoidal(system: system, stepSize: h, rootFinder: rootFinder)
    }
  }

  // MARK: - Newton Jacobian

  /// `max |J − J_fd| / max |J|` for the Newton matrix `∂(−D₁L_d)/∂q₁` at (q0, q1).
  static func jacobianError<L: DiscreteLagrangian>(_ lagrangian: L, _ q0: [Double], _ q1: [Double])
    -> Double
  {
    var lagrangian = lagrangian
    let n = q0.count
    var analytic = Matrix.zeros(rows: n, columns: n)
    lagrangian.momentumAtStartJacobian(from: q0, to: q1, into: &analytic)
    let delta = 1e-6
    var worst = 0.0
    for j in 0..<n {
      var plus = q1
      var minus = q1
      plus[j] += delta
      minus[j] -= delta
      var pPlus = q0
      var pMinus = q0
      lagrangian.momentumAtStart(from: q0, to: plus, into: &pPlus)
      lagrangian.momentumAtStart(from: q0, to: minus, into: &pMinus)
      for i in 0..<n {
        worst = max(worst, abs(analytic[i, j] - (pPlus[i] - pMinus[i]) / (2 * delta)))
      }
    }
    return worst / analytic.maxAbsEntry
  }

  @Test("the analytic Newton Jacobian matches central differences of the residual to 1e-6")
  func jacobian() throws {
    // A large step, so that the ∂M, ∂²M and Hessian terms are not swamped by M/h.
    let h = 0.2
    let cases: [([Double], [Double])] = [([0.5, 1.0], [0.9, 0.3]), ([-2.0, 2.5], [-1.6, 3.1])]
    for (q0, q1) in cases {
      let midpoint = try MidpointDiscreteLagrangian(system: pendulum, stepSize: h)
      let trapezoidal = try TrapezoidalDiscreteLagrangian(system: pendulum, stepSize: h)
      #expect(Self.jacobianError(midpoint, q0, q1) < 1e-6)
      #expect(Self.jacobianError(trapezoidal, q0, q1) < 1e-6)
    }
    let polar = PolarParticle()
    let q0 = [1.2, 0.4]
    let q1 = [0.9, 0.8]
    #expect(
      Self.jacobianError(try MidpointDiscreteLagrangian(system: polar, stepSize: h), q0, q1) < 1e-6)
    #expect(
      Self.jacobianError(try TrapezoidalDiscreteLagrangian(system: polar, stepSize: h), q0, q1)
        < 1e-6)
  }

  @Test("momentum and Newton matrix from one evaluation equal the two separate evaluations")
  func combinedEvaluation() throws {
    let (q0, q1) = ([0.5, 1.0], [0.9, 0.3])
    func check<L: DiscreteLagrangian>(_ lagrangian: L) {
      var separate = lagrangian
      var combined = lagrangian
      var momentum = [0.0, 0.0]
      var jacobian = Matrix.zeros(rows: 2, columns: 2)
      separate.momentumAtStart(from: q0, to: q1, into: &momentum)
      separate.momentumAtStartJacobian(from: q0, to: q1, into: &jacobian)
      var momentum2 = [0.0, 0.0]
      var jacobian2 = Matrix.zeros(rows: 2, columns: 2)
      combined.momentumAtStartAndJacobian(from: q0, to: q1, into: &momentum2, jacobian: &jacobian2)
      #expect(momentum2 == momentum && jacobian2 == jacobian, "\(L.self)")
    }
    for system in [pendulum, try DoublePendulum(mass1: 1.3, mass2: 0.7, length2: 1.6)] {
      check(try MidpointDiscreteLagrangian(system: system, stepSize: 0.2))
      check(try TrapezoidalDiscreteLagrangian(system: system, stepSize: 0.2))
    }
    check(try MidpointDiscreteLagrangian(system: PolarParticle(), stepSize: 0.2))
  }

  @Test(
    "10⁴ double-pendulum steps: Newton in Swift and GSL's Newton give the same states bit for bit",
    arguments: Rule.allCases)
  func swiftNewtonIsGSLNewton(rule: Rule) throws {
    var swift = try Self.integrator(rule, pendulum, stepSize: 0.01)
    var gsl = try Self.integrator(
      rule, pendulum, stepSize: 0.01, rootFinder: RootFinder(swiftNewton: false))
    var a = pendulumStart
    var b = pendulumStart
    var iterations = (0, 0)
    for _ in 0..<10_000 {
      try swift.step(&a)
      try gsl.step(&b)
      iterations.0 += swift.lastStepIterations
      iterations.1 += gsl.lastStepIterations
    }
    #expect(a == b, "\(a) against \(b)")
    #expect(iterations.0 == iterations.1 && iterations.0 > 20_000, "\(iterations)")
  }

  @Test("the built-in systems' analytic Hessians match central differences of their gradients")
  func builtInHessians() throws {
    func check<S: LagrangianSystem>(_ system: S, at q: [Double]) {
      let analytic = system.potentialHessian(at: q)
      let generic = system.finiteDifferencePotentialHessian(at: q)
      let error = maxDifference(analytic.storage, generic.storage)
      #expect(error < 1e-8 * max(1, analytic.maxAbsEntry), "\(S.self) at \(q): \(error)")
    }
    check(try Pendulum(mass: 1.2, length: 0.8, gravity: 9.81), at: [2.3])
    check(try HarmonicOscillator(dimension: 3, mass: 2, stiffness: 5), at: [0.1, -2, 3])
    check(Kepler(), at: [0.4, -0.7])
    check(HenonHeiles(), at: [0.3, -0.2])
  }

  @Test("into: defaults: constant-mass systems copy M and write zeros, others forward")
  func intoDefaults() throws {
    let oscillator = try HarmonicOscillator(dimension: 3, mass: 2, stiffness: 5)
    let q = [0.1, -2, 3.0]
    var m = try Matrix(rows: 3, columns: 3, storage: Array(repeating: .nan, count: 9))
    oscillator.massMatrix(at: q, into: &m)
    #expect(m == oscillator.mass)
    oscillator.massMatrixDerivative(at: q, coordinate: 1, into: &m)
    #expect(m == .zeros(rows: 3, columns: 3))
    m = .identity(2)
    oscillator.massMatrixSecondDerivative(at: q, coordinates: 0, 2, into: &m)
    #expect(m == .zeros(rows: 3, columns: 3))
    let polar = PolarParticle()
    let p = [1.2, 0.4]
    var n = Matrix.zeros(rows: 1, columns: 1)
    polar.massMatrix(at: p, into: &n)
    #expect(n == polar.massMatrix(at: p))
    polar.massMatrixSecondDerivative(at: p, coordinates: 0, 0, into: &n)
    #expect(abs(n[1, 1] - 3) < 1e-8 && n[0, 0] == 0, "∂²(m r²)/∂r² = 2m")
    polar.potentialHessian(at: p, into: &n)
    #expect(abs(n[0, 0] + 2 * 2 / (1.2 * 1.2 * 1.2)) < 1e-8, "∂²(−k/r)/∂r² = −2k/r³")
  }

  // MARK: - Discrete Noether theorem

  @Test(
    "p_φ of a central force in polar coordinates: error ≤ steps · (tolerance + round-off)",
    arguments: Rule.allCases, [1e-12, 1e-7])
  func angularMomentum(rule: Rule, tolerance: Double) throws {
    let system = PolarParticle()
    // A loose tolerance also loosens the correction test, so that Newton really stops early.
    let finder = RootFinder(
      residualTolerance: tolerance, stepTolerance: tolerance > 1e-10 ? 1e-3 : 1e-15)
    var method = try Self.integrator(rule, system, stepSize: 0.01, rootFinder: finder)
    var state = try system.state(position: [1.0, 0.0], velocity: [0.4, 1.0])
    let p0 = state.p[1]
    let steps = 1000
    var worst = 0.0
    var radii = (min: state.q[0], max: state.q[0])
    for _ in 0..<steps {
      try method.step(&state)
      worst = max(worst, abs(state.p[1] - p0))
      radii = (min(radii.min, state.q[0]), max(radii.max, state.q[0]))
    }
    // Round-off: q_{k+1} is exact only to ε|q|, which moves p by about ε|q||M|/h ≈ 5e-13 per
    // step here (a random walk; measured max |Δp_φ| ≈ 2e-12 at tolerance 1e-12, 2e-6 at 1e-7).
    let bound = Double(steps) * tolerance + 1e-11
    #expect(worst <= bound, "max |Δp_φ| = \(worst), bound \(bound)")
    // The orbit is eccentric (r and p_r really vary, so the conservation is not trivial) and
    // goes round more than once (t = 10, period ≈ 5).
    #expect(radii.max - radii.min > 0.3, "r in \(radii)")
    #expect(abs(state.q[1]) > 2 * Double.pi, "φ = \(state.q[1])")
  }

  // MARK: - Energy and reversibility

  @Test(
    "double pendulum, h = 0.01, 2·10⁴ steps: energy error bounded, no drift",
    arguments: Rule.allCases)
  func energy(rule: Rule) throws {
    var method = try Self.integrator(rule, pendulum, stepSize: 0.01)
    var state = pendulumStart
    let steps = 20_000
    var times = [0.0]
    var energies = [pendulum.energy(state)]
    var iterations = 0
    for k in 1...steps {
      try method.step(&state)
      iterations += method.lastStepIterations
      times.append(Double(k) * 0.01)
      energies.append(pendulum.energy(state))
    }
    let drift = try #require(EnergyDrift(times: times, values: energies, blocks: 10))
    // Measured: max |ΔE| = 2.53e-4 (midpoint), 1.34e-3 (trapezoidal), with |E| ≈ 22; the block
    // maxima are level to 1 % (no drift); 3.38 solver iterations per step on average.
    let bound = rule == .midpoint ? 5e-4 : 2.5e-3
    #expect(drift.maxError < bound, "max |ΔE| \(drift.maxError)")
    #expect(drift.lastToFirstRatio < 1.2, "block maxima \(drift.blockMaxima)")
    let meanIterations = Double(iterations) / Double(steps)
    #expect(meanIterations <= 4.5, "mean iterations \(meanIterations)")
    #expect(method.stepsTaken == steps)
  }

  @Test("N steps, flip p, N steps, flip p: back to the start to 1e-12", arguments: Rule.allCases)
  func reversibility(rule: Rule) throws {
    var method = try Self.integrator(rule, pendulum, stepSize: 0.01)
    let back = try Reversibility.roundTrip(&method, from: pendulumStart, steps: 300) {
      $0.reversed
    }
    let error = maxDifference(back.flattened, pendulumStart.flattened)
    #expect(error < 1e-12, "round-trip error \(error)")
  }

  @Test(
    "a copy of an integrator steps on its own: both reproduce an uncopied run",
    arguments: Rule.allCases)
  func copies(rule: Rule) throws {
    var reference = try Self.integrator(rule, pendulum, stepSize: 0.01)
    var expected: [PhaseState] = []
    var state = pendulumStart
    for _ in 0..<20 {
      try reference.step(&state)
      expected.append(state)
    }
    var original = try Self.integrator(rule, pendulum, stepSize: 0.01)
    var a = pendulumStart
    for _ in 0..<10 { try original.step(&a) }
    var copy = original
    var b = a
    // The copy steps first, and from elsewhere, so its next step starts cold (Euler guess; the
    // root then agrees to round-off only). The original must keep its warm start: bit for bit.
    var elsewhere = pendulumStart.reversed
    try copy.step(&elsewhere)
    for k in 10..<20 {
      try copy.step(&b)
      try original.step(&a)
      #expect(a == expected[k], "step \(k)")
      #expect(maxDifference(b.flattened, expected[k].flattened) < 1e-12, "step \(k)")
    }
  }

  @Test("the trapezoidal rule with a constant mass matrix is Störmer–Verlet")
  func trapezoidalIsVerlet() throws {
    let system = try Pendulum()
    var trapezoidal = try VariationalTrapezoidal(system: system, stepSize: 0.05)
    var verlet = try StormerVerlet(system: system, stepSize: 0.05)
    let start = PhaseState(q: [2.0], p: [0.5])
    let a = try solve(&trapezoidal, from: start, to: 5)
    let b = try solve(&verlet, from: start, to: 5)
    #expect(maxDifference(a.flattened, b.flattened) < 1e-12)
  }

  // MARK: - Failures and traits

  @Test("an iteration cap of 1 fails with rootFindingFailed at step 0", arguments: Rule.allCases)
  func iterationCap(rule: Rule) throws {
    var method = try Self.integrator(
      rule, pendulum, stepSize: 0.01, rootFinder: RootFinder(maxIterations: 1))
    do {
      _ = try method.integrate(from: pendulumStart, steps: 10)
      Issue.record("no error")
    } catch {
      guard case .rootFindingFailed(let step, let failure) = error else {
        Issue.record("unexpected \(error)")
        return
      }
      #expect(step == 0)
      #expect(method.lastStepIterations == 2, "\(failure)")
    }
  }

  /// From (0.5, 1) at (8, −6) rad/s with h = 0.7, Newton does not converge in 50 iterations;
  /// GSL's hybridsj does, from the same guess. With a cap of 4 neither does.
  @Test("a hard step: hybridsj takes over from Newton and solves it; with a low cap, a typed error")
  func fallback() throws {
    let start = try pendulum.state(position: [0.5, 1], velocity: [8, -6])
    var results: [PhaseState] = []
    for swiftNewton in [true, false] {
      var midpoint = try VariationalMidpoint(
        system: pendulum, stepSize: 0.7, rootFinder: RootFinder(swiftNewton: swiftNewton))
      var state = start
      try midpoint.step(&state)
      #expect(midpoint.lastStepIterations > 50, "\(midpoint.lastStepIterations)")
      // The step's equation −D₁L_d(q₀, q₁) = p₀ holds at the root.
      var lagrangian = midpoint.discreteLagrangian
      var momentum = [0.0, 0.0]
      lagrangian.momentumAtStart(from: start.q, to: state.q, into: &momentum)
      #expect(maxDifference(momentum, start.p) < 1e-12, "\(momentum) against \(start.p)")
      results.append(state)
    }
    #expect(results[0] == results[1])
    var capped = try VariationalMidpoint(
      system: pendulum, stepSize: 0.7, rootFinder: RootFinder(maxIterations: 4))
    do {
      _ = try capped.integrate(from: start, steps: 1)
      Issue.record("no error")
    } catch {
      guard case .rootFindingFailed(0, .noConvergence(let iterations, let residual)) = error else {
        Issue.record("unexpected \(error)")
        return
      }
      #expect(iterations == 8 && residual > 1e-3, "\(error)")
      #expect("\(error)".contains("8 iterations") && "\(error)".contains("at step 0"), "\(error)")
    }
  }

  @Test(
    "an absurd step size (h = 10⁶) fails with rootFindingFailed at step 0", arguments: Rule.allCases
  )
  func absurdStepSize(rule: Rule) throws {
    var method = try Self.integrator(rule, pendulum, stepSize: 1e6)
    do {
      _ = try method.integrate(from: pendulumStart, steps: 3)
      Issue.record("no error")
    } catch {
      guard case .rootFindingFailed(step: 0, _) = error else {
        Issue.record("unexpected \(error)")
        return
      }
      #expect(method.lastStepIterations > 0)
      #expect(method.stepsTaken == 0)
    }
  }

  @Test("invalid step sizes and root-finder settings are rejected")
  func invalidSettings() throws {
    for h in [0.0, -0.01, .nan, .infinity] {
      do {
        _ = try VariationalMidpoint(system: pendulum, stepSize: h)
        Issue.record("h = \(h) accepted")
      } catch {
        guard case .invalidStepSize(let reported) = error else {
          Issue.record("unexpected \(error)")
          continue
        }
        #expect(reported.isNaN ? h.isNaN : reported == h)
      }
    }
    #expect(throws: IntegrationError.self) {
      _ = try VariationalTrapezoidal(
        system: pendulum, stepSize: 0.01, rootFinder: RootFinder(maxIterations: 0))
    }
    #expect(throws: IntegrationError.self) {
      _ = try VariationalTrapezoidal(
        system: pendulum, stepSize: 0.01, rootFinder: RootFinder(residualTolerance: -1))
    }
  }

  @Test("traits: implicit, symplectic, symmetric, order 2")
  func traits() throws {
    let midpoint = try VariationalMidpoint(system: pendulum, stepSize: 0.01).traits
    let trapezoidal = try VariationalTrapezoidal(system: pendulum, stepSize: 0.01).traits
    for (traits, name) in [(midpoint, "midpoint"), (trapezoidal, "trapezoidal")] {
      #expect(traits.name == name)
      #expect(!traits.isExplicit && traits.isSymplectic && traits.isSymmetric && traits.order == 2)
    }
  }
}

/// The part of the implicit integrators' interface the tests use, over both rules.
protocol ImplicitStepper: Integrator where State == PhaseState {
  var lastStepIterations: Int { get }
  var stepsTaken: Int { get }
}

extension ImplicitVariationalIntegrator: ImplicitStepper {}
