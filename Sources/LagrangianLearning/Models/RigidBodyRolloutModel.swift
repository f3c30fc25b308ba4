import Manifolds

/// A model on the rotation group, whose state is an attitude R ∈ SO(3) and a body angular
/// velocity Ω ∈ R³ (its trajectories have ``ObservationLayout/rigidBody``): tools forecast it
/// through this protocol rather than through a concrete type.
public protocol RigidBodyRolloutModel: RolloutModel {
  /// A forecast of `steps` steps from the attitude R₀ and body angular velocity Ω₀.
  func forecast(attitude: SO3, angularVelocity: Vector3, steps: Int) throws(LearningError)
    -> SO3Forecast
}

extension VINSO3: RigidBodyRolloutModel {}
