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
public struct SO3LGVIEquation: Sendable {
  /// The inertia J.
  public let inertia: Matrix3
  /// The right-hand side `g = hΠ_k + (h²/2) M_k`.
  public var target: Vector3

  public init(inertia: Matrix3, target: Vector3) {
    self.inertia = inertia
    self.target = target
  }

  /// `G(f)`.
  func residual(at f: Vector3) -> Vector3 {
    let c = ExponentialCoefficients(f)
    let jf = inertia * f
    return c.a * jf + c.b * f.cross(jf) - target
  }

  /// `G(f)` and `DG(f)`.
  public func residualAndJacobian(at f: Vector3) -> (residual: Vector3, jacobian: Matrix3) {
    let c = ExponentialCoefficients(f)
    let jf = inertia * f
    let fxjf = f.cross(jf)
    let residual = c.a * jf + c.b * fxjf - target
    let jacobian =
      c.a * inertia + c.b * (SO3.hat(f) * inertia - SO3.hat(jf))
      + Matrix3.outer(c.aPrimeOverTheta * jf + c.bPrimeOverTheta * fxjf, f)
    return (residual, jacobian)
  }

  /// The residual level accepted as converged: `1e-10 max|g|`. Newton stops on its corrections
  /// (see ``newton(from:maxIterations:)``); this bound only tells convergence from a stall far
  /// from the root.
  var acceptableResidual: Double { 1e-10 * target.maxAbs }

  /// Newton's method `f ← f − DG(f)⁻¹ G(f)` from `guess`, iterated to round-off: it stops when
  /// the correction is below `1e-15 max(1, |f|∞)` or has stopped shrinking, provided the residual
  /// is at most ``acceptableResidual``. Allocates nothing.
  func newton(from guess: Vector3, maxIterations: Int) -> SO3LGVISolution {
    var f = guess
    var previousCorrection = Double.infinity
    var residualNorm = Double.infinity
    for iteration in 1...max(1, maxIterations) {
      let (g, dg) = residualAndJacobian(at: f)
      residualNorm = g.maxAbs
      guard residualNorm.isFinite, let inverse = dg.inverse else {
        return SO3LGVISolution(
          root: f, iterations: iteration, residualNorm: residualNorm, converged: false)
      }
      let correction = inverse * g
      f -= correction
      let size = correction.maxAbs
      if residualNorm <= acceptableResidual
        && (size <= 1e-15 * max(1, f.maxAbs) || size >= previousCorrection)
      {
        return SO3LGVISolution(
          root: f, iterations: iteration, residualNorm: residualNorm, converged: true)
      }
      previousCorrection = size
    }
    return SO3LGVISolution(
      root: f, iterations: maxIterations, residualNorm: residualNorm, converged: false)
  }
}

/// A root of ``SO3LGVIEquation`` and how it was reached.
struct SO3LGVISolution {
  var root: Vector3
  var iterations: Int
  /// `max |G|` at the last evaluation.
  var residualNorm: Double
  var converged: Bool
}

/// `a = sin θ/θ`, `b = (1 − cos θ)/θ²` and `a′(θ)/θ`, `b′(θ)/θ` at `θ = |f|`, from `sin(θ/2)`
/// and `cos(θ/2)` (no cancellation in `1 − cos θ = 2 sin²(θ/2)`), with Taylor series in θ² for
/// θ < 0.05 where the closed forms of the derivatives cancel.
struct ExponentialCoefficients {
  let a: Double
  let b: Double
  let aPrimeOverTheta: Double
  let bPrimeOverTheta: Double

  init(_ f: Vector3) {
    let x = f.squaredNorm
    if x < 0.0025 {
      a = 1 - x / 6 * (1 - x / 20 * (1 - x / 42 * (1 - x / 72)))
      b = 0.5 * (1 - x / 12 * (1 - x / 30 * (1 - x / 56 * (1 - x / 90))))
      aPrimeOverTheta = -1.0 / 3 + x * (1.0 / 30 + x * (-1.0 / 840 + x * (1.0 / 45360)))
      bPrimeOverTheta = -1.0 / 12 + x * (1.0 / 180 + x * (-1.0 / 6720 + x * (1.0 / 453_600)))
    } else {
      let theta = x.squareRoot()
      let s = Double.sin(theta / 2)
      let c = Double.cos(theta / 2)
      a = 2 * s * c / theta
      b = 2 * s * s / x
      aPrimeOverTheta = (1 - 2 * s * s - a) / x
      bPrimeOverTheta = (a - 2 * b) / x
    }
  }
}

extension SIMD3 where Scalar == Double {
  /// `max |v_i|`, NaN when an entry is NaN (`Swift.max` alone can drop a NaN argument).
  var maxAbs: Double {
    let m = Swift.max(x.magnitude, y.magnitude, z.magnitude)
    return (x + y + z).isNaN ? .nan : m
  }
}

extension Matrix3 {
  /// Whether all nine entries are finite.
  var isFinite: Bool { row0.maxAbs.isFinite && row1.maxAbs.isFinite && row2.maxAbs.isFinite }
}
