import VINKit

/// The actuators and damping of a built-in system on R^n or SO(2), as `vin simulate` applies
/// them: the system's `forces` when it has any (``InputSpec``), and whether any damping
/// parameter is positive.
///
/// Without `--control` a system is integrated with its forces only when it is damped, so that
/// undamped runs are exactly the unforced integrators' (their output byte for byte as before
/// forces existed).
protocol BuiltInForces {
  /// The actuators and damping, or nil for a system with neither.
  var builtInForces: (any GeneralisedForce)? { get }
  /// Whether a damping parameter is positive.
  var isDamped: Bool { get }
}

/// The body torques and damping of a built-in rigid body, as ``BuiltInForces``.
protocol BuiltInTorques {
  var builtInTorques: any RigidBodyTorque { get }
  var isDamped: Bool { get }
}

extension Pendulum: BuiltInForces {
  var builtInForces: (any GeneralisedForce)? { forces }
  var isDamped: Bool { damping > 0 }
}

extension HarmonicOscillator: BuiltInForces {
  var builtInForces: (any GeneralisedForce)? { forces }
  var isDamped: Bool { damping > 0 }
}

extension DoublePendulum: BuiltInForces {
  var builtInForces: (any GeneralisedForce)? { forces }
  var isDamped: Bool { damping > 0 }
}

extension CartPole: BuiltInForces {
  var builtInForces: (any GeneralisedForce)? { forces }
  var isDamped: Bool { friction > 0 || damping > 0 }
}

extension Kepler: BuiltInForces {
  var builtInForces: (any GeneralisedForce)? { nil }
  var isDamped: Bool { false }
}

extension HenonHeiles: BuiltInForces {
  var builtInForces: (any GeneralisedForce)? { nil }
  var isDamped: Bool { false }
}

extension FreeRigidBody: BuiltInTorques {
  var builtInTorques: any RigidBodyTorque { forces }
  var isDamped: Bool { damping > 0 }
}

extension HeavyTop: BuiltInTorques {
  var builtInTorques: any RigidBodyTorque { forces }
  var isDamped: Bool { damping > 0 }
}
