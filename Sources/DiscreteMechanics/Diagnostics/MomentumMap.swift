/// A Noether momentum map `J(q, p) = pᵀ ξ_Q(q)` of a one-parameter symmetry with infinitesimal
/// generator `ξ_Q` on configuration space (Marsden and Ratiu, *Introduction to Mechanics and
/// Symmetry*, §11.4). Variational integrators of a Lagrangian invariant under the symmetry
/// conserve the corresponding discrete momentum map exactly (Marsden and West 2001, §3.4).
public struct MomentumMap: Sendable {
  /// The generator `ξ_Q(q)`.
  public let generator: @Sendable ([Double]) -> [Double]

  public init(generator: @escaping @Sendable ([Double]) -> [Double]) { self.generator = generator }

  /// `J = pᵀ ξ_Q(q)`.
  public func callAsFunction(_ state: PhaseState) -> Double {
    let xi = generator(state.q)
    var s = 0.0
    for i in xi.indices { s += state.p[i] * xi[i] }
    return s
  }

  /// Rotation in the (i, j) coordinate plane: `ξ_Q = q_i e_j − q_j e_i`, so `J = q_i p_j − q_j p_i`
  /// (angular momentum).
  public static func rotation(plane i: Int, _ j: Int) -> MomentumMap {
    MomentumMap { q in
      var xi = Array(repeating: 0.0, count: q.count)
      xi[j] = q[i]
      xi[i] = -q[j]
      return xi
    }
  }

  /// Translation along coordinate `i` (linear momentum `p_i`); for cyclic coordinates.
  public static func translation(coordinate i: Int) -> MomentumMap {
    MomentumMap { q in
      var xi = Array(repeating: 0.0, count: q.count)
      xi[i] = 1
      return xi
    }
  }
}
