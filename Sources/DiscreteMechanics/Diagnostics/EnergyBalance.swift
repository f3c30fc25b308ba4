/// The discrete energy balance of a forced trajectory: how far the energy change of each step
/// is from the work of its discrete forces, `W_k = (f_d⁻ + f_d⁺) · v_k` (``DiscreteForces/work``).
///
/// The continuous energy changes by the work of the non-conservative forces,
/// `dE/dt = q̇ · F = q̇ᵀ B u − q̇ᵀ D q̇`. A forced variational integrator of order 2 satisfies the
/// discrete balance `E_{k+1} − E_k = W_k` up to its O(h³) local error, so the accumulated
/// residual `E_k − E_0 − Σ_{j<k} W_j` stays O(h²) over a fixed time span (the unforced energy
/// error is its special case `W = 0`); a method that dissipated energy it should not, or
/// evaluated the forces at the wrong velocity, shows a residual of order h or larger.
public struct EnergyBalance: Sendable {
  /// `(E_{k+1} − E_k) − W_k`, one per step.
  public var residuals: [Double]
  /// `E_k − E_0 − Σ_{j<k} W_j`, one per state (0 at k = 0).
  public var accumulatedResiduals: [Double]
  /// `max_k |E_k − E_0 − Σ_{j<k} W_j|`.
  public var maxAccumulatedResidual: Double

  /// The balance of the energies `energies` (N + 1 states) against the works `works` of the N
  /// steps between them; `nil` unless `energies.count == works.count + 1`.
  public init?(energies: [Double], works: [Double]) {
    guard energies.count == works.count + 1 else { return nil }
    residuals = works.indices.map { (energies[$0 + 1] - energies[$0]) - works[$0] }
    var accumulated = [0.0]
    var work = 0.0
    for k in works.indices {
      work += works[k]
      accumulated.append((energies[k + 1] - energies[0]) - work)
    }
    accumulatedResiduals = accumulated
    maxAccumulatedResidual = accumulated.reduce(0) { max($0, $1.magnitude) }
  }
}
