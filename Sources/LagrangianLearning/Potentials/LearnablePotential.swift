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
/// forms ``gradients(at:)`` and ``gradientsWithPullback(at:)`` and the rollouts' buffer forms
/// ``gradients(at:batch:into:workspace:)`` and
/// ``accumulateGradientPullback(at:batch:cotangent:into:tangent:workspace:)`` have default
/// implementations point by point; networks override them to evaluate many points per pass over
/// their weights, in the workspace's memory.
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

  /// ``gradients(at:)`` between buffers: `∇_q V_θ` at the `batch` points at `points` (batch·n
  /// numbers) written to `gradient`, with any scratch memory taken from `workspace`.
  func gradients(
    at points: UnsafePointer<Double>, batch: Int, into gradient: UnsafeMutablePointer<Double>,
    workspace: RolloutWorkspace)

  /// ``gradients(at:batch:into:workspace:)`` with the Hessians `∇²_q V_θ`: the gradients at the
  /// `batch` points at `points` to `gradient` (batch·n numbers) and the Hessians to `hessian`
  /// (batch·n² numbers, one row-major n×n matrix per point). The implicit midpoint step of
  /// ``VINMq`` needs them for its Newton matrix. The default takes column j of every Hessian
  /// from ``accumulateGradientPullback(at:batch:cotangent:into:tangent:workspace:)`` with the
  /// unit cotangent `eⱼ` (exact; the parameter part is discarded); network potentials evaluate
  /// the Hessians in the gradient's own pass.
  func gradientsAndHessians(
    at points: UnsafePointer<Double>, batch: Int, gradient: UnsafeMutablePointer<Double>,
    hessian: UnsafeMutablePointer<Double>, workspace: RolloutWorkspace)

  /// The pullback of ``gradients(at:batch:into:workspace:)`` at the same points, evaluated
  /// again (a rollout keeps its configurations, not the potential's intermediate values): for
  /// the cotangents `ḡ_b` at `cotangent` it adds `Σ_b ∂_θ(ḡ_bᵀ∇V(q_b))` to `tangent` and writes
  /// `(∇²V(q_b) ḡ_b)_b` to `hessianProduct` (batch·n numbers).
  func accumulateGradientPullback(
    at points: UnsafePointer<Double>, batch: Int, cotangent: UnsafePointer<Double>,
    into hessianProduct: UnsafeMutablePointer<Double>, tangent: inout TangentVector,
    workspace: RolloutWorkspace)
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
  public func gradients(
    at points: UnsafePointer<Double>, batch: Int, into gradient: UnsafeMutablePointer<Double>,
    workspace: RolloutWorkspace
  ) {
    let values = gradients(at: Array(UnsafeBufferPointer(start: points, count: batch * dimension)))
    for i in 0..<(batch * dimension) { gradient[i] = values[i] }
  }

  public func accumulateGradientPullback(
    at points: UnsafePointer<Double>, batch: Int, cotangent: UnsafePointer<Double>,
    into hessianProduct: UnsafeMutablePointer<Double>, tangent: inout TangentVector,
    workspace: RolloutWorkspace
  ) {
    let count = batch * dimension
    let pass = gradientsWithPullback(at: Array(UnsafeBufferPointer(start: points, count: count)))
    let products = pass.pullback(
      Array(UnsafeBufferPointer(start: cotangent, count: count)), &tangent)
    for i in 0..<count { hessianProduct[i] = products[i] }
  }
}

extension LearnablePotential {
  public func gradientsAndHessians(
    at points: UnsafePointer<Double>, batch: Int, gradient: UnsafeMutablePointer<Double>,
    hessian: UnsafeMutablePointer<Double>, workspace: RolloutWorkspace
  ) {
    gradients(at: points, batch: batch, into: gradient, workspace: workspace)
    hessiansByProducts(at: points, batch: batch, into: hessian, workspace: workspace)
  }

  /// The Hessians at the `batch` points at `points` (batch·n² numbers to `hessian`), column j
  /// the pullback of the gradient for the unit cotangent `eⱼ` at every point.
  func hessiansByProducts(
    at points: UnsafePointer<Double>, batch: Int, into hessian: UnsafeMutablePointer<Double>,
    workspace: RolloutWorkspace
  ) {
    let n = dimension
    let count = batch * n
    let scratch = workspace.buffer(.secondDerivatives, count: 2 * count)
    let (unit, product) = (scratch, scratch + count)
    var discarded = TangentVector.zero
    for j in 0..<n {
      unit.update(repeating: 0, count: count)
      for b in 0..<batch { unit[b * n + j] = 1 }
      accumulateGradientPullback(
        at: points, batch: batch, cotangent: unit, into: product, tangent: &discarded,
        workspace: workspace)
      for b in 0..<batch {
        for i in 0..<n { hessian[(b * n + i) * n + j] = product[b * n + i] }
      }
    }
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
