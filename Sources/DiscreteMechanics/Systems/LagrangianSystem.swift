import Manifolds

/// A mechanical system on R^n with Lagrangian `L(q, q̇) = ½ q̇ᵀ M(q) q̇ − V(q)`.
///
/// The mass matrix is symmetric positive definite and may depend on the configuration; the
/// potential comes with its gradient, and `∂M/∂qⁱ` is given where M varies. The momentum is
/// `p = M(q) q̇` and the energy `E = ½ pᵀ M(q)⁻¹ p + V(q)`.
public protocol LagrangianSystem: Sendable {
  /// The number of configuration coordinates n.
  var dimension: Int { get }
  /// The potential energy `V(q)`.
  func potential(at q: [Double]) -> Double
  /// Writes `∇V(q)` into `gradient` (length n) without allocating.
  func potentialGradient(at q: [Double], into gradient: inout [Double])
  /// The mass matrix `M(q)` (n×n, symmetric positive definite).
  func massMatrix(at q: [Double]) -> Matrix
  /// `∂M/∂qⁱ` at `q` (the zero matrix for a constant mass matrix).
  func massMatrixDerivative(at q: [Double], coordinate i: Int) -> Matrix
}

/// A system whose mass matrix does not depend on q, so `M⁻¹` can be formed once and the
/// Störmer–Verlet method is explicit.
public protocol ConstantMassSystem: LagrangianSystem {
  /// The constant mass matrix `M`.
  var mass: Matrix { get }
  /// `M⁻¹`.
  var inverseMass: Matrix { get }
}

extension ConstantMassSystem {
  public func massMatrix(at q: [Double]) -> Matrix { mass }
  public func massMatrixDerivative(at q: [Double], coordinate i: Int) -> Matrix {
    .zeros(rows: dimension, columns: dimension)
  }
}

extension LagrangianSystem {
  /// `∇V(q)` as a new array.
  public func potentialGradient(at q: [Double]) -> [Double] {
    var g = Array(repeating: 0.0, count: dimension)
    potentialGradient(at: q, into: &g)
    return g
  }

  /// The velocity `q̇ = M(q)⁻¹ p`, or `nil` if M(q) is singular.
  public func velocity(_ state: PhaseState) -> [Double]? {
    massMatrix(at: state.q).solve(state.p)
  }

  /// The momentum `p = M(q) q̇`.
  public func momentum(at q: [Double], velocity v: [Double]) -> [Double] {
    massMatrix(at: q) * v
  }

  /// The energy `E = ½ q̇ᵀ M(q) q̇ + V(q)` with `q̇ = M(q)⁻¹ p` (NaN if M(q) is singular).
  public func energy(_ state: PhaseState) -> Double {
    guard let v = velocity(state) else { return .nan }
    var kinetic = 0.0
    for i in v.indices { kinetic += v[i] * state.p[i] }
    return 0.5 * kinetic + potential(at: state.q)
  }

  /// `(∂L/∂q)ᵢ = ½ vᵀ (∂M/∂qⁱ) v − ∂V/∂qⁱ`.
  public func lagrangianGradient(at q: [Double], velocity v: [Double]) -> [Double] {
    var g = potentialGradient(at: q)
    for i in 0..<dimension {
      let dM = massMatrixDerivative(at: q, coordinate: i)
      var quadratic = 0.0
      for r in 0..<dimension {
        for c in 0..<dimension { quadratic += v[r] * dM[r, c] * v[c] }
      }
      g[i] = 0.5 * quadratic - g[i]
    }
    return g
  }

  /// The state `(q, M(q) v)` after checking dimensions and finiteness of `q` and `v`.
  public func state(position q: [Double], velocity v: [Double]) throws(IntegrationError) -> PhaseState {
    try IntegrationError.check(q, name: "q0", dimension: dimension)
    try IntegrationError.check(v, name: "v0", dimension: dimension)
    return PhaseState(q: q, p: momentum(at: q, velocity: v))
  }
}

/// A point `(q, p)` of the phase space T*R^n.
public struct PhaseState: Hashable, Sendable {
  /// Configuration.
  public var q: [Double]
  /// Conjugate momentum `p = ∂L/∂q̇`.
  public var p: [Double]

  public init(q: [Double], p: [Double]) {
    self.q = q
    self.p = p
  }

  /// `(q, p)` concatenated.
  public var flattened: [Double] { q + p }
}
