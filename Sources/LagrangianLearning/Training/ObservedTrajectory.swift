import Manifolds

/// One observed trajectory: states sampled at equally spaced times, in the layout of their
/// state space (``ObservationLayout``): coordinates `q_k` (and optionally `q̇_k`), or a rigid
/// body's attitudes `R_k` and body angular velocities `Ω_k`.
public struct ObservedTrajectory: Equatable, Sendable {
  /// The samples of a trajectory, one column per quantity.
  public enum States: Equatable, Sendable {
    /// `q_k` (n entries each) and, if observed, `q̇_k`.
    case coordinates(positions: [[Double]], velocities: [[Double]]?)
    /// `R_k ∈ SO(3)` and `Ω_k`.
    case rigidBody(attitudes: [SO3], angularVelocities: [Vector3])
  }

  /// `t_k`.
  public let times: [Double]
  /// The samples.
  public let states: States
  /// The inputs `u_k` (m numbers each, one per sample) recorded with the samples, held over
  /// `[t_k, t_{k+1})` (zero-order hold; the last sample's is not used), or `nil` for a
  /// trajectory recorded without inputs (``withInputs(_:)``).
  public private(set) var inputs: [[Double]]?

  /// A trajectory of coordinates.
  /// - Throws: ``LearningError/dimensionMismatch(name:expected:actual:)`` if the columns have
  ///   different lengths or rows different sizes; ``LearningError/nonFiniteObservation(trajectory:sample:value:)``
  ///   for a NaN or infinite entry (reported as trajectory 0; the trainer renumbers).
  public init(times: [Double], positions: [[Double]], velocities: [[Double]]? = nil)
    throws(LearningError)
  {
    guard positions.count == times.count else {
      throw .dimensionMismatch(name: "positions", expected: times.count, actual: positions.count)
    }
    if let velocities, velocities.count != times.count {
      throw .dimensionMismatch(name: "velocities", expected: times.count, actual: velocities.count)
    }
    let n = positions.first?.count ?? 0
    for (name, rows) in [("q", positions), ("v", velocities ?? [])] {
      for (k, row) in rows.enumerated() {
        guard row.count == n else {
          throw .dimensionMismatch(name: "\(name) at sample \(k)", expected: n, actual: row.count)
        }
        try Self.checkFinite(row, sample: k)
      }
    }
    self.times = times
    states = .coordinates(positions: positions, velocities: velocities)
  }

  /// The number of samples.
  public var count: Int { times.count }

  /// The number m of inputs per sample (0 without inputs).
  public var inputCount: Int { inputs?.first?.count ?? 0 }

  /// This trajectory with the inputs `u_k` (one row of m ≥ 1 numbers per sample).
  /// - Throws: ``LearningError/dimensionMismatch(name:expected:actual:)`` unless there is one
  ///   row per sample, each of the first row's size m ≥ 1;
  ///   ``LearningError/nonFiniteObservation(trajectory:sample:value:)`` for a NaN or infinite
  ///   input.
  public func withInputs(_ inputs: [[Double]]) throws(LearningError) -> ObservedTrajectory {
    guard inputs.count == count else {
      throw .dimensionMismatch(name: "inputs", expected: count, actual: inputs.count)
    }
    let m = inputs.first?.count ?? 0
    guard m >= 1 else {
      throw .dimensionMismatch(name: "inputs per sample", expected: 1, actual: 0)
    }
    for (k, row) in inputs.enumerated() {
      guard row.count == m else {
        throw .dimensionMismatch(name: "u at sample \(k)", expected: m, actual: row.count)
      }
      try Self.checkFinite(row, sample: k)
    }
    var trajectory = self
    trajectory.inputs = inputs
    return trajectory
  }

  /// The state space of the samples.
  public var layout: ObservationLayout {
    switch states {
    case .coordinates: .coordinates
    case .rigidBody: .rigidBody
    }
  }

  /// The configuration dimension: n for coordinates on Rⁿ, 3 for a rigid body (SO(3)).
  public var dimension: Int {
    switch states {
    case .coordinates(let positions, _): positions.first?.count ?? 0
    case .rigidBody: 3
    }
  }

  /// Whether the samples include velocities: `q̇` of coordinates (when observed), a rigid
  /// body's Ω (always).
  public var hasVelocities: Bool {
    switch states {
    case .coordinates(_, let velocities): velocities != nil
    case .rigidBody: true
    }
  }

  /// `q_k` of a trajectory of coordinates (`nil` for a rigid body).
  public var positions: [[Double]]? {
    if case .coordinates(let positions, _) = states { positions } else { nil }
  }

  /// `q̇_k` of a trajectory of coordinates, if observed (`nil` otherwise and for a rigid body).
  public var velocities: [[Double]]? {
    if case .coordinates(_, let velocities) = states { velocities } else { nil }
  }

  /// The state at sample `k`, `(q_k, q̇_k)` or `(R_k, Ω_k)`; `nil` for coordinates without
  /// velocities. It is where a forecast that is compared with this trajectory starts
  /// (``RolloutModel/forecast(from:steps:)``).
  public func state(at k: Int) -> MechanicalState? {
    switch states {
    case .coordinates(let positions, let velocities):
      velocities.map { .coordinates(position: positions[k], velocity: $0[k]) }
    case .rigidBody(let attitudes, let angularVelocities):
      .rigidBody(attitude: attitudes[k], angularVelocity: angularVelocities[k])
    }
  }

  /// Observation `k` as the models see it, a row of
  /// ``ObservationLayout/observationDimension(configurationDimension:velocities:)`` numbers:
  /// `(q_k, q̇_k)`, or `q_k` when `withVelocities` is false; `(R_k, Ω_k)` for a rigid body.
  func observation(_ k: Int, withVelocities: Bool) -> [Double] {
    switch states {
    case .coordinates(let positions, let velocities):
      withVelocities ? positions[k] + (velocities?[k] ?? []) : positions[k]
    case .rigidBody(let attitudes, let angularVelocities):
      attitudes[k].matrix.entries + angularVelocities[k].components
    }
  }

  /// - Throws: ``LearningError/nonFiniteObservation(trajectory:sample:value:)`` for the first
  ///   NaN or infinite entry of `values`.
  static func checkFinite(_ values: [Double], sample k: Int) throws(LearningError) {
    if let bad = values.first(where: { !$0.isFinite }) {
      throw .nonFiniteObservation(trajectory: 0, sample: k, value: bad)
    }
  }
}
