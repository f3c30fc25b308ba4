import _Differentiation

/// A potential energy `V_θ(q)` on R^n with trainable parameters θ.
///
/// Both the energy and its input gradient `∇_q V_θ(q)` are differentiable with respect to θ
/// and q. Learned dynamics use only the gradient (the force is `−∇_q V`), so training needs
/// the pullback of `(θ, q) ↦ ∇_q V_θ(q)`: mixed second derivatives. Swift has no
/// higher-order automatic differentiation, which is why the gradient is a requirement written
/// as explicit code rather than derived from `energy(at:)`.
///
/// To plug in your own potential, write a `Differentiable` struct whose stored `Double`
/// properties are the parameters, implement both functions as ordinary differentiable Swift
/// (or register `@derivative(of:)` pullbacks for speed), and lay the parameters out in
/// ``ParameterFlattening``. ``QuadraticPotential`` is a complete small example. The batched
/// forms ``gradients(at:)`` and ``gradientsWithPullback(at:)`` have default implementations
/// point by point; networks override them to evaluate many points per pass over their weights.
public protocol LearnablePotential: ParameterFlattening, Sendable {
  /// The configuration dimension n.
  var dimension: Int { get }
  /// `V_θ(q)`.
  @differentiable(reverse)
  func energy(at q: [Double]) -> Double
  /// `∇_q V_θ(q)` (n entries).
  @differentiable(reverse)
  func gradient(at q: [Double]) -> [Double]

  /// `∇_q V_θ` at B points stored back to back (B·n numbers in and out).
  func gradients(at points: [Double]) -> [Double]
  /// ``gradients(at:)`` and the pullback of `(θ, q₁…q_B) ↦ (∇V_θ(q_b))_b`: given the
  /// cotangents `ḡ_b` it adds `Σ_b ∂_θ(ḡ_bᵀ∇V(q_b))` to its `inout` parameter tangent (in
  /// place, so a rollout accumulates one buffer) and returns `(∇²V(q_b) ḡ_b)_b`.
  func gradientsWithPullback(at points: [Double]) -> (
    value: [Double], pullback: ([Double], inout TangentVector) -> [Double]
  )
}

extension LearnablePotential {
  public func gradients(at points: [Double]) -> [Double] {
    let n = dimension
    var result: [Double] = []
    result.reserveCapacity(points.count)
    for b in 0..<(points.count / n) {
      result += gradient(at: Array(points[(b * n)..<((b + 1) * n)]))
    }
    return result
  }

  public func gradientsWithPullback(at points: [Double]) -> (
    value: [Double], pullback: ([Double], inout TangentVector) -> [Double]
  ) {
    let n = dimension
    let passes = (0..<(points.count / n)).map { b in
      valueWithPullback(at: self, Array(points[(b * n)..<((b + 1) * n)])) { potential, q in
        potential.gradient(at: q)
      }
    }
    return (
      passes.flatMap(\.value),
      { cotangent, parameters in
        var points: [Double] = []
        points.reserveCapacity(cotangent.count)
        for (b, pass) in passes.enumerated() {
          let (dTheta, dq) = pass.pullback(.init(Array(cotangent[(b * n)..<((b + 1) * n)])))
          parameters += dTheta
          points += [Double](dense: dq, count: n)
        }
        return points
      }
    )
  }
}

extension LearnablePotential {
  /// `gradient(at:)` at one point with its pullback, from the batched
  /// ``gradientsWithPullback(at:)``: the body of a network potential's
  /// `@derivative(of: gradient)`.
  func singlePointGradientWithPullback(at q: [Double]) -> (
    value: [Double],
    pullback: ([Double].TangentVector) -> (TangentVector, [Double].TangentVector)
  ) {
    let (value, pullback) = gradientsWithPullback(at: q)
    let n = q.count
    return (
      value,
      { cotangent in
        var dTheta = TangentVector.zero
        let dq = pullback([Double](dense: cotangent, count: n), &dTheta)
        return (dTheta, .init(dq))
      }
    )
  }
}
