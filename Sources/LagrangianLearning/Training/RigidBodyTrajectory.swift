import Manifolds

extension ObservedTrajectory {
  /// A rigid body's observed trajectory on SO(3): attitudes `R_k` and body angular velocities
  /// `Ω_k`, stored in the ``ObservationLayout/rigidBody`` layout.
  /// - Throws: ``LearningError/dimensionMismatch(name:expected:actual:)`` if the three columns
  ///   have different lengths; ``LearningError/nonFiniteObservation(trajectory:sample:value:)``
  ///   for a NaN or infinite entry.
  public init(times: [Double], attitudes: [SO3], angularVelocities: [Vector3])
    throws(LearningError)
  {
    guard attitudes.count == times.count else {
      throw .dimensionMismatch(name: "attitudes", expected: times.count, actual: attitudes.count)
    }
    guard angularVelocities.count == times.count else {
      throw .dimensionMismatch(
        name: "angular velocities", expected: times.count, actual: angularVelocities.count)
    }
    let rows = zip(attitudes, angularVelocities).map { r, w in r.matrix.entries + w.components }
    try self.init(
      times: times, positions: rows.map { Array($0[..<6]) },
      velocities: rows.map { Array($0[6...]) })
    layout = .rigidBody
  }

  /// `R_k` of a ``ObservationLayout/rigidBody`` trajectory (`nil` for coordinates).
  public var attitudes: [SO3]? {
    guard layout == .rigidBody, let velocities else { return nil }
    return zip(positions, velocities).map { p, v in
      SO3(uncheckedMatrix: Matrix3(p[0], p[1], p[2], p[3], p[4], p[5], v[0], v[1], v[2]))
    }
  }

  /// `Ω_k` of a ``ObservationLayout/rigidBody`` trajectory (`nil` for coordinates).
  public var angularVelocities: [Vector3]? {
    guard layout == .rigidBody, let velocities else { return nil }
    return velocities.map { Vector3($0[3], $0[4], $0[5]) }
  }
}
