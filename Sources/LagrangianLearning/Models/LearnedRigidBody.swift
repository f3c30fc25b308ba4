import DiscreteMechanics
import Manifolds

/// A learned rigid body about a fixed point, seen as a `RigidBodySystem` so that DiscreteMechanics'
/// `SO3LGVI` steps it exactly as it steps the built-in bodies: `L(R, Ω) = ½ ΩᵀJΩ − U(R)` with a
/// learned inertia J and one of two learned potentials (``LearnedRigidBody/Potential``).
public struct LearnedRigidBody: RigidBodySystem {
  /// The learned potential U(R) and its moment M(R), `Ŝ(M) = (∂U/∂R)ᵀR − Rᵀ(∂U/∂R)` (Lee, Leok,
  /// McClamroch, CMAME 196, 2007, §2).
  public enum Potential: Sendable {
    /// The heavy-body potential `U = e_zᵀRc`, `M = (Rᵀe_z) × c` (`c = m g ρ`; 0 for a free
    /// body), from `∂U/∂R = e_z cᵀ`.
    case gravity(Vector3)
    /// A network on the nine entries of R (row by row), `U = f_θ(R)`, its moment through the
    /// chain rule from the network's input gradient `∂U/∂R`.
    case network(MultilayerPerceptron)
  }

  public let inertia: Matrix3
  public let potentialModel: Potential

  public init(inertia: Matrix3, potential: Potential) {
    self.inertia = inertia
    potentialModel = potential
  }

  public func potential(at attitude: SO3) -> Double {
    switch potentialModel {
    case .gravity(let c): return attitude.matrix.row2.dot(c)
    case .network(let network): return network(attitude.matrix.entries)[0]
    }
  }

  /// `M(R)`. The network potential evaluates its input gradient (which allocates).
  public func moment(at attitude: SO3) -> Vector3 {
    switch potentialModel {
    case .gravity(let c): return attitude.matrix.row2.cross(c)
    case .network(let network):
      let g = network.inputGradient(attitude.matrix.entries, batch: 1).gradient
      return momentFromGradient(Matrix3(entries: g), attitude.matrix)
    }
  }
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
}
