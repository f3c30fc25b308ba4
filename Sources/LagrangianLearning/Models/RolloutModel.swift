import _Differentiation

/// A learned discrete-time dynamics model that can be trained on trajectories and forecast.
///
/// A rollout starts from an *initial state* (``initialStateDimension`` numbers, e.g.
/// `(q₀, q̇₀)` or `(q₀, q₁)`) and returns `steps + 1` predicted observations, the first being
/// the prediction at the initial time; each observation has ``observationDimension`` entries,
/// `(q, q̇)` or `q` alone. The rollout is differentiable with respect to the model parameters
/// and the initial state.
public protocol RolloutModel: ParameterFlattening, Sendable {
  /// The model's kind.
  var kind: ModelKind { get }
  /// The configuration dimension n.
  var configurationDimension: Int { get }
  /// The time step h between observations.
  var stepSize: Double { get }
  /// Whether observations include velocities (`(q, q̇)`, 2n entries) or only positions (n).
  var observesVelocities: Bool { get }
  /// The number of entries of a rollout's initial state.
  var initialStateDimension: Int { get }

  /// The initial state read directly off a window's first observations (the naive start):
  /// `observations` holds the window row by row, ``observationDimension`` entries per row.
  func naiveInitialState(_ observations: [Double]) -> [Double]

  /// Predicted observations at steps 0…`steps`, flattened row by row.
  @differentiable(reverse,wrt: (self, initial))
  func rollout(from initial: [Double], steps: Int) -> [Double]

  /// A forecast of `steps` steps from position `q0` and velocity `v0`.
  func forecast(position q0: [Double], velocity v0: [Double], steps: Int)
    throws(LearningError) -> Forecast
}

extension RolloutModel {
  /// The number of entries of one observation: 2n with velocities, n without.
  public var observationDimension: Int {
    observesVelocities ? 2 * configurationDimension : configurationDimension
  }
}

/// A forecast trajectory `(q_k, q̇_k)`, k = 0…steps, and the learned energy where the model has one.
public struct Forecast: Equatable, Sendable {
  /// `t_k = k h`.
  public var times: [Double]
  public var positions: [[Double]]
  public var velocities: [[Double]]
  /// The learned model's energy at each step (`nil` for models without an energy).
  public var energies: [Double]?

  public init(
    times: [Double], positions: [[Double]], velocities: [[Double]], energies: [Double]?
  ) {
    self.times = times
    self.positions = positions
    self.velocities = velocities
    self.energies = energies
  }
}
