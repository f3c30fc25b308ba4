import Foundation
import VINKit

/// The exact motion of a free rigid body (Euler top) in terms of Jacobi elliptic functions
/// (Landau and Lifshitz, *Mechanics*, §37). For principal moments J₁ < J₂ < J₃, energy E and
/// |Π|² = M² > 2EJ₂ (Π circles the e₃ axis):
///
///     Ω₁ = a₁ cn(λt), Ω₂ = a₂ sn(λt), Ω₃ = a₃ dn(λt),
///     λ² = (J₃ − J₂)(M² − 2EJ₁) / (J₁J₂J₃),   k² = (J₂ − J₁)(2EJ₃ − M²) / ((J₃ − J₂)(M² − 2EJ₁)),
///
/// (for M² < 2EJ₂ exchange the indices 1 and 3). sn has period 4K(k) and changes sign every
/// 2K(k), so Ω₂ changes sign, and the body flips, every `2K(k)/λ`.
struct EulerTopMotion {
  /// The principal moments (J₁, J₂, J₃), increasing.
  var inertia: Vector3
  /// The kinetic energy E = ½ ΠᵀJ⁻¹Π.
  var energy: Double
  /// M² = |Π|².
  var momentumSquared: Double

  /// `(λ, k²)` of the elliptic solution.
  private var parameters: (frequency: Double, modulusSquared: Double) {
    var (j1, j2, j3) = (inertia.x, inertia.y, inertia.z)
    let twoE = 2 * energy
    if momentumSquared < twoE * j2 { (j1, j3) = (j3, j1) }
    let frequency = ((j3 - j2) * (momentumSquared - twoE * j1) / (j1 * j2 * j3)).squareRoot()
    let modulusSquared =
      (j2 - j1) * (twoE * j3 - momentumSquared) / ((j3 - j2) * (momentumSquared - twoE * j1))
    return (frequency, modulusSquared)
  }

  /// λ, the rate of the elliptic functions' argument (rad/s).
  var frequency: Double { parameters.frequency }
  /// The squared modulus k² of the elliptic functions.
  var modulusSquared: Double { parameters.modulusSquared }

  /// The time between two flips, `2K(k)/λ`.
  var flipInterval: Double {
    2 * Self.completeEllipticIntegral(modulusSquared: modulusSquared) / frequency
  }

  /// K(k) = π / (2 AGM(1, √(1 − k²))) (Abramowitz and Stegun 17.6); the arithmetic–geometric
  /// mean converges quadratically.
  static func completeEllipticIntegral(modulusSquared k2: Double) -> Double {
    var (a, b) = (1.0, (1 - k2).squareRoot())
    while abs(a - b) > 1e-15 * a { (a, b) = ((a + b) / 2, (a * b).squareRoot()) }
    return Double.pi / (a + b)
  }
}
