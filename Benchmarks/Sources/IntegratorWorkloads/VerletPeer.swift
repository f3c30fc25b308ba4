import CVerletPeer
import DiscreteMechanics

/// The C Verlet loop of the pendulum (`cverlet_pendulum_run`, -O2) on the same initial state
/// and step size as ``IntegratorWorkload/pendulumVerlet()``.
public struct PendulumVerletPeer {
  private let system: cverlet_pendulum
  /// The current state (θ, p_θ).
  public private(set) var state: cverlet_pendulum_state

  public init() throws(IntegrationError) {
    let pendulum = try Pendulum()
    let initial = try IntegratorWorkload.pendulumState()
    system = cverlet_pendulum(
      stepSize: IntegratorWorkload.pendulumStepSize,
      mgl: pendulum.m * pendulum.gravity * pendulum.length,
      inverseInertia: 1 / pendulum.inertia)
    state = cverlet_pendulum_state(q: initial.q[0], p: initial.p[0])
  }

  /// Advances ``state`` by `steps` steps.
  public mutating func run(steps: Int) {
    withUnsafePointer(to: system) { cverlet_pendulum_run($0, &state, steps) }
  }

  /// The state as a ``PhaseState``.
  public var phaseState: PhaseState { PhaseState(q: [state.q], p: [state.p]) }
}

/// The C Verlet loop of the Kepler problem (`cverlet_kepler_run`, -O2) on the same initial state
/// and step size as ``IntegratorWorkload/keplerVerlet()``.
public struct KeplerVerletPeer {
  private let system: cverlet_kepler
  /// The current state (q₁, q₂, p₁, p₂).
  public private(set) var state: cverlet_kepler_state

  public init() throws(IntegrationError) {
    let initial = try IntegratorWorkload.keplerState()
    system = cverlet_kepler(stepSize: IntegratorWorkload.keplerStepSize)
    state = cverlet_kepler_state(q: (initial.q[0], initial.q[1]), p: (initial.p[0], initial.p[1]))
  }

  /// Advances ``state`` by `steps` steps.
  public mutating func run(steps: Int) {
    withUnsafePointer(to: system) { cverlet_kepler_run($0, &state, steps) }
  }

  /// The state as a ``PhaseState``.
  public var phaseState: PhaseState {
    PhaseState(q: [state.q.0, state.q.1], p: [state.p.0, state.p.1])
  }
}
