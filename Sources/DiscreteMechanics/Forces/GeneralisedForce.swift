import Manifolds

/// The non-conservative generalised force on a system with n coordinates: m inputs through an
/// input matrix and Rayleigh dissipation,
///
///     F(q, q̇, u) = B(q) u − D(q) q̇,
///
/// with B(q) the n×m input matrix (column j is the generalised force of a unit input j) and
/// D(q) the n×n symmetric positive semi-definite dissipation matrix of the Rayleigh function
/// `R = ½ q̇ᵀ D(q) q̇`, so that the forces do the work `q̇ᵀ B u − 2R` per unit time and damping
/// never adds energy.
///
/// The integrators add F to the discrete Euler–Lagrange equations by the discrete
/// Lagrange–d'Alembert principle (Marsden and West, *Discrete mechanics and variational
/// integrators*, Acta Numerica 2001, §3): discrete forces `f_d⁻`, `f_d⁺`, each a quadrature of
/// `∫ F · δq dt` over one step, enter the discrete Legendre transforms as
/// `p_k = −D₁L_d − f_d⁻`, `p_{k+1} = D₂L_d + f_d⁺` (``DiscreteForces``). The input u is held
/// constant over each step (zero-order hold, as a digital controller applies it; see
/// ``ForcedIntegrator/input`` and ``ZeroOrderHold``).
///
/// ``ActuatorsAndDamping`` is the conforming type for constant B and D (every built-in system's
/// actuators and damping). A configuration-dependent model, such as a learned `B_θ(q)` or
/// `D_θ(q) = L(q)L(q)ᵀ`, conforms by giving B(q)u and D(q); the implicit integrators' Newton
/// iteration also uses ``forceJacobian(at:velocity:input:into:)``, whose default is central
/// differences (accurate to about 1e-10 relative, which costs Newton nothing measurable) and
/// which a model with analytic derivatives may replace.
public protocol GeneralisedForce: Sendable {
  /// The number n of configuration coordinates.
  var dimension: Int { get }
  /// The number m of inputs (0 for dissipation alone).
  var inputCount: Int { get }
  /// Writes the generalised force of the inputs, `B(q) u` (n numbers), into `force`.
  func inputForce(at q: [Double], input u: [Double], into force: inout [Double])
  /// Writes the dissipation matrix `D(q)` (n×n, symmetric positive semi-definite) into
  /// `matrix`, which is replaced by an n×n matrix if it is not one.
  func dissipation(at q: [Double], into matrix: inout Matrix)
  /// Writes the n×n Jacobian `∂F/∂q = ∂(B(q)u − D(q)v)/∂q` at fixed u and v into `jacobian`
  /// (replaced by an n×n matrix if it is not one): the term the forces add to the Newton
  /// matrix of an implicit step beyond `D`.
  func forceJacobian(
    at q: [Double], velocity v: [Double], input u: [Double], into jacobian: inout Matrix)
}

extension GeneralisedForce {
  /// The default: `∂F/∂qʲ` by central differences of `F(q) = B(q)u − D(q)v`,
  /// `[F(q + δⱼeⱼ) − F(q − δⱼeⱼ)] / (2δⱼ)` with `δⱼ = ε^{1/3} max(1, |qⱼ|)` (truncation and
  /// round-off errors both about ε^{2/3} ≈ 4e-11 relative). Allocates; a force whose B and D
  /// are constant should write zeros instead (``ActuatorsAndDamping`` does).
  public func forceJacobian(
    at q: [Double], velocity v: [Double], input u: [Double], into jacobian: inout Matrix
  ) {
    let n = dimension
    jacobian.makeSquare(n)
    var shifted = q
    var plus = Array(repeating: 0.0, count: n)
    var minus = plus
    var buffer = Matrix.zeros(rows: n, columns: n)
    for j in 0..<n {
      let delta = 6.055454452393343e-06 * max(1, abs(q[j]))
      let step = (q[j] + delta) - q[j]
      shifted[j] = q[j] + step
      writeForce(at: shifted, velocity: v, input: u, into: &plus, dissipation: &buffer)
      shifted[j] = q[j] - step
      writeForce(at: shifted, velocity: v, input: u, into: &minus, dissipation: &buffer)
      shifted[j] = q[j]
      for i in 0..<n { jacobian[i, j] = (plus[i] - minus[i]) / (2 * step) }
    }
  }

  /// Writes `F(q, v, u) = B(q)u − D(q)v` into `force` (n numbers), with `dissipation` as the
  /// buffer of D(q); allocates nothing when both have their sizes.
  @inlinable
  public func writeForce(
    at q: [Double], velocity v: [Double], input u: [Double], into force: inout [Double],
    dissipation: inout Matrix
  ) {
    inputForce(at: q, input: u, into: &force)
    self.dissipation(at: q, into: &dissipation)
    let n = force.count
    for i in 0..<n {
      var damping = 0.0
      for j in 0..<n { damping += dissipation[i, j] * v[j] }
      force[i] -= damping
    }
  }

  /// `F(q, v, u) = B(q)u − D(q)v` as a new array.
  public func force(at q: [Double], velocity v: [Double], input u: [Double]) -> [Double] {
    var force = Array(repeating: 0.0, count: dimension)
    var buffer = Matrix.zeros(rows: dimension, columns: dimension)
    writeForce(at: q, velocity: v, input: u, into: &force, dissipation: &buffer)
    return force
  }

  /// The input matrix `B(q)` (n×m), column j the force of the unit input `e_j`.
  public func inputMatrix(at q: [Double]) -> Matrix {
    let (n, m) = (dimension, inputCount)
    var matrix = Matrix.zeros(rows: n, columns: m)
    var unit = Array(repeating: 0.0, count: m)
    var column = Array(repeating: 0.0, count: n)
    for j in 0..<m {
      unit[j] = 1
      inputForce(at: q, input: unit, into: &column)
      unit[j] = 0
      for i in 0..<n { matrix[i, j] = column[i] }
    }
    return matrix
  }

  /// `D(q)` as a new matrix.
  public func dissipationMatrix(at q: [Double]) -> Matrix {
    var matrix = Matrix.zeros(rows: dimension, columns: dimension)
    dissipation(at: q, into: &matrix)
    return matrix
  }

  /// Throws unless `u` has ``inputCount`` finite entries.
  func validate(input u: [Double]) throws(IntegrationError) {
    try IntegrationError.check(u, name: "input u", dimension: inputCount)
  }
}
