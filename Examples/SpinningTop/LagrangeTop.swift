import Foundation

/// The exact nutation and precession of a symmetric heavy top (Lagrange top) released with its
/// figure axis at rest (Goldstein, Poole, Safko, *Classical Mechanics*, 3rd ed., §5.7).
///
/// With moments J₁ = J₂ (transverse, about the pivot) and J₃, m g l the gravity torque scale,
/// spin ω₃ about the figure axis and u = cos θ the cosine of the tilt, the conserved energy and
/// momenta p_ψ = J₃ω₃, p_φ = e_zᵀRΠ give
///
///     u̇² = f(u) = (1 − u²)(α − βu) − (b − au)²,    φ̇ = (b − au) / (1 − u²),
///
/// `a = p_ψ/J₁`, `b = p_φ/J₁`, `β = 2mgl/J₁`. Released at rest at u₀ (θ̇ = φ̇ = 0, so b = a u₀ and
/// α = β u₀), f factors as `β (u₀ − u)(u − u₁)(u₃ − u)` with `u₁ < u₀ < 1 < u₃` the roots of
/// `u² − (a²/β) u + a²u₀/β − 1`: the tilt nutates between θ₀ and arccos u₁. The substitution
/// `u = ū + d sin s` (ū, d the centre and half-width of [u₁, u₀]) removes the square-root
/// singularities, `du/√f = ds/√(β(u₃ − u))`, so one nutation period and the azimuth it sweeps are
///
///     T = 2 ∫ ds / √(β(u₃ − u)),    Δφ = 2 ∫ φ̇(u) ds / √(β(u₃ − u)),    s ∈ [−π/2, π/2],
///
/// smooth integrals that Simpson's rule evaluates to round-off.
struct LagrangeTop {
  /// The tilt θ₀ at release (rad).
  var initialTilt: Double
  /// u₁ = cos of the largest tilt.
  let lowestCosine: Double
  /// u₃ > 1, the third root of f.
  private let thirdRoot: Double
  private let a: Double
  private let b: Double
  private let beta: Double

  /// - Parameters:
  ///   - transverseInertia: J₁ = J₂ about the pivot.
  ///   - axialInertia: J₃.
  ///   - torque: m g l, l the distance from the pivot to the centre of mass.
  ///   - spin: ω₃, the angular velocity about the figure axis.
  ///   - initialTilt: θ₀, the angle between the figure axis and the upward vertical.
  init(
    transverseInertia j1: Double, axialInertia j3: Double, torque mgl: Double, spin: Double,
    initialTilt: Double
  ) {
    self.initialTilt = initialTilt
    a = j3 * spin / j1
    beta = 2 * mgl / j1
    let u0 = cos(initialTilt)
    b = a * u0
    let (sum, product) = (a * a / beta, a * a * u0 / beta - 1)
    let root = (sum * sum - 4 * product).squareRoot()
    lowestCosine = (sum - root) / 2
    thirdRoot = (sum + root) / 2
  }

  /// The largest tilt arccos u₁ (rad).
  var largestTilt: Double { acos(lowestCosine) }

  /// The nutation period T (s).
  var nutationPeriod: Double { 2 * integral { _ in 1 } }

  /// The mean precession rate Δφ / T (rad/s).
  var precessionRate: Double {
    integral { u in (b - a * u) / (1 - u * u) } / integral { _ in 1 }
  }

  /// `∫ g(u(s)) ds / √(β(u₃ − u(s)))` over s ∈ [−π/2, π/2] by composite Simpson's rule.
  private func integral(_ g: (Double) -> Double) -> Double {
    let u0 = cos(initialTilt)
    let (centre, halfWidth) = ((u0 + lowestCosine) / 2, (u0 - lowestCosine) / 2)
    let intervals = 2000
    let width = Double.pi / Double(intervals)
    var sum = 0.0
    for i in 0...intervals {
      let u = centre + halfWidth * sin(-Double.pi / 2 + Double(i) * width)
      let weight: Double = i == 0 || i == intervals ? 1 : (i % 2 == 1 ? 4 : 2)
      sum += weight * g(u) / (beta * (thirdRoot - u)).squareRoot()
    }
    return sum * width / 3
  }
}
