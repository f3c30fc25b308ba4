import DiscreteMechanics
import Manifolds
import _Differentiation

/// A learned potential and constant mass matrix seen as a mechanical system,
/// `L(q, q̇) = ½ q̇ᵀ M q̇ − V_θ(q)`, so that the integrators of DiscreteMechanics step learned
/// models exactly as they step the built-in systems. The VINs' batched rollout
/// (`VerletRollout`) runs the arithmetic of DiscreteMechanics' `StormerVerlet` on this system
/// for many windows at once; the tests hold the two to agreement.
public struct LearnedSystem<Potential: LearnablePotential>: ConstantMassSystem {
  public let potentialModel: Potential
  public let mass: Matrix

  /// - Parameters:
  ///   - potential: the learned potential `V_θ`.
  ///   - mass: M, n×n symmetric positive definite.
  public init(potential: Potential, mass: Matrix) {
    potentialModel = potential
    self.mass = mass
  }

  public var dimension: Int { potentialModel.dimension }

  public func potential(at q: [Double]) -> Double { potentialModel.energy(at: q) }

  public func potentialGradient(at q: Span<Double>, into gradient: inout MutableSpan<Double>) {
    let g = potentialModel.gradients(at: (0..<q.count).map { q[$0] })
    for i in 0..<dimension { gradient[i] = g[i] }
  }
}

/// `M` and `M⁻¹` of a learned mass matrix, with the pullback from `W̄ = ∂ℓ/∂M⁻¹` to the mass
/// parameters: `M̄ = −M⁻¹ W̄ M⁻¹` (M symmetric).
struct MassEvaluation<Mass: LearnableMassMatrix> {
  let mass: Matrix
  let inverse: Matrix
  let pullback: ([Double].TangentVector) -> Mass.TangentVector

  init(_ model: Mass) {
    let n = model.dimension
    let (entries, pullback) = valueWithPullback(at: model) { $0.entries() }
    mass = Matrix.symmetric(n, entries)
    // All NaN for a singular M: the rollouts then report a non-finite state.
    var nan = Matrix.zeros(rows: n, columns: n)
    for k in nan.storage.indices { nan.storage[k] = .nan }
    inverse = mass.inverse ?? nan
    self.pullback = pullback
  }

  /// The mass-parameter cotangent for the cotangents `massBar` of M and `inverseBar` of `M⁻¹`
  /// (row-major n² each): that of `M̄ − M⁻¹ W̄ M⁻¹`.
  func pullback(massCotangent massBar: [Double], inverseCotangent inverseBar: [Double])
    -> Mass.TangentVector
  {
    let n = mass.rows
    let converted = [Double](dense: pullbackInverse(inverseBar), count: n * n)
    return pullback(.init(zip(massBar, converted).map { $0 + $1 }))
  }

  /// The mass-parameter cotangent for the cotangent `inverseBar` of `M⁻¹` (row-major n²).
  func pullback(inverseCotangent inverseBar: [Double]) -> Mass.TangentVector {
    pullback(pullbackInverse(inverseBar))
  }

  /// The cotangent of M for the cotangent `inverseBar` of `W = M⁻¹`: `−W W̄ W`.
  private func pullbackInverse(_ inverseBar: [Double]) -> [Double].TangentVector {
    let n = mass.rows
    var product = Array(repeating: 0.0, count: n * n)  // W̄ W
    for i in 0..<n {
      for j in 0..<n {
        var sum = 0.0
        for k in 0..<n { sum += inverseBar[i * n + k] * inverse[k, j] }
        product[i * n + j] = sum
      }
    }
    var massBar = Array(repeating: 0.0, count: n * n)
    for i in 0..<n {
      for j in 0..<n {
        var sum = 0.0
        for k in 0..<n { sum += inverse[i, k] * product[k * n + j] }
        massBar[i * n + j] = -sum
      }
    }
    return .init(massBar)
  }
}

extension Matrix {
  /// The n×n matrix with row-major `entries` (n² of them; the mass-matrix protocol guarantees it).
  static func symmetric(_ n: Int, _ entries: [Double]) -> Matrix {
    var m = Matrix.zeros(rows: n, columns: n)
    for i in 0..<n {
      for j in 0..<n { m[i, j] = entries[i * n + j] }
    }
    return m
  }
}
