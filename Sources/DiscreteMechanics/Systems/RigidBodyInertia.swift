import Foundation
import Manifolds

/// Validation of a rigid body's inertia tensor, shared by the built-in bodies and the integrators.
enum RigidBodyInertia {
  /// Throws unless `inertia` is finite, symmetric (to 1e-12 relative) and positive definite
  /// (all leading principal minors positive, Sylvester's criterion).
  static func validate(_ inertia: Matrix3) throws(IntegrationError) {
    for i in 0..<3 {
      for j in 0..<3 where !inertia[i, j].isFinite {
        throw .invalidParameter(
          name: "J[\(i),\(j)]", value: inertia[i, j], requirement: "must be finite")
      }
    }
    let scale = inertia.maxAbsEntry
    for (i, j) in [(0, 1), (0, 2), (1, 2)]
    where (inertia[i, j] - inertia[j, i]).magnitude > 1e-12 * scale {
      throw .invalidParameter(
        name: "J[\(i),\(j)]", value: inertia[i, j],
        requirement: "must equal J[\(j),\(i)] = \(inertia[j, i]) (J must be symmetric)")
    }
    let minors = [
      inertia[0, 0],
      inertia[0, 0] * inertia[1, 1] - inertia[0, 1] * inertia[1, 0],
      inertia.determinant,
    ]
    for (k, minor) in minors.enumerated() where !(minor > 0) {
      throw .invalidParameter(
        name: "J", value: minor,
        requirement: "leading principal minor of order \(k + 1) must be positive "
          + "(J must be positive definite)")
    }
  }

  /// Throws unless `inertia` passes ``validate(_:)`` and is the inertia of a mass
  /// distribution: its principal moments satisfy the triangle inequality
  /// `J₁ ≤ J₂ + J₃` (and each permutation), to 1e-12 relative.
  ///
  /// A body of density ρ has `J = tr(S) I − S` with the second moment `S = ∫ρ x xᵀ`, positive
  /// semi-definite; so `S = ½ tr(J) I − J`, whose eigenvalues `½(J₂ + J₃ − J₁)`, … must be
  /// ≥ 0 (Landau and Lifshitz, *Mechanics*, §32). Equality is a flat body (a lamina). The
  /// learned inertia of a model (``SO3LGVI`` on any ``RigidBodySystem``) need not be physical,
  /// so only the built-in bodies check this.
  static func validatePhysical(_ inertia: Matrix3) throws(IntegrationError) {
    try validate(inertia)
    let moments = principalMoments(inertia)
    let tolerance = 1e-12 * (moments[0] + moments[1] + moments[2])
    for i in 0..<3 {
      let (j, k) = (moments[(i + 1) % 3], moments[(i + 2) % 3])
      if moments[i] > j + k + tolerance {
        func text(_ x: Double) -> String { String(format: "%g", x) }
        throw .invalidParameter(
          name: "J", value: moments[i],
          requirement:
            "the principal moments (\(moments.map(text).joined(separator: ", "))) violate the triangle inequality \(text(moments[i])) ≤ \(text(j)) + \(text(k)) that every rigid body's inertia satisfies"
        )
      }
    }
  }

  /// The eigenvalues of a symmetric 3×3 matrix, by the trigonometric solution of its
  /// characteristic cubic (O. K. Smith, *Eigenvalues of a symmetric 3 × 3 matrix*, CACM 4,
  /// 1961): with `q = tr A / 3`, `p = √(tr((A − qI)²)/6)` and `B = (A − qI)/p`, the
  /// eigenvalues are `q + 2p cos(φ + 2πk/3)` with `φ = ⅓ arccos(det B / 2)`.
  static func principalMoments(_ a: Matrix3) -> [Double] {
    let offDiagonal = a[0, 1] * a[0, 1] + a[0, 2] * a[0, 2] + a[1, 2] * a[1, 2]
    let q = a.trace / 3
    let deviation =
      (a[0, 0] - q) * (a[0, 0] - q) + (a[1, 1] - q) * (a[1, 1] - q) + (a[2, 2] - q)
      * (a[2, 2] - q) + 2 * offDiagonal
    guard offDiagonal > 0, deviation > 0 else { return [a[0, 0], a[1, 1], a[2, 2]] }
    let p = (deviation / 6).squareRoot()
    let b = (1 / p) * (a - q * Matrix3.identity)
    let phi = acos(min(1, max(-1, b.determinant / 2))) / 3
    let largest = q + 2 * p * cos(phi)
    let smallest = q + 2 * p * cos(phi + 2 * Double.pi / 3)
    return [largest, 3 * q - largest - smallest, smallest]
  }
}
