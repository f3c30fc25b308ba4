/// Why a value could not be turned into a point of a manifold.
public enum ManifoldError: Error, Equatable, Sendable, CustomStringConvertible {
  /// An entry is NaN or infinite.
  case nonFinite(name: String, value: Double)
  /// A matrix is not orthogonal with determinant +1 within the stated tolerance.
  case notARotation(defect: Double, determinant: Double, tolerance: Double)
  /// A quaternion has (near) zero norm and so names no rotation.
  case zeroQuaternion(norm: Double)
  /// A collection has the wrong number of entries.
  case wrongDimension(name: String, expected: Int, actual: Int)
  /// A complex number meant to be on the unit circle is not, within the stated tolerance.
  case notOnUnitCircle(modulus: Double, tolerance: Double)

  public var description: String {
    switch self {
    case .nonFinite(let name, let value):
      return "\(name) must be finite, got \(value)"
    case .notARotation(let defect, let determinant, let tolerance):
      return
        "matrix is not a rotation: |RᵀR − I| = \(defect), det = \(determinant) (tolerance \(tolerance))"
    case .zeroQuaternion(let norm):
      return "quaternion has norm \(norm); a rotation needs a nonzero quaternion"
    case .wrongDimension(let name, let expected, let actual):
      return "\(name) must have \(expected) entries, got \(actual)"
    case .notOnUnitCircle(let modulus, let tolerance):
      return "complex number has modulus \(modulus), not 1 within \(tolerance)"
    }
  }
}

/// Throws `ManifoldError.nonFinite` naming the first non-finite entry.
@usableFromInline
func requireFinite(_ values: some Sequence<Double>, name: String) throws(ManifoldError) {
  for (index, value) in values.enumerated() where !value.isFinite {
    throw .nonFinite(name: "\(name)[\(index)]", value: value)
  }
}
