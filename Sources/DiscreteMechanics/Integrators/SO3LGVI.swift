import Manifolds

/// The Lie group variational integrator (LGVI) for a rigid body on SO(3) (Lee, Leok, McClamroch,
/// *Lie group variational integrators for the full body problem*, CMAME 196, 2007, eq. (25)–(27);
/// Lee, Leok, McClamroch, CDC 2005):
///
///     h (Π_k + (h/2) M_k)^ = F_k J_d − J_d F_kᵀ,    J_d = ½ tr(J) I − J,
///     R_{k+1} = R_k F_k,
///     Π_{k+1} = F_kᵀ Π_k + (h/2) F_kᵀ M_k + (h/2) M_{k+1}.
///
/// The implicit equation is solved for `F_k = exp(f̂)` as the 3-vector equation
/// `G(f) = (sin|f|/|f|) J f + ((1 − cos|f|)/|f|²)(f × J f) − g = 0`, `g = hΠ_k + (h²/2)M_k`,
/// from the tangent predictor `f_{k−1} + DG(f_{k−1})⁻¹ (g_k − g_{k−1})`: the first-order change
/// of the previous step's root with the right-hand side, with the inverse Jacobian Newton last
/// formed there, so that it costs no evaluation of G (about 1e-6 from the root for the default
/// heavy top, against 2e-3 for `f_{k−1}` itself). The method is symplectic, symmetric (reversing Π
/// retraces the trajectory), of order 2, keeps the attitude on SO(3), and conserves the momentum
/// map of every symmetry of U exactly (for the free body `|Π|`, `RΠ` and the energy; for the heavy
/// top `e_zᵀRΠ`).
///
/// Two numerical details keep the invariants at round-off:
/// - Newton is iterated until its correction is below 1e-15 or stops shrinking, not to a loose
///   residual: each step then solves its equation to round-off (LGVI residual ~1e-15; a stop at
///   `|G| ≤ 1e-12` leaves steps solved only to ~1e-12, and the invariants that depend on the
///   solve, such as the free body's energy, inherit that error);
/// - the attitude is updated as `R_{k+1} = R_k + R_k E` with `E = F_k − I = a f̂ + b f̂²` in closed
///   form, and `F_kᵀv = v + Eᵀv`, so that the increment is never rounded against the 1 of the
///   identity (with `R_k F_k` and a rounded F, `|RᵀR − I|` reached 3.9e-12 after 10⁵ free-body
///   steps, against 1.7e-14 this way).
///
/// **Solver.** The Newton iteration on `SIMD3`/`Matrix3` with the analytic Jacobian is the
/// primary path: it allocates nothing, and from the predictor it takes two iterations per step
/// (the second correction is at round-off and the quadratic-convergence estimate puts the next
/// below it; see ``SO3LGVIEquation``), about 0.2 µs per default heavy-top step
/// (`Docs/Benchmarks.md`). GSL's `gsl_multiroot_fdfsolver_newton` doing the same iterations cost
/// three times as much (its `gsl_vector` traffic, LU factorisation and extra evaluation in `set`).
/// When Newton fails (singular Jacobian, non-finite residual, no convergence in
/// ``maxNewtonIterations``), GSL's multiroot solvers take over from `J⁻¹g` through the package's
/// one GSL driver, ``RootFindingWorkspace``: Newton, then `hybridsj`, both with the analytic
/// Jacobian, allocated once on first use and reused.
public struct SO3LGVI<System: RigidBodySystem>: SystemIntegrator {
  public let system: System
  public let stepSize: Double
  public static var methodTraits: IntegratorTraits {
    IntegratorTraits(
      name: "lgvi", isExplicit: false, isSymplectic: true, isSymmetric: true, order: 2)
  }
  /// The iteration cap of each solver (Swift Newton, GSL newton, GSL hybridsj).
  public let maxNewtonIterations: Int

  /// The solver iterations summed over all steps taken (GSL fallback iterations included).
  public var newtonIterations: Int { counts.iterations }
  /// The number of successful steps taken.
  public var stepsTaken: Int { counts.steps }
  /// `newtonIterations / stepsTaken` (0 before the first step).
  public var meanNewtonIterations: Double {
    stepsTaken > 0 ? Double(newtonIterations) / Double(stepsTaken) : 0
  }

  @usableFromInline var counts = (iterations: 0, steps: 0)
  @usableFromInline var equation: SO3LGVIEquation
  @usableFromInline let inverseInertia: Matrix3
  /// The previous step's root f, right-hand side g and `DG⁻¹`, from which the predictor starts;
  /// before the first step `(0, 0, J⁻¹)`, which makes the first guess `J⁻¹g`.
  @usableFromInline var predictor: (root: Vector3, target: Vector3, inverseJacobian: Matrix3)
  /// `M(R_{k+1})` of the previous step and `R_{k+1}`, reused as `M_k` when the next step starts
  /// there (NaN before the first step, so never).
  @usableFromInline var cachedMoment: (attitude: Matrix3, moment: Vector3)
  @usableFromInline var fallback: SO3LGVIMultirootSolver?

  /// - Throws: ``IntegrationError/invalidStepSize(_:)`` unless `stepSize` is positive and finite;
  ///   ``IntegrationError/invalidParameter(name:value:requirement:)`` unless the system's inertia
  ///   is finite, symmetric and positive definite, or `maxNewtonIterations < 1`.
  public init(system: System, stepSize: Double) throws(IntegrationError) {
    try self.init(system: system, stepSize: stepSize, maxNewtonIterations: 30)
  }

  /// - Throws: ``IntegrationError/invalidStepSize(_:)`` unless `stepSize` is positive and finite;
  ///   ``IntegrationError/invalidParameter(name:value:requirement:)`` unless the system's inertia
  ///   is finite, symmetric and positive definite, or `maxNewtonIterations < 1`.
  public init(system: System, stepSize: Double, maxNewtonIterations: Int)
    throws(IntegrationError)
  {
    try StepSize.validate(stepSize)
    try RigidBodyInertia.validate(system.inertia)
    guard maxNewtonIterations >= 1 else {
      throw .invalidParameter(
        name: "maxNewtonIterations", value: Double(maxNewtonIterations),
        requirement: "must be at least 1")
    }
    guard let inverse = system.inertia.inverse else {
      throw .invalidParameter(
        name: "J", value: system.inertia.determinant, requirement: "det J must be nonzero")
    }
    self.system = system
    self.stepSize = stepSize
    self.maxNewtonIterations = maxNewtonIterations
    self.inverseInertia = inverse
    self.equation = SO3LGVIEquation(inertia: system.inertia, target: .zero)
    predictor = (.zero, .zero, inverse)
    let nan = Vector3(repeating: .nan)
    cachedMoment = (Matrix3(rows: nan, nan, nan), nan)
  }

  /// One LGVI step; allocates nothing unless the GSL fallback is needed for the first time.
  /// `@inlinable`, so that it is specialised for the caller's system. It is
  /// ``advanceAttitude(of:moment:)`` followed by ``completeStep(_:nextMoment:)`` with the
  /// system's moments.
  ///
  /// - Throws: ``IntegrationError/rootFindingFailed(step:_:)`` naming the residual and the
  ///   iteration count when neither Newton nor GSL solves the implicit equation;
  ///   ``IntegrationError/nonFiniteState(step:)`` when the new state is not finite.
  @inlinable
  public mutating func step(_ state: inout RigidBodyState) throws(IntegrationError) {
    let attitude = state.attitude.matrix
    let moment =
      cachedMoment.attitude == attitude ? cachedMoment.moment : system.moment(at: state.attitude)
    let advance = try advanceAttitude(of: state, moment: moment)
    let nextMoment = system.moment(at: advance.attitude)
    state = try completeStep(advance, nextMoment: nextMoment)
    cachedMoment = (advance.attitude.matrix, nextMoment)
  }

  /// The implicit half of a step from `state = (R_k, Π_k)` with the moment `M_k = M(R_k)`:
  /// `μ = Π_k + (h/2)M_k`, the root f of `G(f) = 0` with `g = hμ`, and `R_{k+1} = R_k + R_k E`,
  /// `E = exp(f̂) − I`. A caller that evaluates the moments itself (a learned model evaluating
  /// its potential for many bodies at once) steps by this and ``completeStep(_:nextMoment:)``
  /// with `M_{k+1} = M(R_{k+1})` in between: the same arithmetic as ``step(_:)``.
  /// - Throws: as ``step(_:)``.
  @inlinable
  public mutating func advanceAttitude(of state: RigidBodyState, moment: Vector3)
    throws(IntegrationError) -> SO3LGVIAdvance
  {
    let h = stepSize
    let attitude = state.attitude.matrix
    let momentum = state.angularMomentum + (0.5 * h) * moment
    equation.target = h * momentum
    guard equation.target.maxAbs.isFinite, attitude.isFinite else {
      throw .nonFiniteState(step: nil)
    }
    let guess =
      predictor.root + predictor.inverseJacobian * (equation.target - predictor.target)
    let newton = equation.newton(from: guess, maxIterations: maxNewtonIterations)
    counts.iterations += newton.iterations
    let solution = newton.converged ? newton : try solveWithGSL(after: newton)
    let f = solution.root
    let increment = Self.exponentialIncrement(f)
    predictor = (f, equation.target, solution.inverseJacobian)
    return SO3LGVIAdvance(
      attitude: SO3(uncheckedMatrix: attitude + attitude * increment), momentum: momentum,
      increment: increment, root: f)
  }

  /// The explicit half of a step: `Π_{k+1} = Fᵀμ + (h/2)M_{k+1}` (as `μ + Eᵀμ + (h/2)M_{k+1}`)
  /// with `M_{k+1} = M(R_{k+1})` of `advance`'s attitude, and the new state `(R_{k+1}, Π_{k+1})`.
  /// - Throws: ``IntegrationError/nonFiniteState(step:)`` when the new state is not finite.
  @inlinable
  public mutating func completeStep(_ advance: SO3LGVIAdvance, nextMoment: Vector3)
    throws(IntegrationError) -> RigidBodyState
  {
    let momentum = advance.momentum
    let nextMomentum =
      momentum + advance.increment.transposeTimes(momentum) + (0.5 * stepSize) * nextMoment
    guard nextMomentum.maxAbs.isFinite, advance.attitude.matrix.isFinite else {
      throw .nonFiniteState(step: nil)
    }
    counts.steps += 1
    return RigidBodyState(attitude: advance.attitude, angularMomentum: nextMomentum)
  }

  /// `E = exp(f̂) − I = a f̂ + b f̂²` in closed form, with `f̂² = f fᵀ − |f|² I`: row i is
  /// `a (eᵢ × f) + b (fᵢ f − |f|² eᵢ)`.
  @inlinable
  static func exponentialIncrement(_ f: Vector3) -> Matrix3 {
    let c = ExponentialCoefficients(f)
    let x = f.squaredNorm
    return Matrix3(
      rows: c.a * Vector3(0, -f.z, f.y) + c.b * (f.x * f - Vector3(x, 0, 0)),
      c.a * Vector3(f.z, 0, -f.x) + c.b * (f.y * f - Vector3(0, x, 0)),
      c.a * Vector3(-f.y, f.x, 0) + c.b * (f.z * f - Vector3(0, 0, x)))
  }

  /// The root f of the implicit equation and `DG⁻¹` near it when Newton (`newton`) failed: GSL
  /// (newton, hybridsj) from the initial guess `J⁻¹g`.
  @usableFromInline
  mutating func solveWithGSL(after newton: SO3LGVISolution) throws(IntegrationError)
    -> SO3LGVISolution
  {
    // A copy of this integrator may share the workspace; then this one gets its own.
    let solver: SO3LGVIMultirootSolver
    if isKnownUniquelyReferenced(&fallback), let existing = fallback {
      solver = existing
    } else {
      do throws(RootFindingError) {
        solver = try SO3LGVIMultirootSolver(equation: equation)
      } catch {
        throw .rootFindingFailed(step: nil, error)
      }
      fallback = solver
    }
    solver.equation = equation
    let gsl = solver.solve(
      from: inverseInertia * equation.target, maxIterations: maxNewtonIterations)
    counts.iterations += gsl.iterations
    guard gsl.converged else {
      let iterations = newton.iterations + gsl.iterations
      throw .rootFindingFailed(
        step: nil,
        .noConvergence(
          iterations: iterations, residualNorm: min(newton.residualNorm, gsl.residualNorm)))
    }
    return gsl
  }
}

/// The implicit half of an ``SO3LGVI`` step (``SO3LGVI/advanceAttitude(of:moment:)``): the new
/// attitude and what ``SO3LGVI/completeStep(_:nextMoment:)`` needs to finish the step.
public struct SO3LGVIAdvance: Sendable {
  /// `R_{k+1} = R_k F_k`.
  public let attitude: SO3
  /// `μ = Π_k + (h/2)M_k`.
  public let momentum: Vector3
  /// `E = F_k − I`.
  public let increment: Matrix3
  /// The root f of the implicit equation, `F_k = exp(f̂)`.
  public let root: Vector3

  @inlinable
  init(attitude: SO3, momentum: Vector3, increment: Matrix3, root: Vector3) {
    self.attitude = attitude
    self.momentum = momentum
    self.increment = increment
    self.root = root
  }
}
