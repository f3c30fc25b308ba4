import DiscreteMechanics
import Manifolds
import _Differentiation

/// A learned potential and constant mass matrix seen as a mechanical system,
/// `L(q, q̇) = ½ q̇ᵀ M q̇ − V_θ(q)`, so that the integrators of DiscreteMechanics step learned
/// models exactly as they step the built-in systems.
///
/// With `copies` > 1 it is that many independent copies of the system side by side
/// (configuration `(q₁, …, q_B)`, block-diagonal mass matrix, `V = Σ_b V_θ(q_b)`): one
/// integrator step then advances a whole minibatch of training windows, and the potential's
/// gradient is evaluated for all of them in one pass over its weights.
public struct LearnedSystem<Potential: LearnablePotential>: ConstantMassSystem {
  public let potentialModel: Potential
  /// The number of independent copies B.
  public let copies: Int
  public let mass: Matrix
  public let inverseMass: Matrix
  /// Where a training forward pass records each gradient evaluation with its pullback.
  let tape: GradientTape<Potential>?

  /// - Parameters:
  ///   - potential: the learned potential `V_θ`.
  ///   - mass: M, n×n symmetric positive definite.
  ///   - inverseMass: M⁻¹.
  ///   - copies: the number B of independent copies.
  public init(potential: Potential, mass: Matrix, inverseMass: Matrix, copies: Int = 1) {
    self.init(potential: potential, mass: mass, inverseMass: inverseMass, copies: copies, tape: nil)
  }

  init(
    potential: Potential, mass: Matrix, inverseMass: Matrix, copies: Int,
    tape: GradientTape<Potential>?
  ) {
    self.tape = tape
    potentialModel = potential
    self.copies = copies
    self.mass = Self.blockDiagonal(mass, copies)
    self.inverseMass = Self.blockDiagonal(inverseMass, copies)
  }

  static func blockDiagonal(_ block: Matrix, _ copies: Int) -> Matrix {
    if copies == 1 { return block }
    let n = block.rows
    var result = Matrix.zeros(rows: n * copies, columns: n * copies)
    for b in 0..<copies {
      for i in 0..<n {
        for j in 0..<n { result[b * n + i, b * n + j] = block[i, j] }
      }
    }
    return result
  }

  public var dimension: Int { potentialModel.dimension * copies }

  public func potential(at q: [Double]) -> Double {
    let n = potentialModel.dimension
    var sum = 0.0
    for b in 0..<copies { sum += potentialModel.energy(at: Array(q[(b * n)..<((b + 1) * n)])) }
    return sum
  }

  public func potentialGradient(at q: [Double], into gradient: inout [Double]) {
    let g: [Double]
    if let tape {
      let pass = potentialModel.gradientsWithPullback(at: q)
      tape.passes.append((q, pass.value, pass.pullback))
      g = pass.value
    } else {
      g = potentialModel.gradients(at: q)
    }
    for i in 0..<dimension { gradient[i] = g[i] }
  }
}

/// The gradient evaluations of one training forward pass, with their pullbacks, so that the
/// rollout's pullback does not evaluate the potential again. Used by one thread at a time.
final class GradientTape<Potential: LearnablePotential>: @unchecked Sendable {
  typealias Pass = (
    points: [Double], value: [Double],
    pullback: ([Double], inout Potential.TangentVector) -> [Double]
  )
  var passes: [Pass] = []

  /// The recorded pass at `points` (looked for at `hint` first), or a new one.
  func pass(at points: [Double], hint: Int, potential: Potential) -> Pass {
    if passes.indices.contains(hint), passes[hint].points == points { return passes[hint] }
    if let recorded = passes.first(where: { $0.points == points }) { return recorded }
    let pass = potential.gradientsWithPullback(at: points)
    return (points, pass.value, pass.pullback)
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
    var inverse = Matrix.zeros(rows: n, columns: n)
    for j in 0..<n {
      var unit = Array(repeating: 0.0, count: n)
      unit[j] = 1
      let column = mass.solve(unit) ?? Array(repeating: .nan, count: n)
      for i in 0..<n { inverse[i, j] = column[i] }
    }
    self.inverse = inverse
    self.pullback = pullback
  }

  /// The mass-parameter cotangent for the cotangent `inverseBar` of `M⁻¹` (row-major n²).
  func pullback(inverseCotangent inverseBar: [Double]) -> Mass.TangentVector {
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
    return pullback(.init(massBar))
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
