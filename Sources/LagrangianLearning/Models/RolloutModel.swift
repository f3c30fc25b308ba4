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

  /// ``rollout(from:steps:)`` with its working memory taken from `workspace`, which the caller
  /// reuses from one rollout to the next (``Trainer`` keeps one per shard). Default: the
  /// rollout without it.
  @differentiable(reverse,wrt: (self, initial))
  func rollout(from initial: [Double], steps: Int, workspace: RolloutWorkspace) -> [Double]

  /// A forecast of `steps` steps from position `q0` and velocity `v0`.
  func forecast(position q0: [Double], velocity v0: [Double], steps: Int)
    throws(LearningError) -> Forecast

  /// Whether the model can be trained on trajectories of `layout` (default: coordinates only).
  func accepts(_ layout: ObservationLayout) -> Bool

  /// The number of free parameters of one inferred initial state
  /// (``InitialStateInference/learned``); default ``initialStateDimension``.
  var startParameterDimension: Int { get }

  /// The start parameters of windows whose naive initial states are `naive` (B blocks of
  /// ``initialStateDimension`` back to back): where the optimisation of inferred starts begins.
  /// Default: the naive states themselves.
  func initialStartParameters(naive: [Double]) -> [Double]

  /// The initial states (B blocks back to back) that the start parameters `parameters`
  /// (B blocks of ``startParameterDimension``) describe for windows with naive initial states
  /// `naive`. Default: `parameters` (on a vector space the state itself is learned); a model on a
  /// group learns a perturbation of the naive state that keeps the state on the group.
  @differentiable(reverse,wrt: parameters)
  func initialStates(startParameters parameters: [Double], naive: [Double]) -> [Double]
}

extension RolloutModel {
  @differentiable(reverse,wrt: (self, initial))
  public func rollout(from initial: [Double], steps: Int, workspace: RolloutWorkspace) -> [Double] {
    rollout(from: initial, steps: steps)
  }

  public func accepts(_ layout: ObservationLayout) -> Bool { layout == .coordinates }

  public var startParameterDimension: Int { initialStateDimension }

  public func initialStartParameters(naive: [Double]) -> [Double] { naive }

  @differentiable(reverse,wrt: parameters)
  public func initialStates(startParameters parameters: [Double], naive: [Double]) -> [Double] {
    parameters
  }

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
