import DiscreteMechanics
import Foundation

/// GSL's adaptive rk8pd (``ReferenceSolver``) tuned to the energy accuracy of a Verlet run over
/// the same time span, so that their costs per unit of simulated time can be compared.
///
/// The absolute and relative tolerances are set equal and scanned downwards over
/// `10^(−k/4)`, `k = 8, 9, …, 56` (1e-2 to 1e-14); the first tolerance whose maximum energy
/// error `max |E(t) − E(0)|` over `span`, sampled every ``sampleInterval`` time units, is no
/// larger than the target is kept. Each solver step advances one sample interval with its own
/// adaptive sub-steps (a fresh GSL driver per call, as ``ReferenceSolver`` works).
public struct EnergyMatchedReference<System: LagrangianSystem> {
  /// The time between energy samples, which is also the solver's `stepSize`.
  public static var sampleInterval: Double { 1 }

  /// The system and initial state.
  public let system: System
  public let initial: PhaseState
  /// The time span.
  public let span: Double
  /// The energy error to reach (Verlet's).
  public let targetEnergyError: Double
  /// The loosest tolerance of the scan that reaches ``targetEnergyError``.
  public let tolerance: Double
  /// rk8pd's maximum energy error over ``span`` at ``tolerance``.
  public let energyError: Double

  /// Scans tolerances as described above.
  ///
  /// - Throws: ``IntegrationError/invalidParameter(name:value:requirement:)`` when even the
  ///   tightest tolerance misses the target; solver errors as they occur.
  public init(system: System, initial: PhaseState, span: Double, targetEnergyError: Double)
    throws(IntegrationError)
  {
    self.system = system
    self.initial = initial
    self.span = span
    self.targetEnergyError = targetEnergyError
    for k in 8...56 {
      let tolerance = Foundation.pow(10, -Double(k) / 4)
      let error = try Self.maxEnergyError(
        system: system, initial: initial, span: span, tolerance: tolerance)
      if error <= targetEnergyError {
        self.tolerance = tolerance
        self.energyError = error
        return
      }
    }
    throw .invalidParameter(
      name: "target energy error", value: targetEnergyError,
      requirement: "must be reachable by rk8pd with tolerance ≥ 1e-14")
  }

  /// The solver at ``tolerance``, stepping one ``sampleInterval`` per call.
  public func solver() throws(IntegrationError) -> ReferenceSolver<System> {
    try Self.solver(system: system, tolerance: tolerance)
  }

  /// The number of solver steps that cover ``span``.
  public var steps: Int { Int((span / Self.sampleInterval).rounded()) }

  private static func solver(system: System, tolerance: Double) throws(IntegrationError)
    -> ReferenceSolver<System>
  {
    try ReferenceSolver(
      system: system, stepSize: sampleInterval, absoluteTolerance: tolerance,
      relativeTolerance: tolerance)
  }

  private static func maxEnergyError(
    system: System, initial: PhaseState, span: Double, tolerance: Double
  ) throws(IntegrationError) -> Double {
    var solver = try solver(system: system, tolerance: tolerance)
    return try EnergyError.maximum(
      of: &solver, system: system, from: initial, steps: Int((span / sampleInterval).rounded()))
  }
}

/// The maximum energy error of a trajectory.
public enum EnergyError {
  /// `max_k |E(x_k) − E(x_0)|` over `steps` steps of `integrator` from `initial`, every step
  /// sampled.
  public static func maximum<Method: Integrator>(
    of integrator: inout Method, system: some LagrangianSystem, from initial: PhaseState,
    steps: Int
  ) throws(IntegrationError) -> Double where Method.State == PhaseState {
    let energy0 = system.energy(initial)
    var state = initial
    var maximum = 0.0
    for _ in 0..<steps {
      try integrator.step(&state)
      maximum = max(maximum, abs(system.energy(state) - energy0))
    }
    return maximum
  }
}

extension EnergyMatchedReference where System: ConstantMassSystem {
  /// Tuned to the maximum energy error of Störmer–Verlet with step `verletStepSize` over `span`
  /// (every Verlet step sampled).
  public init(
    matchingVerletWithStepSize verletStepSize: Double, system: System, initial: PhaseState,
    span: Double
  ) throws(IntegrationError) {
    var verlet = try StormerVerlet(system: system, stepSize: verletStepSize)
    let target = try EnergyError.maximum(
      of: &verlet, system: system, from: initial, steps: Int((span / verletStepSize).rounded()))
    try self.init(system: system, initial: initial, span: span, targetEnergyError: target)
  }
}
