/// The discrete Legendre transforms of the midpoint rule and their derivatives in the end point,
/// from the Lagrangian's derivatives at the midpoint: the one place these formulas are written.
/// ``MidpointDiscreteLagrangian`` evaluates them for one pair of configurations; a batched
/// caller (VIN-mq's rollout in LagrangianLearning, many pairs at once) evaluates them pair by
/// pair from its own buffers.
///
/// With `L_d(q₀, q₁) = h L(q̄, v)`, `q̄ = (q₀ + q₁)/2`, `v = (q₁ − q₀)/h`, and
/// `L = ½ q̇ᵀ M(q) q̇ − V(q)`, the transforms are, for `s = −1` (`p₀ = −D₁L_d`) and `s = +1`
/// (`p₁ = D₂L_d`),
///
///     P_s(q₀, q₁) = M v + s (h/2) ∂_qL,    (∂_qL)ᵢ = ½ vᵀ uᵢ − ∂ᵢV,
///
/// and their derivatives in q₁ (`∂q̄/∂q₁ = ½ I`, `∂v/∂q₁ = I/h`) are
///
///     ∂(P_s)ᵢ/∂q₁ⱼ = Mᵢⱼ/h + ½ (uⱼ)ᵢ + s [½ (uᵢ)ⱼ + (h/8) Sᵢⱼ − (h/4) Hᵢⱼ],
///
/// all at q̄, where `uₖ = (∂M/∂qᵏ) v`, `Sᵢⱼ = vᵀ (∂²M/∂qⁱ∂qʲ) v` and `H = ∇²V` (Marsden and
/// West, *Discrete mechanics and variational integrators*, Acta Numerica 2001, §2.2.3). The
/// Newton matrix of the implicit step `P₋(q_k, q_{k+1}) = p_k` is the `s = −1` derivative.
///
/// Every matrix is n×n, row-major; the vectors `uₖ` are the rows of one n×n matrix. The
/// arguments are any collections indexed from 0 (arrays, buffer pointers) with at least the
/// numbers stated; the functions are inlinable, so that each caller gets them specialised, and
/// allocate nothing.
public enum MidpointLegendreTransform {
  /// Writes `P_s = M v + s (h/2) (½ vᵀ uᵢ − ∂ᵢV)` to `momentum`.
  ///
  /// - Parameters:
  ///   - sign: s, −1 for `−D₁L_d` and +1 for `D₂L_d`.
  ///   - stepSize: h.
  ///   - n: the dimension.
  ///   - velocity: v (n numbers).
  ///   - mass: `M(q̄)`.
  ///   - derivativeProducts: row k is `uₖ = (∂M/∂qᵏ) v` at q̄.
  ///   - potentialGradient: `∇V(q̄)` (n numbers).
  ///   - momentum: n numbers, written.
  @inlinable
  public static func momentum<
    Vector: RandomAccessCollection<Double>, Output: MutableCollection<Double>
  >(
    sign: Double, stepSize: Double, dimension n: Int, velocity: Vector, mass: Vector,
    derivativeProducts: Vector, potentialGradient: Vector, into momentum: inout Output
  ) where Vector.Index == Int, Output.Index == Int {
    let halfStep = sign * 0.5 * stepSize
    for i in 0..<n {
      var vu = 0.0
      var mv = 0.0
      for j in 0..<n {
        vu += velocity[j] * derivativeProducts[i * n + j]
        mv += mass[i * n + j] * velocity[j]
      }
      momentum[i] = mv + halfStep * (0.5 * vu - potentialGradient[i])
    }
  }

  /// Writes `∂P_s/∂q₁` (row-major n×n) to `jacobian`.
  ///
  /// - Parameters:
  ///   - sign: s, −1 for `−D₁L_d` (the Newton matrix of the implicit step) and +1 for `D₂L_d`.
  ///   - stepSize: h.
  ///   - n: the dimension.
  ///   - mass: `M(q̄)`.
  ///   - derivativeProducts: row k is `uₖ = (∂M/∂qᵏ) v` at q̄.
  ///   - velocityCurvature: `Sᵢⱼ = vᵀ (∂²M/∂qⁱ∂qʲ) v` at q̄.
  ///   - potentialHessian: `∇²V(q̄)`.
  ///   - jacobian: n×n numbers, written.
  @inlinable
  public static func jacobian<
    Entries: RandomAccessCollection<Double>, Output: MutableCollection<Double>
  >(
    sign: Double, stepSize: Double, dimension n: Int, mass: Entries, derivativeProducts: Entries,
    velocityCurvature: Entries, potentialHessian: Entries, into jacobian: inout Output
  ) where Entries.Index == Int, Output.Index == Int {
    let h = stepSize
    for i in 0..<n {
      for j in 0..<n {
        let ij = i * n + j
        jacobian[ij] =
          mass[ij] / h + 0.5 * derivativeProducts[j * n + i]
          + sign
          * (0.5 * derivativeProducts[ij] + 0.125 * h * velocityCurvature[ij]
            - 0.25 * h * potentialHessian[ij])
      }
    }
  }
}
