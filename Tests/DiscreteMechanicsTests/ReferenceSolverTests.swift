import DiscreteMechanics
import Manifolds
import Testing

/// The two rk8pd reference solvers share one GSL driver: the same typed errors from both, and a
/// vector field's failure inside GSL's callback comes back as the field's own error.
@Suite("rk8pd reference solvers")
struct ReferenceSolverTests {
  /// `L = ½ q² q̇²`: M(q) = q² is singular at q = 0.
  struct SingularAtOrigin: LagrangianSystem {
    var dimension: Int { 1 }
    func potential(at q: [Double]) -> Double { 0 }
    func potentialGradient(at q: Span<Double>, into gradient: inout MutableSpan<Double>) {
      gradient[0] = 0
    }
    func massMatrix(at q: [Double]) -> Matrix { .diagonal([q[0] * q[0]]) }
    func massMatrixDerivative(at q: [Double], coordinate i: Int) -> Matrix {
      .diagonal([2 * q[0]])
    }
  }

  /// (On R^n through `vin` in BadInputTests; the driver is the same.)
  @Test("a step needing more than 100 000 sub-steps is stepTooLarge, on SO(3)")
  func subStepBound() throws {
    let body = try FreeRigidBody()
    var solver = try RigidBodyReferenceSolver(system: body, stepSize: 1e300)
    var state = try body.state(rotationVector: .zero, angularVelocity: Vector3(0.05, 1, 0.05))
    let detail =
      "the step of 1e+300 needs more than 100000 adaptive rk8pd sub-steps (GSL_EMAXITER); use a smaller step size"
    #expect(throws: IntegrationError.stepTooLarge(step: nil, detail: detail)) {
      try solver.step(&state)
    }
  }

  @Test("the vector field's error thrown inside GSL's callback is the step's error")
  func fieldFailure() throws {
    var solver = try ReferenceSolver(system: SingularAtOrigin(), stepSize: 0.1)
    var state = PhaseState(q: [0], p: [1])
    #expect(throws: IntegrationError.singularMassMatrix(step: nil)) { try solver.step(&state) }
  }

  @Test("tolerances must be positive and finite, for both solvers")
  func tolerances() throws {
    let pendulum = try Pendulum()
    let top = try HeavyTop()
    for (absolute, relative, name) in [
      (0.0, 1e-12, "absoluteTolerance"), (1e-12, -1.0, "relativeTolerance"),
      (Double.nan, 1e-12, "absoluteTolerance"),
    ] {
      #expect {
        _ = try ReferenceSolver(
          system: pendulum, stepSize: 0.1, absoluteTolerance: absolute,
          relativeTolerance: relative)
      } throws: { error in
        guard case .invalidParameter(name, _, _)? = error as? IntegrationError else { return false }
        return true
      }
      #expect {
        _ = try RigidBodyReferenceSolver(
          system: top, stepSize: 0.1, absoluteTolerance: absolute, relativeTolerance: relative)
      } throws: { error in
        guard case .invalidParameter(name, _, _)? = error as? IntegrationError else { return false }
        return true
      }
    }
  }

  @Test("the Hamiltonian vector field: q̇ = M(q)⁻¹p, ṗ = ½q̇ᵀ(∂M/∂q)q̇ − ∇V, on the double pendulum")
  func hamiltonianVectorField() throws {
    let system = try DoublePendulum()
    let q = [0.5, 1.0]
    let v = [0.3, -0.2]
    let state = try system.state(position: q, velocity: v)
    let f = try HamiltonianVectorField(system: system)(state.flattened)
    #expect(maxDifference(Array(f[0..<2]), v) < 1e-14)
    // ṗ against central differences of L in q at fixed q̇.
    func lagrangian(_ q: [Double]) -> Double {
      let m = system.massMatrix(at: q)
      var kinetic = 0.0
      for i in 0..<2 { for j in 0..<2 { kinetic += v[i] * m[i, j] * v[j] } }
      return 0.5 * kinetic - system.potential(at: q)
    }
    let delta = 1e-6
    for i in 0..<2 {
      var plus = q
      var minus = q
      plus[i] += delta
      minus[i] -= delta
      let derivative = (lagrangian(plus) - lagrangian(minus)) / (2 * delta)
      #expect((f[2 + i] - derivative).magnitude < 1e-8, "∂L/∂q\(i + 1)")
    }
  }
}
