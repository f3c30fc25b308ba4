import Manifolds

/// A mechanical system on R^n with Lagrangian `L(q, q̇) = ½ q̇ᵀ M(q) q̇ − V(q)`.
///
/// The mass matrix is symmetric positive definite and may depend on the configuration; the
/// potential comes with its gradient, and `∂M/∂qⁱ` is given where M varies. The momentum is
/// `p = M(q) q̇` and the energy `E = ½ pᵀ M(q)⁻¹ p + V(q)`.
///
/// The implicit variational integrators also need second derivatives, the Hessian `∇²V` and
/// `∂²M/∂qⁱ∂qʲ`, for the analytic Jacobian of their Newton iteration. A conforming type need not
/// provide them: the defaults are central differences of the analytic first derivatives
/// (``finiteDifferencePotentialHessian(at:)``,
/// ``finiteDifferenceMassMatrixSecondDerivative(at:coordinates:_:)``), accurate to about 1e-10
/// relative; analytic versions make the Newton iteration slightly cheaper and exact.
///
/// Each matrix also has an `into:` form that writes into a caller's n×n matrix, which the
/// implicit integrators call once per Newton iteration. Its default calls the allocating form;
/// a system whose M(q) varies should write the entries in place, so that a step allocates
/// nothing (``DoublePendulum`` does).
public protocol LagrangianSystem: Sendable {
  /// The number of configuration coordinates n.
  var dimension: Int { get }
  /// The potential energy `V(q)`.
  func potential(at q: [Double]) -> Double
  /// Writes `∇V(q)` into `gradient` (both of length n) without allocating.
  ///
  /// Views (spans) rather than arrays, so that ``StormerVerlet`` can pass views of its state and
  /// workspace: writing through a `MutableSpan` needs no copy-on-write check (a call into the
  /// Swift runtime), so the compiler keeps the new q it passes in, and the gradient it reads
  /// back, in registers (see `Docs/Benchmarks.md`). The body reads and writes as with arrays:
  /// `gradient[0] = m * g * l * sin(q[0])`.
  func potentialGradient(at q: Span<Double>, into gradient: inout MutableSpan<Double>)
  /// The mass matrix `M(q)` (n×n, symmetric positive definite).
  func massMatrix(at q: [Double]) -> Matrix
  /// `∂M/∂qⁱ` at `q` (the zero matrix for a constant mass matrix).
  func massMatrixDerivative(at q: [Double], coordinate i: Int) -> Matrix
  /// The Hessian `∇²V(q)`, `(∇²V)ᵢⱼ = ∂²V/∂qⁱ∂qʲ` (n×n, symmetric).
  func potentialHessian(at q: [Double]) -> Matrix
  /// `∂²M/∂qⁱ∂qʲ` at `q` (the zero matrix for a constant mass matrix).
  func massMatrixSecondDerivative(at q: [Double], coordinates i: Int, _ j: Int) -> Matrix
  /// Writes `M(q)` into `mass`, which is replaced by an n×n matrix if it is not one.
  func massMatrix(at q: [Double], into mass: inout Matrix)
  /// Writes `∂M/∂qⁱ` at `q` into `derivative`, which is replaced by an n×n matrix if it is not
  /// one.
  func massMatrixDerivative(at q: [Double], coordinate i: Int, into derivative: inout Matrix)
  /// Writes `∇²V(q)` into `hessian`, which is replaced by an n×n matrix if it is not one.
  func potentialHessian(at q: [Double], into hessian: inout Matrix)
  /// Writes `∂²M/∂qⁱ∂qʲ` at `q` into `secondDerivative`, which is replaced by an n×n matrix if
  /// it is not one.
  func massMatrixSecondDerivative(
    at q: [Double], coordinates i: Int, _ j: Int, into secondDerivative: inout Matrix)
  /// Writes `M`, `∇V` and the products `(∂M/∂qᵏ) v` at `q`, and if `secondOrder` also `∇²V` and
  /// `vᵀ (∂²M/∂qⁱ∂qʲ) v`, into `derivatives`: what an implicit integrator's Newton iteration
  /// needs at a point, in one call (see ``LagrangianDerivatives``). The default takes each term
  /// from the requirements above; a system whose terms share work, such as trigonometric
  /// functions of the same angles, can evaluate them together. Must not allocate for steps that
  /// allocate nothing.
  func lagrangianDerivatives(
    at q: [Double], velocity v: [Double], secondOrder: Bool,
    into derivatives: inout LagrangianDerivatives)
}

/// A system whose mass matrix does not depend on q, so that the Störmer–Verlet method is
/// explicit.
///
/// A conforming type gives the mass matrix M only; whoever needs `M⁻¹` derives it from M once
/// (``StormerVerlet`` does so when it is created, with `Matrix.inverse`), so the two
/// cannot disagree. The mass-matrix requirements of ``LagrangianSystem`` (`M(q) = M`, and zero
/// derivatives) have default implementations here.
public protocol ConstantMassSystem: LagrangianSystem {
  /// The constant mass matrix `M` (n×n, symmetric positive definite).
  var mass: Matrix { get }
}

extension ConstantMassSystem {
  public func massMatrix(at q: [Double]) -> Matrix { mass }
  public func massMatrixDerivative(at q: [Double], coordinate i: Int) -> Matrix {
    .zeros(rows: dimension, columns: dimension)
  }
  public func massMatrixSecondDerivative(at q: [Double], coordinates i: Int, _ j: Int) -> Matrix {
    .zeros(rows: dimension, columns: dimension)
  }

  /// Copies ``mass`` into `mass`.
  public func massMatrix(at q: [Double], into mass: inout Matrix) {
    let constant = self.mass
    if mass.rows == constant.rows && mass.columns == constant.columns {
      for k in constant.storage.indices { mass.storage[k] = constant.storage[k] }
    } else {
      mass = constant
    }
  }

  /// Writes zeros into `derivative`.
  public func massMatrixDerivative(
    at q: [Double], coordinate i: Int, into derivative: inout Matrix
  ) {
    derivative.setZero(dimension)
  }

  /// Writes zeros into `secondDerivative`.
  public func massMatrixSecondDerivative(
    at q: [Double], coordinates i: Int, _ j: Int, into secondDerivative: inout Matrix
  ) {
    secondDerivative.setZero(dimension)
  }
}

extension LagrangianSystem {
  /// The default: `mass = massMatrix(at: q)`.
  public func massMatrix(at q: [Double], into mass: inout Matrix) {
    mass = massMatrix(at: q)
  }

  /// The default: `derivative = massMatrixDerivative(at: q, coordinate: i)`.
  public func massMatrixDerivative(
    at q: [Double], coordinate i: Int, into derivative: inout Matrix
  ) {
    derivative = massMatrixDerivative(at: q, coordinate: i)
  }

  /// The default: `hessian = potentialHessian(at: q)`.
  public func potentialHessian(at q: [Double], into hessian: inout Matrix) {
    hessian = potentialHessian(at: q)
  }

  /// The default: `secondDerivative = massMatrixSecondDerivative(at: q, coordinates: i, j)`.
  public func massMatrixSecondDerivative(
    at q: [Double], coordinates i: Int, _ j: Int, into secondDerivative: inout Matrix
  ) {
    secondDerivative = massMatrixSecondDerivative(at: q, coordinates: i, j)
  }

  /// The default Hessian `∇²V(q)`: central differences of the analytic gradient,
  /// ``finiteDifferencePotentialHessian(at:)``.
  public func potentialHessian(at q: [Double]) -> Matrix {
    finiteDifferencePotentialHessian(at: q)
  }

  /// The default `∂²M/∂qⁱ∂qʲ`: central differences of the analytic `∂M/∂qⁱ`,
  /// ``finiteDifferenceMassMatrixSecondDerivative(at:coordinates:_:)``.
  public func massMatrixSecondDerivative(at q: [Double], coordinates i: Int, _ j: Int) -> Matrix {
    finiteDifferenceMassMatrixSecondDerivative(at: q, coordinates: i, j)
  }

  /// `∇²V(q)` by central differences of the analytic gradient,
  /// `(∇²V)ᵢⱼ ≈ [∂ᵢV(q + δⱼeⱼ) − ∂ᵢV(q − δⱼeⱼ)] / (2δⱼ)`, symmetrised, with
  /// `δⱼ = ε^{1/3} max(1, |qⱼ|)` (truncation and round-off errors both about ε^{2/3} ≈ 4e-11
  /// relative to the third and first derivatives).
  public func finiteDifferencePotentialHessian(at q: [Double]) -> Matrix {
    let n = dimension
    var hessian = Matrix.zeros(rows: n, columns: n)
    var plus = Array(repeating: 0.0, count: n)
    var minus = Array(repeating: 0.0, count: n)
    var shifted = q
    for j in 0..<n {
      let delta = Self.differenceStep(q[j])
      shifted[j] = q[j] + delta
      writePotentialGradient(at: shifted, into: &plus)
      shifted[j] = q[j] - delta
      writePotentialGradient(at: shifted, into: &minus)
      shifted[j] = q[j]
      for i in 0..<n { hessian[i, j] = (plus[i] - minus[i]) / (2 * delta) }
    }
    for i in 0..<n {
      for j in 0..<i {
        let mean = 0.5 * (hessian[i, j] + hessian[j, i])
        hessian[i, j] = mean
        hessian[j, i] = mean
      }
    }
    return hessian
  }

  /// `∂²M/∂qⁱ∂qʲ` by central differences of the analytic ``massMatrixDerivative(at:coordinate:)``
  /// in the coordinate j: `[∂ᵢM(q + δⱼeⱼ) − ∂ᵢM(q − δⱼeⱼ)] / (2δⱼ)`, `δⱼ = ε^{1/3} max(1, |qⱼ|)`.
  public func finiteDifferenceMassMatrixSecondDerivative(
    at q: [Double], coordinates i: Int, _ j: Int
  ) -> Matrix {
    let delta = Self.differenceStep(q[j])
    var shifted = q
    shifted[j] = q[j] + delta
    var result = massMatrixDerivative(at: shifted, coordinate: i)
    shifted[j] = q[j] - delta
    let minus = massMatrixDerivative(at: shifted, coordinate: i)
    for k in result.storage.indices {
      result.storage[k] = (result.storage[k] - minus.storage[k]) / (2 * delta)
    }
    return result
  }

  /// The central-difference step `ε^{1/3} max(1, |x|)` for a coordinate of value x.
  private static func differenceStep(_ x: Double) -> Double {
    // Rounded so that x ± δ and the difference 2δ are exact in binary.
    let delta = 6.055454452393343e-06 * max(1, abs(x))
    return (x + delta) - x
  }
}

extension LagrangianSystem {
  /// `∇V(q)` as a new array.
  public func potentialGradient(at q: [Double]) -> [Double] {
    var g = Array(repeating: 0.0, count: dimension)
    writePotentialGradient(at: q, into: &g)
    return g
  }

  /// Writes `∇V(q)` into the array `gradient` (of length n) through
  /// ``potentialGradient(at:into:)``.
  @inlinable
  func writePotentialGradient(at q: [Double], into gradient: inout [Double]) {
    var view = gradient.mutableSpan
    potentialGradient(at: q.span, into: &view)
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
    var gradient = Array(repeating: 0.0, count: dimension)
    var massDerivative = Matrix.zeros(rows: dimension, columns: dimension)
    lagrangianGradient(at: q, velocity: v, into: &gradient, massDerivative: &massDerivative)
    return gradient
  }

  /// The state `(q, M(q) v)` after checking dimensions and finiteness of `q` and `v`.
  public func state(position q: [Double], velocity v: [Double]) throws(IntegrationError)
    -> PhaseState
  {
    try IntegrationError.check(q, name: "q0", dimension: dimension)
    try IntegrationError.check(v, name: "v0", dimension: dimension)
    return PhaseState(q: q, p: momentum(at: q, velocity: v))
  }
}

extension Matrix {
  /// Makes this the n×n zero matrix, in place when it already is n×n.
  @inlinable
  mutating func setZero(_ n: Int) {
    guard rows == n, columns == n else {
      self = .zeros(rows: n, columns: n)
      return
    }
    for k in storage.indices { storage[k] = 0 }
  }

  /// Makes this an n×n matrix: kept as it is when it already is one, else the n×n zero matrix.
  @inlinable
  mutating func makeSquare(_ n: Int) {
    if rows != n || columns != n { self = .zeros(rows: n, columns: n) }
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
