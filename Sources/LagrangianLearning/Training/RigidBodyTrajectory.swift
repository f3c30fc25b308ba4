import Manifolds

extension ObservedTrajectory {
  /// A rigid body's observed trajectory on SO(3): attitudes `R_k` and body angular velocities
  /// `Ω_k` (``ObservationLayout/rigidBody``).
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
    for k in times.indices {
      try Self.checkFinite(attitudes[k].matrix.entries + angularVelocities[k].components, sample: k)
    }
    self.times = times
    states = .rigidBody(attitudes: attitudes, angularVelocities: angularVelocities)
  }

  /// `R_k` of a ``ObservationLayout/rigidBody`` trajectory (`nil` for coordinates).
  public var attitudes: [SO3]? {
    if case .rigidBody(let attitudes, _) = states { attitudes } else { nil }
  }

  /// `Ω_k` of a ``ObservationLayout/rigidBody`` trajectory (`nil` for coordinates).
  public var angularVelocities: [Vector3]? {
    if case .rigidBody(_, let angularVelocities) = states { angularVelocities } else { nil }
  }
}
