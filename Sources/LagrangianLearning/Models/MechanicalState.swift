import Manifolds

/// The state of a mechanical system at one time, in the layout of its state space: coordinates
/// `(q, q̇)` or a rigid body's attitude and body angular velocity `(R, Ω)`. Every model
/// forecasts from one (``RolloutModel/forecast(from:steps:)``) and refuses, with a typed error,
/// a state of a state space it does not model.
public enum MechanicalState: Equatable, Sendable {
  /// Coordinates `q ∈ Rⁿ` and velocities `q̇`, n entries each.
  case coordinates(position: [Double], velocity: [Double])
  /// An attitude R ∈ SO(3) and a body angular velocity Ω.
  case rigidBody(attitude: SO3, angularVelocity: Vector3)

  /// The state space.
  public var layout: ObservationLayout {
    switch self {
    case .coordinates: .coordinates
    case .rigidBody: .rigidBody
    }
  }

  /// `(q, q̇)` for a model of `kind` on Rⁿ.
  /// - Throws: ``LearningError/invalidConfiguration(name:value:requirement:)`` for a rigid-body
  ///   state; ``LearningError/dimensionMismatch(name:expected:actual:)`` unless q and q̇ have n
  ///   entries.
  func coordinates(dimension n: Int, model kind: ModelKind) throws(LearningError) -> (
    position: [Double], velocity: [Double]
  ) {
    guard case .coordinates(let q, let v) = self else { throw mismatch(kind, .coordinates) }
    guard q.count == n else { throw .dimensionMismatch(name: "q0", expected: n, actual: q.count) }
    guard v.count == n else { throw .dimensionMismatch(name: "v0", expected: n, actual: v.count) }
    return (q, v)
  }

  /// `(R, Ω)` for a model of `kind` on SO(3).
  /// - Throws: ``LearningError/invalidConfiguration(name:value:requirement:)`` for a state of
  ///   coordinates.
  func rigidBody(model kind: ModelKind) throws(LearningError) -> (
    attitude: SO3, angularVelocity: Vector3
  ) {
    guard case .rigidBody(let r, let w) = self else { throw mismatch(kind, .rigidBody) }
    return (r, w)
  }

  private func mismatch(_ kind: ModelKind, _ modelLayout: ObservationLayout) -> LearningError {
    .invalidConfiguration(
      name: "initial state", value: layout.stateDescription,
      requirement: "the \(kind.rawValue) model forecasts from \(modelLayout.stateDescription)")
  }
}
