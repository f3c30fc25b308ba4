import DiscreteMechanics
import Manifolds

/// The systems, initial conditions and step sizes of the benchmark table (issue 3), each as a
/// ready-to-run ``SteppingLoop``. Adding a row to the benchmarks is adding a case here and one
/// line in each runner.
public enum IntegratorWorkload {
  /// The pendulum (m = l = 1, g = 9.81), θ₀ = 1, θ̇₀ = 0, h = 0.01.
  public static let pendulumStepSize = 0.01
  /// The Kepler problem, q₀ = (0.4, 0), q̇₀ = (0, 2) (eccentricity 0.6, period 2π), h = 0.001.
  public static let keplerStepSize = 0.001
  /// The heavy top (defaults), rotation vector (0.5, 0, 0), Ω = (0, 0, 10), h = 0.01.
  public static let heavyTopStepSize = 0.01
  /// The double pendulum (defaults), q₀ = (0.5, 1), q̇₀ = 0, h = 0.01.
  public static let doublePendulumStepSize = 0.01

  /// The pendulum's initial state (θ, p_θ) = (1, 0).
  public static func pendulumState() throws(IntegrationError) -> PhaseState {
    try Pendulum().state(position: [1], velocity: [0])
  }

  /// The Kepler problem's initial state.
  public static func keplerState() throws(IntegrationError) -> PhaseState {
    try Kepler().state(position: [0.4, 0], velocity: [0, 2])
  }

  /// Störmer–Verlet on the pendulum.
  public static func pendulumVerlet() throws(IntegrationError)
    -> SteppingLoop<StormerVerlet<Pendulum>>
  {
    let integrator = try StormerVerlet(system: Pendulum(), stepSize: pendulumStepSize)
    return SteppingLoop(integrator: integrator, state: try pendulumState())
  }

  /// Störmer–Verlet on the Kepler problem.
  public static func keplerVerlet() throws(IntegrationError) -> SteppingLoop<StormerVerlet<Kepler>>
  {
    let integrator = try StormerVerlet(system: Kepler(), stepSize: keplerStepSize)
    return SteppingLoop(integrator: integrator, state: try keplerState())
  }

  /// The SO(3) Lie group variational integrator on the heavy top.
  public static func heavyTopLGVI() throws(IntegrationError) -> SteppingLoop<SO3LGVI<HeavyTop>> {
    let top = try HeavyTop()
    let integrator = try SO3LGVI(system: top, stepSize: heavyTopStepSize)
    let state = try top.state(
      rotationVector: Vector3(0.5, 0, 0), angularVelocity: Vector3(0, 0, 10))
    return SteppingLoop(integrator: integrator, state: state)
  }

  /// The variational midpoint integrator (GSL Newton on the DEL equations) on the double
  /// pendulum, whose mass matrix depends on q.
  public static func doublePendulumMidpoint() throws(IntegrationError)
    -> SteppingLoop<VariationalMidpoint<DoublePendulum>>
  {
    let system = try DoublePendulum()
    let integrator = try VariationalMidpoint(system: system, stepSize: doublePendulumStepSize)
    let state = try system.state(position: [0.5, 1], velocity: [0, 0])
    return SteppingLoop(integrator: integrator, state: state)
  }

  /// The time span over which Verlet and rk8pd are compared at equal energy accuracy.
  public static let energySpan = 100.0

  /// rk8pd at the energy accuracy of ``pendulumVerlet()`` over ``energySpan``.
  public static func pendulumEnergyMatchedReference() throws(IntegrationError)
    -> EnergyMatchedReference<Pendulum>
  {
    try EnergyMatchedReference(
      matchingVerletWithStepSize: pendulumStepSize, system: Pendulum(),
      initial: pendulumState(), span: energySpan)
  }

  /// rk8pd at the energy accuracy of ``keplerVerlet()`` over ``energySpan``.
  public static func keplerEnergyMatchedReference() throws(IntegrationError)
    -> EnergyMatchedReference<Kepler>
  {
    try EnergyMatchedReference(
      matchingVerletWithStepSize: keplerStepSize, system: Kepler(), initial: keplerState(),
      span: energySpan)
  }
}
