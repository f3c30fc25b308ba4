import DiscreteMechanics
import Manifolds

/// A learned rigid body about a fixed point, seen as a `RigidBodySystem` so that DiscreteMechanics'
/// `SO3LGVI` steps it exactly as it steps the built-in bodies: `L(R, Ω) = ½ ΩᵀJΩ − U(R)` with a
/// learned inertia J and a ``LearnableRigidBodyPotential`` U.
public struct LearnedRigidBody<Potential: LearnableRigidBodyPotential>: RigidBodySystem {
  public let inertia: Matrix3
  public let potentialModel: Potential

  public init(inertia: Matrix3, potential: Potential) {
    self.inertia = inertia
    potentialModel = potential
  }

  public func potential(at attitude: SO3) -> Double { potentialModel.energy(at: attitude.matrix) }

  public func moment(at attitude: SO3) -> Vector3 { potentialModel.moment(at: attitude.matrix) }
}

/// `M = vee((∂U/∂R)ᵀR − Rᵀ(∂U/∂R))`.
func momentFromGradient(_ g: Matrix3, _ r: Matrix3) -> Vector3 {
  SO3.vee(g.transpose * r - r.transpose * g)
}

extension Matrix3 {
  /// The matrix of nine row-major entries.
  init(entries e: [Double]) {
    self.init(e[0], e[1], e[2], e[3], e[4], e[5], e[6], e[7], e[8])
  }

  /// The matrix of the nine row-major entries at `e`.
  init(_ e: UnsafePointer<Double>) {
    self.init(e[0], e[1], e[2], e[3], e[4], e[5], e[6], e[7], e[8])
  }

  /// Writes the nine row-major entries to `e`.
  func store(to e: UnsafeMutablePointer<Double>) {
    for a in 0..<3 {
      for b in 0..<3 { e[3 * a + b] = self[a, b] }
    }
  }
}
