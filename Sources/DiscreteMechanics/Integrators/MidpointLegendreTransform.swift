import Manifolds

/// The discrete Legendre transforms of the midpoint rule and their derivatives in the end point,
/// from the Lagrangian's derivatives at the midpoint: the one place these formulas are written.
/// ``MidpointDiscreteLagrangian`` evaluates them for one pair of configurations; a batched
/// caller (VIN-mq's rollout in LagrangianLearning, which evaluates L's derivatives for many
/// pairs at once) evaluates them pair by pair.
///
/// With `L_d(q₀, q₁) = h L(q̄, v)`, `q̄ = (q₀ + q₁)/2`, `v = (q₁ − q₀)/h`, and
/// `L = ½ q̇ᵀ M(q) q̇ − V(q)`, the transforms are, for `s = −1` (`p₀ = −D₁L_d`) and `s = +1`
/// (`p₁ = D₂L_d`),
///
///     P_s(q₀, q₁) = M v + s (h/2) ∂_qL,    (∂_qL)ᵢ = ½ vᵀ uᵢ − ∂ᵢV,
///
/// and their derivatives in q₁ (`∂q̄/∂q₁ = ½ I`, `∂v/∂q₁ = I/h`) are
///
///     ∂(P_s)ᵢ/∂q₁ⱼ = Mᵢⱼ/h + ½ ((uⱼ)ᵢ + s (uᵢ)ⱼ) + s (h/8) Sᵢⱼ − s (h/4) Hᵢⱼ,
///
/// all at q̄, where `uₖ = (∂M/∂qᵏ) v`, `Sᵢⱼ = vᵀ (∂²M/∂qⁱ∂qʲ) v` and `H = ∇²V` (the terms of
/// ``LagrangianDerivatives``; Marsden and West, *Discrete mechanics and variational
/// integrators*, Acta Numerica 2001, §2.2.3). The Newton matrix of the implicit step
/// `P₋(q_k, q_{k+1}) = p_k` is the `s = −1` derivative.
public enum MidpointLegendreTransform {
  /// Writes `P_s = M v + s (h/2) ∂_qL` (n numbers) to `momentum`.
  ///
  /// - Parameters:
  ///   - sign: s, −1 for `−D₁L_d` and +1 for `D₂L_d`.
  ///   - stepSize: h.
  ///   - velocity: `v = (q₁ − q₀)/h`.
  ///   - derivatives: L's derivatives at `(q̄, v)` to the first order at least.
  ///   - momentum: n numbers, written.
  @inlinable
  public static func momentum(
    sign: Double, stepSize: Double, velocity: [Double], derivatives: LagrangianDerivatives,
    into momentum: inout [Double]
  ) {
    let halfStep = sign * 0.5 * stepSize
    let n = velocity.count
    let (mass, v) = (derivatives.mass.storage.span, velocity.span)
    var p = momentum.mutableSpan
    for i in 0..<n {
      var mv = 0.0
      for j in 0..<n { mv += mass[i * n + j] * v[j] }
      p[i] = mv + halfStep * derivatives.positionDerivative(i, velocity: velocity)
    }
  }

  /// Writes `∂P_s/∂q₁` (n×n) to `jacobian`.
  ///
  /// - Parameters:
  ///   - sign: s, −1 for `−D₁L_d` (the Newton matrix of the implicit step) and +1 for `D₂L_d`.
  ///   - stepSize: h.
  ///   - velocity: `v = (q₁ − q₀)/h`.
  ///   - derivatives: L's derivatives at `(q̄, v)` to the second order.
  ///   - jacobian: an n×n matrix, written.
  @inlinable
  public static func jacobian(
    sign: Double, stepSize: Double, velocity: [Double], derivatives: LagrangianDerivatives,
    into jacobian: inout Matrix
  ) {
    let h = stepSize
    let n = velocity.count
    let mass = derivatives.mass.storage.span
    let products = derivatives.massDerivativeProducts.storage.span
    let forms = derivatives.massSecondDerivativeForms.storage.span
    let hessian = derivatives.potentialHessian.storage.span
    var entries = jacobian.storage.mutableSpan
    for i in 0..<n {
      for j in 0..<n {
        let ij = i * n + j
        entries[ij] =
          mass[ij] / h + 0.5 * (products[j * n + i] + sign * products[ij])
          + sign * (0.125 * h * forms[ij]) - sign * (0.25 * h * hessian[ij])
      }
    }
  }
}
