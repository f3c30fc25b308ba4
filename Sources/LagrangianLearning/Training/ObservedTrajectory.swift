/// One observed trajectory: samples `q_k` (and optionally `q̇_k`) at equally spaced times.
public struct ObservedTrajectory: Equatable, Sendable {
  /// `t_k`.
  public var times: [Double]
  /// `q_k`, n entries each.
  public var positions: [[Double]]
  /// `q̇_k`, n entries each, if observed.
  public var velocities: [[Double]]?
  /// What the rows are: coordinates, or a rigid body's `(R, Ω)` (see ``ObservationLayout``).
  public internal(set) var layout = ObservationLayout.coordinates

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
    for (k, row) in positions.enumerated() {
      guard row.count == n else {
        throw .dimensionMismatch(name: "q at sample \(k)", expected: n, actual: row.count)
      }
      if let bad = row.first(where: { !$0.isFinite }) {
        throw .nonFiniteObservation(trajectory: 0, sample: k, value: bad)
      }
    }
    for (k, row) in (velocities ?? []).enumerated() {
      guard row.count == n else {
        throw .dimensionMismatch(name: "v at sample \(k)", expected: n, actual: row.count)
      }
      if let bad = row.first(where: { !$0.isFinite }) {
        throw .nonFiniteObservation(trajectory: 0, sample: k, value: bad)
      }
    }
    self.times = times
    self.positions = positions
    self.velocities = velocities
  }

  /// The number of samples.
  public var count: Int { times.count }
  /// The configuration dimension n.
  public var dimension: Int { positions.first?.count ?? 0 }

  /// Observation `k` as the model sees it: `(q_k, q̇_k)` or `q_k`.
  func observation(_ k: Int, withVelocities: Bool) -> [Double] {
    withVelocities ? positions[k] + (velocities?[k] ?? []) : positions[k]
  }
}
