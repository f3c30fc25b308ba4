import Manifolds
import _Differentiation

/// A learned discrete-time dynamics model that can be trained on trajectories and forecast.
///
/// A model lives on one state space, its ``observationLayout``: coordinates `(q, q̇)` on Rⁿ or
/// a rigid body's `(R, Ω)` on SO(3). It is trained on trajectories of that layout, whose
/// observation rows have ``observationDimension`` numbers (`(q, q̇)`, `q` alone, or
/// `(R11, …, R33, Ω)`), and it forecasts from a ``MechanicalState`` of that layout
/// (``forecast(from:steps:)``).
///
/// A rollout starts from an *initial state* (``initialStateDimension`` numbers, e.g.
/// `(q₀, q̇₀)`, `(q₀, q₁)` or `(R₀, Ω₀)`) and returns `steps + 1` predicted observation rows, the
/// first being the prediction at the initial time. The rollout is differentiable with respect
/// to the model parameters and the initial state.
public protocol RolloutModel: ParameterFlattening, Sendable {
  /// The model's kind.
  var kind: ModelKind { get }
  /// The state space the model learns and forecasts on (default: coordinates).
  var observationLayout: ObservationLayout { get }
  /// The configuration dimension: n on Rⁿ, 3 on SO(3).
  var configurationDimension: Int { get }
  /// The time step h between observations.
  var stepSize: Double { get }
  /// Whether observations include velocities (`(q, q̇)` or `(R, Ω)`) or only positions `q`.
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

  /// The number m of inputs `u` the model's steps take (0, the default, for an unforced model).
  var inputCount: Int { get }

  /// ``rollout(from:steps:workspace:)`` driven by the inputs `inputs`: B blocks of `steps · m`
  /// numbers, window b's `u_0, …, u_{K−1}` (m each), `u_k` held over step k → k + 1. Default:
  /// the unforced rollout (a model without inputs, given none).
  @differentiable(reverse,wrt: (self, initial))
  func rollout(
    from initial: [Double], inputs: [Double], steps: Int, workspace: RolloutWorkspace
  ) -> [Double]

  /// A forecast of `steps` steps from `initial`, a state in the model's
  /// ``observationLayout``, in the same state space.
  /// - Throws: ``LearningError/invalidConfiguration(name:value:requirement:)`` for a state of
  ///   another state space, ``LearningError/dimensionMismatch(name:expected:actual:)`` for one
  ///   of the wrong size, ``LearningError/integrationFailed(_:)`` when a step fails.
  func forecast(from initial: MechanicalState, steps: Int) throws(LearningError)
    -> ForecastTrajectory

  /// ``forecast(from:steps:)`` driven by `inputs`: `u_k` (``inputCount`` numbers) held over
  /// step k → k + 1, at least `steps` rows (more are ignored). Default: the unforced forecast
  /// for a model without inputs given none.
  /// - Throws: as ``forecast(from:steps:)``; as ``checkForecastInputs(_:steps:)``.
  func forecast(from initial: MechanicalState, inputs: [[Double]], steps: Int)
    throws(LearningError) -> ForecastTrajectory

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

  public var inputCount: Int { 0 }

  public func forecast(from initial: MechanicalState, inputs: [[Double]], steps: Int)
    throws(LearningError) -> ForecastTrajectory
  {
    try checkForecastInputs(inputs, steps: steps)
    guard inputCount == 0 else {
      throw .invalidConfiguration(
        name: "model \(kind.rawValue)", value: "\(inputCount) inputs",
        requirement: "must implement forecast(from:inputs:steps:) to forecast with inputs")
    }
    return try forecast(from: initial, steps: steps)
  }

  /// Checks the inputs of a forecast of `steps` steps: none for a model without inputs,
  /// otherwise at least `steps` rows of ``inputCount`` finite numbers.
  /// - Throws: ``LearningError/dimensionMismatch(name:expected:actual:)`` naming the rows or the
  ///   row of the wrong size; ``LearningError/invalidConfiguration(name:value:requirement:)``
  ///   naming a NaN or infinite input.
  public func checkForecastInputs(_ inputs: [[Double]], steps: Int) throws(LearningError) {
    let m = inputCount
    if m == 0 {
      guard inputs.isEmpty else {
        throw .dimensionMismatch(
          name: "inputs of \(kind.rawValue)", expected: 0, actual: inputs.count)
      }
      return
    }
    guard inputs.count >= steps else {
      throw .dimensionMismatch(
        name: "input rows (one per step)", expected: steps, actual: inputs.count)
    }
    for (k, row) in inputs.prefix(steps).enumerated() {
      guard row.count == m else {
        throw .dimensionMismatch(name: "inputs of step \(k)", expected: m, actual: row.count)
      }
      try ModelLimits.checkFinite(row, field: "u at step \(k)")
    }
  }

  @differentiable(reverse,wrt: (self, initial))
  public func rollout(
    from initial: [Double], inputs: [Double], steps: Int, workspace: RolloutWorkspace
  ) -> [Double] {
    rollout(from: initial, steps: steps, workspace: workspace)
  }

  public var observationLayout: ObservationLayout { .coordinates }

  public var startParameterDimension: Int { initialStateDimension }

  public func initialStartParameters(naive: [Double]) -> [Double] { naive }

  @differentiable(reverse,wrt: parameters)
  public func initialStates(startParameters parameters: [Double], naive: [Double]) -> [Double] {
    parameters
  }

  /// The number of entries of one observation row: 2n with velocities, n without, 12 on SO(3)
  /// (``ObservationLayout/observationDimension(configurationDimension:velocities:)``).
  public var observationDimension: Int {
    observationLayout.observationDimension(
      configurationDimension: configurationDimension, velocities: observesVelocities)
  }

  /// The forecast of `steps` steps from position `q0` and velocity `v0` of a model on
  /// coordinates: ``forecast(from:steps:)`` from `.coordinates(position: q0, velocity: v0)`.
  /// - Throws: as ``forecast(from:steps:)``.
  public func forecast(position q0: [Double], velocity v0: [Double], steps: Int)
    throws(LearningError) -> Forecast
  {
    let result = try forecast(from: .coordinates(position: q0, velocity: v0), steps: steps)
    guard case .coordinates(let forecast) = result else { throw layoutError(result) }
    return forecast
  }

  /// The forecast of `steps` steps from the attitude R₀ and body angular velocity Ω₀ of a model
  /// on SO(3): ``forecast(from:steps:)`` from `.rigidBody(attitude: R₀, angularVelocity: Ω₀)`.
  /// - Throws: as ``forecast(from:steps:)``.
  public func forecast(attitude: SO3, angularVelocity: Vector3, steps: Int)
    throws(LearningError) -> SO3Forecast
  {
    let result = try forecast(
      from: .rigidBody(attitude: attitude, angularVelocity: angularVelocity), steps: steps)
    guard case .rigidBody(let forecast) = result else { throw layoutError(result) }
    return forecast
  }

  /// The error of a model whose forecast is not in the state space it started from.
  private func layoutError(_ result: ForecastTrajectory) -> LearningError {
    .invalidConfiguration(
      name: "forecast of \(kind.rawValue)", value: result.layout.stateDescription,
      requirement: "must be in the state space of its initial state")
  }
}
