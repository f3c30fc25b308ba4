import VINKit

/// Everything a built-in system needs to run once the command line has been checked: parameter
/// values (defaults filled in), the initial condition, the step size and the number of steps.
struct SimulationSetup: Sendable {
  /// The value of every parameter of the system.
  var parameters: [String: Double]
  /// q0: coordinates (R^n, SO(2)) or a rotation vector (SO(3)).
  var position: [Double]
  /// v0: velocities `q̇` (R^n, SO(2)) or the body angular velocity Ω (SO(3)).
  var velocity: [Double]
  /// The step size h.
  var stepSize: Double
  /// The number of steps.
  var steps: Int
  /// The inputs (`--control`), checked against the system and the run; nil for none.
  var control: ControlSignal? = nil

  /// The value of parameter `name` (NaN, which every system rejects, if it has none).
  func parameter(_ name: String) -> Double { parameters[name] ?? .nan }

  /// q0 and v0 as 3-vectors (for SO(3) systems).
  func rigidBodyInitialCondition() throws(IntegrationError) -> (Vector3, Vector3) {
    try IntegrationError.check(position, name: "q0", dimension: 3)
    try IntegrationError.check(velocity, name: "v0", dimension: 3)
    return (
      Vector3(position[0], position[1], position[2]),
      Vector3(velocity[0], velocity[1], velocity[2])
    )
  }
}
