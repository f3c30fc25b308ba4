import Manifolds

/// A high-accuracy reference solution of Hamilton's equations with GSL's adaptive
/// Runge–Kutta–Prince–Dormand (8, 9) method `gsl_odeiv2_step_rk8pd`.
///
/// Each call to ``step(_:)`` advances by exactly `stepSize` with as many adaptive sub-steps as the
/// error control `|err_i| ≤ absoluteTolerance + relativeTolerance |x_i|` needs (at most 100 000;
/// more is a thrown ``IntegrationError/stepTooLarge(step:detail:)``). It is the
/// "independent high-accuracy solution" that orders of convergence are measured against; it is
/// not symplectic (energy drifts, slowly, at the tolerance). The vector field writes into GSL's
/// buffers: a step allocates its buffers once, not per evaluation. With forces, each step
/// integrates one hold interval of the input (u constant over the step).
public struct ReferenceSolver<System: LagrangianSystem>: SystemIntegrator {
  public let stepSize: Double
  public static var methodTraits: IntegratorTraits {
    IntegratorTraits(
      name: "rk8pd", isExplicit: true, isSymplectic: false, isSymmetric: false, order: 8,
      isAdaptive: true)
  }
  public private(set) var field: HamiltonianVectorField<System>
  private let driver: RK8PDDriver
  public var absoluteTolerance: Double { driver.absoluteTolerance }
  public var relativeTolerance: Double { driver.relativeTolerance }

  /// The solver with the default tolerances (1e-12 each).
  public init(system: System, stepSize: Double) throws(IntegrationError) {
    try self.init(
      system: system, stepSize: stepSize, absoluteTolerance: 1e-12, relativeTolerance: 1e-12)
  }

  /// - Throws: ``IntegrationError/invalidStepSize(_:)`` unless `stepSize` is positive and finite;
  ///   ``IntegrationError/invalidParameter(name:value:requirement:)`` for a tolerance that is not
  ///   positive and finite.
  public init(
    system: System, stepSize: Double, absoluteTolerance: Double, relativeTolerance: Double
  ) throws(IntegrationError) {
    try StepSize.validate(stepSize)
    self.stepSize = stepSize
    self.field = HamiltonianVectorField(system: system)
    self.driver = try RK8PDDriver(
      absoluteTolerance: absoluteTolerance, relativeTolerance: relativeTolerance)
  }

  /// - Throws: ``IntegrationError/singularMassMatrix(step:)`` when M(q) is singular along the
  ///   way; ``IntegrationError/stepTooLarge(step:detail:)`` when the step needs more than
  ///   100 000 sub-steps; ``IntegrationError/nonFiniteState(step:)`` when GSL fails or the
  ///   state is not finite.
  public mutating func step(_ state: inout PhaseState) throws(IntegrationError) {
    let n = field.system.dimension
    var x = state.flattened
    let field = self.field
    var buffers = HamiltonianVectorField<System>.Buffers(dimension: n)
    try driver.advance(&x, by: stepSize) { (y, dydt) throws(IntegrationError) in
      for i in 0..<n {
        buffers.q[i] = y[i]
        buffers.p[i] = y[n + i]
      }
      try field.evaluate(&buffers)
      for i in 0..<n {
        dydt[i] = buffers.velocity[i]
        dydt[n + i] = buffers.force[i]
      }
    }
    state.q = Array(x[0..<n])
    state.p = Array(x[n..<(2 * n)])
  }
}

extension ReferenceSolver: ForcedIntegrator {
  /// The solver with the default tolerances and the non-conservative `forces`.
  /// - Throws: as ``init(system:stepSize:)`` and ``HamiltonianVectorField/init(system:forces:)``.
  public init(system: System, stepSize: Double, forces: any GeneralisedForce)
    throws(IntegrationError)
  {
    try self.init(
      system: system, stepSize: stepSize, absoluteTolerance: 1e-12, relativeTolerance: 1e-12,
      forces: forces)
  }

  /// The solver with the given tolerances and the non-conservative `forces`.
  /// - Throws: as ``init(system:stepSize:absoluteTolerance:relativeTolerance:)`` and
  ///   ``HamiltonianVectorField/init(system:forces:)``.
  public init(
    system: System, stepSize: Double, absoluteTolerance: Double, relativeTolerance: Double,
    forces: any GeneralisedForce
  ) throws(IntegrationError) {
    try self.init(
      system: system, stepSize: stepSize, absoluteTolerance: absoluteTolerance,
      relativeTolerance: relativeTolerance)
    field = try HamiltonianVectorField(system: system, forces: forces)
  }

  public var inputCount: Int { field.forces?.inputCount ?? 0 }
  public var input: [Double] { field.input }

  public mutating func holdInput(_ u: [Double]) throws(IntegrationError) {
    try field.holdInput(u)
  }
}
