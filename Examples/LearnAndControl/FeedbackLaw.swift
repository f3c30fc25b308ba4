/// A sampled feedback law: the torque to hold over the next sample interval, from the measured
/// angle q and angular velocity q̇.
protocol FeedbackLaw {
  func torque(angle q: Double, velocity v: Double) -> Double
}

/// A swing-up controller: `swingUp` away from the upright and, within `catchAngle` of it,
/// `balance`, both designed on the same model; every torque saturated at ±`maximumTorque`.
///
/// Energy control alone brings the pendulum onto the orbit that ends at the upright but cannot
/// hold it there (that equilibrium is unstable); the usual remedy (Åström and Furuta, *Swinging up
/// a pendulum by energy control*, Automatica 36, 2000) is to switch to a linear stabiliser near
/// the top, as here.
struct SwingUpController: FeedbackLaw {
  let swingUp: any FeedbackLaw
  /// The stabiliser, `nil` when the model gives none (the swing-up law then acts everywhere).
  let balance: UprightBalance?
  let catchAngle: Double
  let maximumTorque: Double

  func torque(angle q: Double, velocity v: Double) -> Double {
    let u =
      if let balance, abs(angleFromUpright(q)) < catchAngle {
        balance.torque(angle: q, velocity: v)
      } else {
        swingUp.torque(angle: q, velocity: v)
      }
    // A non-finite command (a model that diverged) applies no torque.
    return u.isFinite ? min(max(u, -maximumTorque), maximumTorque) : 0
  }
}

/// The same torque whatever the state.
struct ConstantTorque: FeedbackLaw {
  let value: Double

  func torque(angle q: Double, velocity v: Double) -> Double { value }
}
