import CRK8PDPeer
import DiscreteMechanics

/// GSL rk8pd driven from C (`CRK8PDPeer`, -O2): the same adaptive steps as
/// ``ReferenceSolver`` at the same tolerance, without its Swift vector-field callbacks, for the
/// pendulum and the Kepler problem. Each step advances one `stepSize`.
public struct ReferencePeer: Integrator {
  /// The systems the C code implements.
  public enum System: Sendable {
    /// `m g l` and `1/(m l²)`.
    case pendulum(mgl: Double, inverseInertia: Double)
    case kepler
  }

  public let system: System
  public let stepSize: Double
  /// The absolute and relative tolerance.
  public let tolerance: Double
  public var traits: IntegratorTraits {
    IntegratorTraits(
      name: "rk8pd (C)", isExplicit: true, isSymplectic: false, isSymmetric: false, order: 8)
  }

  public init(system: System, stepSize: Double, tolerance: Double) {
    self.system = system
    self.stepSize = stepSize
    self.tolerance = tolerance
  }

  /// The peer of ``ReferenceSolver`` at `reference`'s tolerance on the pendulum.
  public init(_ reference: EnergyMatchedReference<Pendulum>) {
    let pendulum = reference.system
    self.init(
      system: .pendulum(
        mgl: pendulum.m * pendulum.gravity * pendulum.length,
        inverseInertia: 1 / pendulum.inertia),
      stepSize: EnergyMatchedReference<Pendulum>.sampleInterval, tolerance: reference.tolerance)
  }

  /// The peer of ``ReferenceSolver`` at `reference`'s tolerance on the Kepler problem.
  public init(_ reference: EnergyMatchedReference<Kepler>) {
    self.init(
      system: .kepler, stepSize: EnergyMatchedReference<Kepler>.sampleInterval,
      tolerance: reference.tolerance)
  }

  public mutating func step(_ state: inout PhaseState) throws(IntegrationError) {
    let status: Int32
    switch system {
    case .pendulum(let mgl, let inverseInertia):
      var y = (state.q[0], state.p[0])
      var parameters = crk8pd_pendulum(mgl: mgl, inverseInertia: inverseInertia)
      status = withUnsafeMutableBytes(of: &y) { buffer in
        crk8pd_pendulum_advance(
          &parameters, buffer.baseAddress!.assumingMemoryBound(to: Double.self), stepSize,
          tolerance)
      }
      (state.q[0], state.p[0]) = y
    case .kepler:
      var y = (state.q[0], state.q[1], state.p[0], state.p[1])
      status = withUnsafeMutableBytes(of: &y) { buffer in
        crk8pd_kepler_advance(
          buffer.baseAddress!.assumingMemoryBound(to: Double.self), stepSize, tolerance)
      }
      (state.q[0], state.q[1], state.p[0], state.p[1]) = y
    }
    guard status == 0 else { throw .nonFiniteState(step: nil) }
  }
}
