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
}
