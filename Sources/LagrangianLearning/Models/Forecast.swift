import Manifolds

/// A forecast trajectory of coordinates `(q_k, q̇_k)`, k = 0…steps, and the learned energy
/// where the model has one.
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

/// A forecast on SO(3): attitudes `R_k`, body angular velocities `Ω_k`, k = 0…steps, and the
/// learned energy where the model has one.
public struct SO3Forecast: Equatable, Sendable {
  /// `t_k = k h`.
  public var times: [Double]
  public var attitudes: [SO3]
  public var angularVelocities: [Vector3]
  /// The learned model's energy at each step (`nil` for models without an energy).
  public var energies: [Double]?

  public init(
    times: [Double], attitudes: [SO3], angularVelocities: [Vector3], energies: [Double]?
  ) {
    self.times = times
    self.attitudes = attitudes
    self.angularVelocities = angularVelocities
    self.energies = energies
  }
}

/// A forecast in the state space of the state it started from
/// (``RolloutModel/forecast(from:steps:)``).
public enum ForecastTrajectory: Equatable, Sendable {
  case coordinates(Forecast)
  case rigidBody(SO3Forecast)

  /// `t_k = k h`.
  public var times: [Double] {
    switch self {
    case .coordinates(let forecast): forecast.times
    case .rigidBody(let forecast): forecast.times
    }
  }

  /// The learned energy at each step (`nil` for models without an energy).
  public var energies: [Double]? {
    switch self {
    case .coordinates(let forecast): forecast.energies
    case .rigidBody(let forecast): forecast.energies
    }
  }

  /// The state space.
  public var layout: ObservationLayout {
    switch self {
    case .coordinates: .coordinates
    case .rigidBody: .rigidBody
    }
  }
}
