import CGSL
import Manifolds

/// A high-accuracy reference solution of Hamilton's equations with GSL's adaptive
/// Runge–Kutta–Prince–Dormand (8, 9) method `gsl_odeiv2_step_rk8pd`.
///
/// Each call to ``step(_:)`` advances by exactly `stepSize` with as many adaptive sub-steps as the
/// error control `|err_i| ≤ absoluteTolerance + relativeTolerance |x_i|` needs. It is the
/// "independent high-accuracy solution" that orders of convergence are measured against; it is
/// not symplectic (energy drifts, slowly, at the tolerance).
public struct ReferenceSolver<System: LagrangianSystem>: SystemIntegrator {
  public let stepSize: Double
  public static var methodTraits: IntegratorTraits {
    IntegratorTraits(
      name: "rk8pd", isExplicit: true, isSymplectic: false, isSymmetric: false, order: 8,
      isAdaptive: true)
  }
  public let field: HamiltonianVectorField<System>
  public let absoluteTolerance: Double
  public let relativeTolerance: Double

  /// The solver with the default tolerances (1e-12 each).
  public init(system: System, stepSize: Double) throws(IntegrationError) {
    try self.init(
      system: system, stepSize: stepSize, absoluteTolerance: 1e-12, relativeTolerance: 1e-12)
  }

  public init(
    system: System, stepSize: Double, absoluteTolerance: Double, relativeTolerance: Double
  ) throws(IntegrationError) {
    try StepSize.validate(stepSize)
    self.stepSize = stepSize
    self.field = HamiltonianVectorField(system: system)
    self.absoluteTolerance = absoluteTolerance
    self.relativeTolerance = relativeTolerance
  }

  public mutating func step(_ state: inout PhaseState) throws(IntegrationError) {
    let n = field.system.dimension
    var x = state.flattened
    try advance(&x, by: stepSize)
    state.q = Array(x[0..<n])
    state.p = Array(x[n..<(2 * n)])
  }

  /// Advances `x` by `duration` with the adaptive driver.
  func advance(_ x: inout [Double], by duration: Double) throws(IntegrationError) {
    GSLErrorHandler.disableAbort
    let field = self.field
    let context = ODEContext(dimension: x.count) { (y) throws(IntegrationError) in try field(y) }
    var system = gsl_odeiv2_system(
      function: odeRightHandSide, jacobian: nil, dimension: x.count,
      params: Unmanaged.passUnretained(context).toOpaque())
    guard
      let driver = gsl_odeiv2_driver_alloc_y_new(
        &system, cgsl_odeiv2_rk8pd(), min(duration, 1e-3), absoluteTolerance, relativeTolerance)
    else { throw .nonFiniteState(step: nil) }
    defer { gsl_odeiv2_driver_free(driver) }
    // A bounded number of adaptive sub-steps per step: a step of 1e300 would otherwise run
    // for ever.
    gsl_odeiv2_driver_set_nmax(driver, ReferenceSolverLimits.maxSubsteps)
    var t = 0.0
    let status = gsl_odeiv2_driver_apply(driver, &t, duration, &x)
    withExtendedLifetime(context) {}
    if status == Int32(GSL_EMAXITER) { throw ReferenceSolverLimits.tooManySubsteps(duration) }
    if let failure = context.failure { throw failure }
    guard status == Int32(GSL_SUCCESS), x.allSatisfy(\.isFinite) else {
      throw .nonFiniteState(step: nil)
    }
  }
}

/// The vector field GSL calls back, boxed for its `params` pointer (not generic: C callbacks
/// cannot capture generic parameters).
final class ODEContext {
  let field: ([Double]) throws(IntegrationError) -> [Double]
  var failure: IntegrationError?
  let dimension: Int
  init(dimension: Int, field: @escaping ([Double]) throws(IntegrationError) -> [Double]) {
    self.dimension = dimension
    self.field = field
  }
}

/// `dy/dt = f(y)` for `gsl_odeiv2_system`; a failure is stored in the context.
private let odeRightHandSide:
  @convention(c) (
    Double, UnsafePointer<Double>?, UnsafeMutablePointer<Double>?, UnsafeMutableRawPointer?
  )
    -> Int32 = { _, y, dydt, params in
      let context = Unmanaged<ODEContext>.fromOpaque(params!).takeUnretainedValue()
      let dim = context.dimension
      let input = Array(UnsafeBufferPointer(start: y!, count: dim))
      switch Result(catching: { () throws(IntegrationError) in try context.field(input) }) {
      case .success(let f):
        for i in 0..<dim { dydt![i] = f[i] }
        return Int32(GSL_SUCCESS)
      case .failure(let error):
        context.failure = error
        return Int32(GSL_EBADFUNC)
      }
    }

/// The sub-step limit of both GSL reference solvers.
enum ReferenceSolverLimits {
  /// Adaptive sub-steps allowed within one step (GSL's driver fails with `GSL_EMAXITER` beyond).
  static let maxSubsteps: UInt = 100_000

  /// The error for a step that needs more than ``maxSubsteps`` sub-steps.
  static func tooManySubsteps(_ stepSize: Double) -> IntegrationError {
    .stepTooLarge(
      step: nil,
      detail:
        "the step of \(stepSize) needs more than \(maxSubsteps) adaptive rk8pd sub-steps (GSL_EMAXITER); use a smaller step size"
    )
  }
}
