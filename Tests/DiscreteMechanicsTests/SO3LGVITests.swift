import Foundation
import Manifolds
import Testing

@testable import DiscreteMechanics

/// The Lie group variational integrator on SO(3), checked against the mathematics it promises:
/// order 2 against an rk8pd reference, exact conservation of the momentum maps, the attitude on
/// SO(3), each step's equation solved to round-off, time reversibility, and typed errors.
@Suite("SO(3) Lie group variational integrator")
struct SO3LGVITests {
  let top: HeavyTop
  let free: FreeRigidBody

  init() throws {
    top = try HeavyTop()
    free = try FreeRigidBody()
  }

  /// The default heavy top of the `vin` table: tilted by 0.5 rad, spinning at 10 rad/s.
  func topInitial() throws -> RigidBodyState {
    try top.state(rotationVector: Vector3(0.5, 0, 0), angularVelocity: Vector3(0, 0, 10))
  }

  /// The free body spun near its unstable intermediate axis (Dzhanibekov flips).
  func freeInitial() throws -> RigidBodyState {
    try free.state(rotationVector: .zero, angularVelocity: Vector3(0.05, 1, 0.05))
  }

  /// `max(max |R − R'|, max |Π − Π'|)`.
  func distance(_ a: RigidBodyState, _ b: RigidBodyState) -> Double {
    max(
      (a.attitude.matrix - b.attitude.matrix).maxAbsEntry,
      (a.angularMomentum - b.angularMomentum).maxAbs)
  }

  @Test("heavy top: observed order 2 ± 0.1 against rk8pd at 1e-12")
  func order() throws {
    let finalTime = 1.0
    let initial = try topInitial()
    var reference = try RigidBodyReferenceSolver(system: top, stepSize: finalTime)
    let exact = try solve(&reference, from: initial, to: finalTime)
    let stepSizes = [0.02, 0.01, 0.005, 0.0025, 0.00125]
    var errors: [Double] = []
    for h in stepSizes {
      var lgvi = try SO3LGVI(system: top, stepSize: h)
      errors.append(distance(try solve(&lgvi, from: initial, to: finalTime), exact))
    }
    let p = try #require(ConvergenceOrder.fit(stepSizes: stepSizes, errors: errors))
    #expect(abs(p - 2) < 0.1, "observed order \(p), errors \(errors)")
    // The motion is far from the initial state and the errors far above the reference's.
    #expect(distance(exact, initial) > 1)
    #expect(errors.last! > 1e-8)
  }

  @Test("heavy top: e_zᵀRΠ conserved to 1e-12 (absolute, |e_zᵀRΠ| ≈ 1.5) and LGVI residual < 1e-13")
  func heavyTopVerticalMomentum() throws {
    let h = 0.01
    var lgvi = try SO3LGVI(system: top, stepSize: h)
    var state = try topInitial()
    let lz0 = top.verticalAngularMomentum(state)
    var maxDeviation = 0.0
    var maxResidual = 0.0
    for _ in 0..<20_000 {
      let previous = state
      try lgvi.step(&state)
      maxDeviation = max(maxDeviation, abs(top.verticalAngularMomentum(state) - lz0))
      maxResidual = max(maxResidual, top.lgviResidual(from: previous, to: state, stepSize: h))
    }
    #expect(maxDeviation < 1e-12, "max |Δ e_zᵀRΠ| = \(maxDeviation)")
    #expect(maxResidual < 1e-13, "max LGVI residual \(maxResidual)")
    // From the tangent predictor, two Newton iterations reach round-off in every step.
    #expect(lgvi.meanNewtonIterations <= 2.001, "\(lgvi.meanNewtonIterations)")
  }

  @Test(
    "free body, 2·10⁴ steps: |Π|, RΠ and energy conserved to 1e-12 (absolute), residual < 1e-13")
  func freeBodyInvariants() throws {
    let h = 0.01
    var lgvi = try SO3LGVI(system: free, stepSize: h)
    var state = try freeInitial()
    let (norm0, spatial0, energy0) =
      (state.angularMomentumNorm, free.spatialAngularMomentum(state), free.energy(state))
    var (normError, spatialError, energyError, maxResidual) = (0.0, 0.0, 0.0, 0.0)
    var minimumOmega2 = Double.infinity
    for _ in 0..<20_000 {
      let previous = state
      try lgvi.step(&state)
      normError = max(normError, abs(state.angularMomentumNorm - norm0))
      spatialError = max(spatialError, (free.spatialAngularMomentum(state) - spatial0).maxAbs)
      energyError = max(energyError, abs(free.energy(state) - energy0))
      maxResidual = max(maxResidual, free.lgviResidual(from: previous, to: state, stepSize: h))
      minimumOmega2 = min(minimumOmega2, free.angularVelocity(of: state).y)
    }
    #expect(normError < 1e-12, "max |Δ|Π|| = \(normError)")
    #expect(spatialError < 1e-12, "max |Δ RΠ| = \(spatialError)")
    #expect(energyError < 1e-12, "max |ΔE| = \(energyError)")
    #expect(maxResidual < 1e-13, "max LGVI residual \(maxResidual)")
    #expect(minimumOmega2 < -0.9, "the body flips about its intermediate axis")
  }

  @Test("10⁵ free-body steps: |RᵀR − I| < 1e-12")
  func orthogonality() throws {
    var lgvi = try SO3LGVI(system: free, stepSize: 0.01)
    var state = try freeInitial()
    for _ in 0..<100_000 { try lgvi.step(&state) }
    #expect(state.orthogonalityDefect < 1e-12, "|RᵀR − I| = \(state.orthogonalityDefect)")
  }

  /// The asymmetric heavy top is chaotic, so round-off grows exponentially along the round trip
  /// (about 1e-13 after 2·500 steps, 2e-12 after 2·1000 steps of h = 0.01); the free body is not.
  @Test("500 (heavy top) or 2000 (free body) steps, Π → −Π, as many steps, Π → −Π: start to 1e-12")
  func reversibility() throws {
    var lgvi = try SO3LGVI(system: top, stepSize: 0.01)
    let initial = try topInitial()
    let back = try Reversibility.roundTrip(&lgvi, from: initial, steps: 500) { $0.reversed }
    #expect(distance(back, initial) < 1e-12, "round-trip error \(distance(back, initial))")
    var freeLGVI = try SO3LGVI(system: free, stepSize: 0.01)
    let freeStart = try freeInitial()
    let freeBack = try Reversibility.roundTrip(&freeLGVI, from: freeStart, steps: 2000) {
      $0.reversed
    }
    #expect(
      distance(freeBack, freeStart) < 1e-12, "round-trip error \(distance(freeBack, freeStart))")
  }

  @Test("the analytic Jacobian of G matches central differences (series and closed-form branches)")
  func jacobian() {
    let equation = SO3LGVIEquation(
      inertia: Matrix3(1.3, 0.1, -0.2, 0.1, 2.1, 0.05, -0.2, 0.05, 2.9), target: Vector3(0.1, 0, 0))
    for f in [
      Vector3(0.01, -0.02, 0.015), Vector3(0.2, -0.3, 0.25), Vector3(0.3, -0.5, 0.7),
      Vector3(1.2, 0.4, -2.0),
    ] {
      let analytic = equation.residualAndJacobian(at: f).jacobian
      let delta = 1e-6
      for j in 0..<3 {
        var plus = f
        var minus = f
        plus[j] += delta
        minus[j] -= delta
        let column = (equation.residual(at: plus) - equation.residual(at: minus)) / (2 * delta)
        #expect((column - analytic.column(j)).maxAbs < 1e-9, "f = \(f), column \(j)")
      }
    }
  }

  @Test("∂ω/∂f of the discrete angular velocity ω = (sin|f|/|f|) f/h matches central differences")
  func angularVelocityJacobian() {
    let h = 0.05
    func omega(_ f: Vector3) -> Vector3 {
      let theta = f.squaredNorm.squareRoot()
      return (sin(theta) / theta / h) * f
    }
    for f in [
      Vector3(0.01, -0.02, 0.015), Vector3(0.2, -0.3, 0.25), Vector3(1.2, 0.4, -2.0),
    ] {
      let analytic = SO3LGVIEquation.angularVelocityJacobian(at: f, stepSize: h)
      let delta = 1e-6
      for j in 0..<3 {
        var plus = f
        var minus = f
        plus[j] += delta
        minus[j] -= delta
        let column = (omega(plus) - omega(minus)) / (2 * delta)
        #expect((column - analytic.column(j)).maxAbs < 1e-8, "f = \(f), column \(j)")
      }
    }
  }

  /// The series are used for θ² < 1/4. Inside, they equal the Taylor series summed to 20 terms
  /// from the term recurrences; near the bound they also equal the closed forms, whose
  /// derivatives lose about 1e-15 to cancellation there (and more for smaller θ, hence the series).
  @Test("a, b, a′/θ, b′/θ: series equal 20-term Taylor sums (θ < 1/2) and closed forms (θ ≈ 1/2)")
  func exponentialCoefficientSeries() {
    /// `Σ_{k0 ≤ k < 20} weight(k) tₖ` with `t_{k0} = first`, `tₖ₊₁ = tₖ · ratio(k + 1)`, summed
    /// from the smallest term.
    func taylor(
      _ first: Double, from k0: Int, ratio: (Int) -> Double, weight: (Int) -> Double = { _ in 1 }
    ) -> Double {
      var terms: [Double] = []
      var term = first
      for k in k0..<20 {
        terms.append(weight(k) * term)
        term *= ratio(k + 1)
      }
      return terms.reversed().reduce(0, +)
    }
    for x in stride(from: 0.0025, through: 0.25, by: 0.0025) {
      let series = ExponentialCoefficients(series: x)
      // (−x)ᵏ/(2k+1)! and (−x)ᵏ/(2k+2)!, and their x-derivatives' terms from k = 1.
      let oddRatio = { (k: Int) in -x / Double(2 * k * (2 * k + 1)) }
      let evenRatio = { (k: Int) in -x / Double((2 * k + 1) * (2 * k + 2)) }
      let weight = { (k: Int) in Double(2 * k) }
      let a = taylor(1, from: 0, ratio: oddRatio)
      let b = taylor(0.5, from: 0, ratio: evenRatio)
      let aPrime = taylor(-1.0 / 6, from: 1, ratio: oddRatio, weight: weight)
      let bPrime = taylor(-1.0 / 24, from: 1, ratio: evenRatio, weight: weight)
      #expect(abs(series.a - a) < 3e-16, "a at θ² = \(x)")
      #expect(abs(series.b - b) < 3e-16, "b at θ² = \(x)")
      #expect(abs(series.aPrimeOverTheta - aPrime) < 3e-16, "a′/θ at θ² = \(x)")
      #expect(abs(series.bPrimeOverTheta - bPrime) < 3e-16, "b′/θ at θ² = \(x)")
    }
    for x in stride(from: 0.2, through: 0.3, by: 0.01) {
      let series = ExponentialCoefficients(series: x)
      let closed = ExponentialCoefficients(closedForm: x)
      #expect(abs(series.a - closed.a) < 3e-16, "a at θ² = \(x)")
      #expect(abs(series.b - closed.b) < 3e-16, "b at θ² = \(x)")
      #expect(abs(series.aPrimeOverTheta - closed.aPrimeOverTheta) < 3e-15, "a′/θ at θ² = \(x)")
      #expect(abs(series.bPrimeOverTheta - closed.bPrimeOverTheta) < 3e-15, "b′/θ at θ² = \(x)")
    }
  }

  @Test("G(f) = 0 is the matrix equation ĝ = F J_d − J_d Fᵀ, F = exp(f̂)")
  func vectorEquationIsTheMatrixEquation() {
    let inertia = Matrix3(1.3, 0.1, -0.2, 0.1, 2.1, 0.05, -0.2, 0.05, 2.9)
    let jd = 0.5 * inertia.trace * Matrix3.identity - inertia
    for f in [Vector3(0.001, 0.002, -0.003), Vector3(0.4, -0.9, 0.3)] {
      let g = SO3LGVIEquation(inertia: inertia, target: .zero).residual(at: f)
      let rotation = SO3.exp(f).matrix
      #expect((SO3.hat(g) - (rotation * jd - jd * rotation.transpose)).maxAbsEntry < 1e-14)
    }
  }

  @Test("GSL fallback (newton, hybridsj) finds the root Newton finds")
  func gslFallback() throws {
    var equation = SO3LGVIEquation(inertia: top.inertia, target: Vector3(0.01, -0.02, 0.017))
    let newton = equation.newton(from: .zero, maxIterations: 30)
    let solver = try SO3LGVIMultirootSolver(equation: equation)
    let gsl = solver.solve(from: .zero, maxIterations: 30)
    #expect(newton.converged && gsl.converged)
    #expect((newton.root - gsl.root).maxAbs < 1e-15)
    equation.target = Vector3(0.03, 0.02, -0.04)
    solver.equation = equation
    let second = solver.solve(from: gsl.root, maxIterations: 30)
    #expect(second.converged && equation.residual(at: second.root).maxAbs < 1e-15)
  }

  @Test("non-convergence throws rootFindingFailed naming residual and iterations")
  func nonConvergence() throws {
    var lgvi = try SO3LGVI(system: top, stepSize: 0.01, maxNewtonIterations: 1)
    var state = try topInitial()
    #expect {
      try lgvi.step(&state)
    } throws: { error in
      guard
        case .rootFindingFailed(_, .noConvergence(let iterations, let residual))? =
          error as? IntegrationError
      else { return false }
      // One iteration each of Swift Newton, GSL newton and GSL hybridsj.
      return iterations == 3 && residual > 0 && "\(error)".contains("iterations")
    }
  }

  @Test("invalid inertia and parameters throw invalidParameter naming the value")
  func invalidParameters() {
    let cases: [(Matrix3, String)] = [
      (Matrix3(diagonal: Vector3(1, -2, 3)), "J"),
      (Matrix3(1, 0.5, 0, 0, 2, 0, 0, 0, 3), "J[0,1]"),
      (Matrix3(diagonal: Vector3(1, .nan, 3)), "J[1,1]"),
    ]
    for (inertia, name) in cases {
      #expect {
        _ = try FreeRigidBody(inertia: inertia)
      } throws: { error in
        guard case .invalidParameter(let n, _, _)? = error as? IntegrationError else {
          return false
        }
        return n == name
      }
      #expect(throws: IntegrationError.self) { _ = try HeavyTop(inertia: inertia) }
    }
    #expect(throws: IntegrationError.self) { _ = try HeavyTop(mass: 0) }
    #expect(throws: IntegrationError.self) {
      _ = try HeavyTop(centreOfMass: Vector3(0, .infinity, 0))
    }
    #expect(throws: IntegrationError.self) { _ = try SO3LGVI(system: self.top, stepSize: -0.01) }
    #expect(throws: IntegrationError.self) {
      _ = try SO3LGVI(system: BrokenBody(), stepSize: 0.01)
    }
    #expect(throws: IntegrationError.self) {
      _ = try RigidBodyReferenceSolver(system: BrokenBody(), stepSize: 0.01)
    }
  }

  @Test("non-finite initial data throws nonFiniteInput; a non-finite state nonFiniteState")
  func nonFiniteInitialData() throws {
    var lgvi = try SO3LGVI(system: top, stepSize: 0.01)
    var state = RigidBodyState(attitude: .identity, angularMomentum: Vector3(0, 0, .nan))
    #expect(throws: IntegrationError.nonFiniteState(step: nil)) { try lgvi.step(&state) }
    #expect(throws: IntegrationError.self) {
      _ = try self.top.state(rotationVector: Vector3(.nan, 0, 0), angularVelocity: .zero)
    }
    #expect {
      _ = try self.top.state(rotationVector: .zero, angularVelocity: Vector3(0, .infinity, 0))
    } throws: { error in
      guard case .nonFiniteInput(_, 1, _)? = error as? IntegrationError else { return false }
      return true
    }
  }

  @Test("Ω accessor inverts the constructor; traits")
  func stateAndTraits() throws {
    let omega = Vector3(0.3, -1.2, 4)
    let state = try top.state(rotationVector: Vector3(0.1, 0.2, 0.3), angularVelocity: omega)
    #expect((top.angularVelocity(of: state) - omega).maxAbs < 1e-14)
    let traits = try SO3LGVI(system: top, stepSize: 0.01).traits
    #expect(traits.name == "lgvi" && traits.order == 2 && traits.isSymplectic && traits.isSymmetric)
    #expect(try RigidBodyReferenceSolver(system: top, stepSize: 0.01).traits.name == "rk8pd")
  }
}

/// A user-defined body whose inertia is not positive definite.
private struct BrokenBody: RigidBodySystem {
  var inertia: Matrix3 { Matrix3(diagonal: Vector3(1, 0, 1)) }
  func potential(at attitude: SO3) -> Double { 0 }
  func moment(at attitude: SO3) -> Vector3 { .zero }
}
