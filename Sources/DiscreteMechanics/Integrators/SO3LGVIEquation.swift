import Manifolds
import RealModule

/// The implicit equation of one ``SO3LGVI`` step in exponential coordinates `F = exp(f̂)`:
///
///     G(f) = a(|f|) J f + b(|f|) (f × J f) − g = 0,   a(θ) = sin θ/θ,   b(θ) = (1 − cos θ)/θ²,
///
/// which is `ĝ = F J_d − J_d Fᵀ` with `J_d = ½ tr(J) I − J`, because for `F = I + a f̂ + b f̂²`
/// `f̂J_d + J_d f̂ = (Jf)^` and `f̂²J_d − J_d f̂² = (f × Jf)^` (Lee, Leok, McClamroch 2007, §3.2).
/// Its Jacobian is
///
///     DG = a J + b (f̂ J − (Jf)^) + (a′(θ)/θ) (Jf) fᵀ + (b′(θ)/θ) (f × Jf) fᵀ,
///
/// with `a′/θ = (cos θ − a)/θ²` and `b′/θ = (a − 2b)/θ²`. Everything is on stack values.
/// Public so that learned models differentiate the same equation (implicit function theorem).
///
/// A damped step (``SO3LGVI/advanceAttitude(of:moment:torque:)``) evaluates its dissipation
/// `D_k = D(R_k)` at the discrete body angular velocity `ω = (F − Fᵀ)^∨/(2h) = a f/h`, which moves
/// `−(h²/2) D_k ω = −a (h/2) D_k f` from g to the left: with ``dissipation`` `Δ = (h/2) D_k`,
///
///     G(f) = a J f + b (f × J f) + a Δ f − g,    DG += a Δ + (a′/θ) (Δ f) fᵀ,
///
/// still a 3-vector equation with the same solver.
public struct SO3LGVIEquation: Sendable {
  /// The inertia J.
  public let inertia: Matrix3
  /// The right-hand side `g = hΠ_k + (h²/2) M_k` (plus `(h²/2) B(R_k)u_k` when forced).
  public var target: Vector3
  /// `Δ = (h/2) D(R_k)` of a damped step, or nil (no dissipation).
  public var dissipation: Matrix3?

  public init(inertia: Matrix3, target: Vector3, dissipation: Matrix3? = nil) {
    self.inertia = inertia
    self.target = target
    self.dissipation = dissipation
  }

  /// `G(f)`.
  @inlinable
  func residual(at f: Vector3) -> Vector3 {
    let c = ExponentialCoefficients(f)
    let jf = inertia * f
    let residual = c.a * jf + c.b * f.cross(jf) - target
    guard let dissipation else { return residual }
    return residual + c.a * (dissipation * f)
  }

  /// `G(f)` and `DG(f)`. `f̂J − (Jf)^` is assembled row by row: row i of `f̂J` is
  /// `(eᵢ × f)ᵀ J`, a combination of two rows of the symmetric J.
  @inlinable
  public func residualAndJacobian(at f: Vector3) -> (residual: Vector3, jacobian: Matrix3) {
    let c = ExponentialCoefficients(f)
    let j = inertia
    let jf = j * f
    let fxjf = f.cross(jf)
    let residual = c.a * jf + c.b * fxjf - target
    let w = c.aPrimeOverTheta * jf + c.bPrimeOverTheta * fxjf
    let row0 = f.y * j.row2 - f.z * j.row1 - Vector3(0, -jf.z, jf.y)
    let row1 = f.z * j.row0 - f.x * j.row2 - Vector3(jf.z, 0, -jf.x)
    let row2 = f.x * j.row1 - f.y * j.row0 - Vector3(-jf.y, jf.x, 0)
    let jacobian = Matrix3(
      rows: c.a * j.row0 + c.b * row0 + w.x * f, c.a * j.row1 + c.b * row1 + w.y * f,
      c.a * j.row2 + c.b * row2 + w.z * f)
    guard let dissipation else { return (residual, jacobian) }
    let df = dissipation * f
    return (
      residual + c.a * df,
      jacobian + c.a * dissipation + Matrix3.outer(c.aPrimeOverTheta * df, f)
    )
  }

  /// `∂ω/∂f = (a I + (a′(θ)/θ) f fᵀ)/h`, the derivative of a damped step's discrete body angular
  /// velocity `ω = a f/h` (``SO3LGVI/angularVelocity(of:)``) with respect to the root f, `θ = |f|`:
  /// what the adjoint of a damped step needs beside ``residualAndJacobian(at:)`` (it is the
  /// dissipation's term of `DG` with `Δ = I`, divided by h). Symmetric.
  @inlinable
  public static func angularVelocityJacobian(at f: Vector3, stepSize h: Double) -> Matrix3 {
    let c = ExponentialCoefficients(f)
    return (1 / h) * (c.a * Matrix3.identity + Matrix3.outer(c.aPrimeOverTheta * f, f))
  }

  /// The residual level accepted as converged: `1e-10 max|g|`. Newton stops on its corrections
  /// (see ``newton(from:maxIterations:)``); this bound only tells convergence from a stall far
  /// from the root.
  @inlinable
  var acceptableResidual: Double { 1e-10 * target.maxAbs }

  /// Newton's method `f ← f − DG(f)⁻¹ G(f)` from `guess`, iterated to round-off: it stops, provided
  /// the residual is at most ``acceptableResidual``, when the correction Δ is below
  /// `ε = 1e-15 max(1, |f|∞)`, or has stopped shrinking, or when the estimated remaining error
  /// `θ/(1 − θ) |Δₖ|`, with the contraction `θ = |Δₖ|/|Δₖ₋₁| < 1`, is below ε (the criterion of
  /// ``RootFinder``), so that the iterate is already at round-off. From the predictor, within
  /// about 1e-6 of the root, that is two iterations: `θ` is then about 1e-8. Allocates nothing.
  @inlinable
  func newton(from guess: Vector3, maxIterations: Int) -> SO3LGVISolution {
    var f = guess
    var previousCorrection = Double.infinity
    var residualNorm = Double.infinity
    var inverseJacobian = Matrix3(diagonal: .zero)
    let acceptable = acceptableResidual
    for iteration in 1...max(1, maxIterations) {
      let (g, dg) = residualAndJacobian(at: f)
      residualNorm = g.maxAbs
      guard residualNorm.isFinite, let inverse = dg.inverse else {
        return SO3LGVISolution(
          root: f, iterations: iteration, residualNorm: residualNorm, converged: false,
          inverseJacobian: inverseJacobian)
      }
      inverseJacobian = inverse
      let correction = inverse * g
      f -= correction
      let size = correction.maxAbs
      let roundOff = 1e-15 * max(1, f.maxAbs)
      // From the second iteration on (before, no contraction is known).
      let contraction = previousCorrection.isFinite ? size / previousCorrection : .infinity
      if residualNorm <= acceptable
        && (size <= roundOff || size >= previousCorrection
          || (contraction < 1 && contraction / (1 - contraction) * size <= roundOff))
      {
        return SO3LGVISolution(
          root: f, iterations: iteration, residualNorm: residualNorm, converged: true,
          inverseJacobian: inverse)
      }
      previousCorrection = size
    }
    return SO3LGVISolution(
      root: f, iterations: maxIterations, residualNorm: residualNorm, converged: false,
      inverseJacobian: inverseJacobian)
  }
}

/// A root of ``SO3LGVIEquation`` and how it was reached.
@usableFromInline
struct SO3LGVISolution {
  @usableFromInline var root: Vector3
  @usableFromInline var iterations: Int
  /// `max |G|` at the last evaluation.
  @usableFromInline var residualNorm: Double
  @usableFromInline var converged: Bool
  /// `DG⁻¹` at the last iterate where it was evaluated (the zero matrix if none was).
  @usableFromInline var inverseJacobian: Matrix3

  @usableFromInline
  init(
    root: Vector3, iterations: Int, residualNorm: Double, converged: Bool,
    inverseJacobian: Matrix3
  ) {
    self.root = root
    self.iterations = iterations
    self.residualNorm = residualNorm
    self.converged = converged
    self.inverseJacobian = inverseJacobian
  }
}

/// `a = sin θ/θ`, `b = (1 − cos θ)/θ²` and `a′(θ)/θ`, `b′(θ)/θ` at `θ = |f|`.
///
/// For θ < 1/2 they are Taylor series in `x = θ²`, to the degree that puts the first omitted term
/// below 5e-17 (relative): an LGVI step of a body spinning at Ω with step h has θ ≈ h|Ω|, and
/// this costs four polynomials instead of two libm calls, a square root and four divisions. Above, the closed forms from `sin(θ/2)` and `cos(θ/2)` (no cancellation in
/// `1 − cos θ = 2 sin²(θ/2)`; in the derivatives' the relative error stays below about 2e-15,
/// which only steers Newton).
@usableFromInline
struct ExponentialCoefficients {
  @usableFromInline let a: Double
  @usableFromInline let b: Double
  @usableFromInline let aPrimeOverTheta: Double
  @usableFromInline let bPrimeOverTheta: Double

  /// The bound on `x = θ²` below which the series are used.
  @inlinable
  static var seriesBound: Double { 0.25 }

  @inlinable
  init(_ f: Vector3) {
    let x = f.squaredNorm
    self = x < Self.seriesBound ? Self(series: x) : Self(closedForm: x)
  }

  /// The Taylor series: `a = Σ (−x)ᵏ/(2k+1)!`, `b = Σ (−x)ᵏ/(2k+2)!` for k = 0…6, and their
  /// derivatives `a′/θ = 2 da/dx`, `b′/θ = 2 db/dx` (k = 1…7); at x = 1/4 the first omitted
  /// terms are 4.7e-17, 2.9e-18, 2.7e-18 and 1.5e-19.
  @inlinable
  init(series x: Double) {
    var a = -1.0 / 39_916_800 + x * (1.0 / 6_227_020_800)
    a = 1 + x * (-1.0 / 6 + x * (1.0 / 120 + x * (-1.0 / 5040 + x * (1.0 / 362_880 + x * a))))
    var b = -1.0 / 479_001_600 + x * (1.0 / 87_178_291_200)
    b = 0.5 + x * (-1.0 / 24 + x * (1.0 / 720 + x * (-1.0 / 40320 + x * (1.0 / 3_628_800 + x * b))))
    var aPrime = -1.0 / 3_991_680 + x * (1.0 / 518_918_400 + x * (-1.0 / 93_405_312_000))
    aPrime = -1.0 / 3 + x * (1.0 / 30 + x * (-1.0 / 840 + x * (1.0 / 45360 + x * aPrime)))
    var bPrime = -1.0 / 47_900_160 + x * (1.0 / 7_264_857_600 + x * (-1.0 / 1_494_484_992_000))
    bPrime = -1.0 / 12 + x * (1.0 / 180 + x * (-1.0 / 6720 + x * (1.0 / 453_600 + x * bPrime)))
    self.a = a
    self.b = b
    aPrimeOverTheta = aPrime
    bPrimeOverTheta = bPrime
  }

  /// The closed forms `a = 2 s c/θ`, `b = 2 s²/θ²`, `a′/θ = (cos θ − a)/θ²`,
  /// `b′/θ = (a − 2b)/θ²` with `s = sin(θ/2)`, `c = cos(θ/2)`, `x = θ² > 0`.
  @inlinable
  init(closedForm x: Double) {
    let theta = x.squareRoot()
    let s = Double.sin(theta / 2)
    let c = Double.cos(theta / 2)
    a = 2 * s * c / theta
    b = 2 * s * s / x
    aPrimeOverTheta = (1 - 2 * s * s - a) / x
    bPrimeOverTheta = (a - 2 * b) / x
  }
}

extension SIMD3 where Scalar == Double {
  /// `max |v_i|`, NaN when an entry is NaN (`Swift.max` alone can drop a NaN argument).
  @inlinable
  var maxAbs: Double {
    let m = Swift.max(Swift.max(x.magnitude, y.magnitude), z.magnitude)
    return (x + y + z).isNaN ? .nan : m
  }
}

extension Matrix3 {
  /// Whether all nine entries are finite.
  @inlinable
  var isFinite: Bool { row0.maxAbs.isFinite && row1.maxAbs.isFinite && row2.maxAbs.isFinite }
}
