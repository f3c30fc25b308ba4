import RealModule

/// The rotation group SO(3) = { R ∈ R³ˣ³ : RᵀR = I, det R = 1 }, stored as a rotation matrix.
///
/// Tangent vectors are body-frame rotation vectors ω ∈ R³ (`retract(ω) = R exp(ω̂)`).
/// Exponential and logarithm follow the Rodrigues formula,
///
///     exp(ω) = I + (sin θ/θ) ω̂ + ((1 − cos θ)/θ²) ω̂²,   θ = |ω|,
///
/// with Taylor branches near θ = 0 and an axis extraction from `(R + Rᵀ)/2` near θ = π
/// (Solà et al. 2018, Example 4; Barfoot, *State Estimation for Robotics*, 2017, §7.1).
/// All operations on `SO3` are on stack values and allocate nothing.
public struct SO3: LieGroup, Hashable {
  /// The rotation matrix.
  public let matrix: Matrix3

  /// Wraps a matrix already known to be a rotation (no check). For user data use
  /// ``init(validating:tolerance:)`` or ``init(projecting:)``.
  @inlinable
  public init(uncheckedMatrix matrix: Matrix3) { self.matrix = matrix }

  /// The rotation `matrix`, after checking that its entries are finite and that
  /// `max |RᵀR − I| ≤ tolerance` and `det R > 0`.
  public init(validating matrix: Matrix3, tolerance: Double = 1e-9) throws(ManifoldError) {
    try requireFinite(matrix.entries, name: "R")
    let defect = (matrix.transpose * matrix - .identity).maxAbsEntry
    let det = matrix.determinant
    guard defect <= tolerance, det > 0 else {
      throw .notARotation(defect: defect, determinant: det, tolerance: tolerance)
    }
    self.matrix = matrix
  }

  /// The rotation nearest to `matrix` in the Frobenius norm: the orthogonal polar factor,
  /// computed by Newton's iteration `X ← (X + X⁻ᵀ)/2` (Higham, *Functions of Matrices*, 2008, §8.3).
  ///
  /// The polar factor of `sM` is that of `M` for every `s > 0`, so the matrix is first scaled to
  /// a largest entry of 1 (no overflow or underflow of the determinant or the iteration).
  /// Throws when an entry is not finite, when `det matrix ≤ 0` (no rotation is nearest then), or
  /// when the matrix is so close to singular that the iteration does not reach a rotation.
  public init(projecting matrix: Matrix3) throws(ManifoldError) {
    try requireFinite(matrix.entries, name: "R")
    let scale = matrix.maxAbsEntry
    let scaled =
      scale > 0
      ? Matrix3(rows: matrix.row0 / scale, matrix.row1 / scale, matrix.row2 / scale)
      : matrix
    let notARotation = ManifoldError.notARotation(
      defect: (matrix.transpose * matrix - .identity).maxAbsEntry,
      determinant: matrix.determinant, tolerance: .infinity)
    guard scaled.determinant > 0 else { throw notARotation }
    var x = scaled
    for _ in 0..<100 {
      guard let inverse = x.inverse else { break }
      let next = (x + inverse.transpose) * 0.5
      let change = (next - x).maxAbsEntry
      x = next
      if change <= 4 * Double.ulpOfOne { break }
    }
    guard (x.transpose * x - .identity).maxAbsEntry <= 1e-12, x.determinant > 0 else {
      throw notARotation
    }
    self.matrix = x
  }

  /// The rotation given by a unit quaternion `q` (normalised first; `q` and `−q` give the same R).
  public init(quaternion q: Quaternion) throws(ManifoldError) {
    try requireFinite([q.w, q.x, q.y, q.z], name: "quaternion")
    let norm = q.norm
    guard norm > 1e-12 else { throw .zeroQuaternion(norm: norm) }
    let u = q.scaled(by: 1 / norm)
    let (w, x, y, z) = (u.w, u.x, u.y, u.z)
    matrix = Matrix3(
      1 - 2 * (y * y + z * z), 2 * (x * y - w * z), 2 * (x * z + w * y),
      2 * (x * y + w * z), 1 - 2 * (x * x + z * z), 2 * (y * z - w * x),
      2 * (x * z - w * y), 2 * (y * z + w * x), 1 - 2 * (x * x + y * y))
  }

  /// The rotation `exp(ω̂)` of a rotation vector, after checking that it is finite.
  public init(rotationVector omega: Vector3) throws(ManifoldError) {
    try requireFinite(omega.components, name: "rotation vector")
    self = SO3.exp(omega)
  }

  /// The unit quaternion `(w, x, y, z)` of this rotation with `w ≥ 0` (Shepperd's method:
  /// divide by the largest of the four candidate components).
  public var quaternion: Quaternion {
    let m = matrix
    let t = m.trace
    // k = 0 when the trace is the largest candidate, else 1 + the index of the largest diagonal
    // entry (written out: an array here would allocate).
    var k = 0
    var largest = t
    for i in 0..<3 where m[i, i] > largest {
      k = i + 1
      largest = m[i, i]
    }
    var q: Quaternion
    switch k {
    case 0:
      let s = 2 * (1 + t).squareRoot()
      q = Quaternion(
        w: s / 4,
        x: (m[2, 1] - m[1, 2]) / s,
        y: (m[0, 2] - m[2, 0]) / s,
        z: (m[1, 0] - m[0, 1]) / s)
    case 1:
      let s = 2 * (1 + m[0, 0] - m[1, 1] - m[2, 2]).squareRoot()
      q = Quaternion(
        w: (m[2, 1] - m[1, 2]) / s,
        x: s / 4,
        y: (m[0, 1] + m[1, 0]) / s,
        z: (m[0, 2] + m[2, 0]) / s)
    case 2:
      let s = 2 * (1 - m[0, 0] + m[1, 1] - m[2, 2]).squareRoot()
      q = Quaternion(
        w: (m[0, 2] - m[2, 0]) / s,
        x: (m[0, 1] + m[1, 0]) / s,
        y: s / 4,
        z: (m[1, 2] + m[2, 1]) / s)
    default:
      let s = 2 * (1 - m[0, 0] - m[1, 1] + m[2, 2]).squareRoot()
      q = Quaternion(
        w: (m[1, 0] - m[0, 1]) / s,
        x: (m[0, 2] + m[2, 0]) / s,
        y: (m[1, 2] + m[2, 1]) / s,
        z: s / 4)
    }
    return q.w < 0 ? q.scaled(by: -1) : q
  }

  /// The orthogonality defect `max |RᵀR − I|` (0 up to round-off for a rotation).
  @inlinable
  public var orthogonalityDefect: Double { (matrix.transpose * matrix - .identity).maxAbsEntry }

  /// The identity rotation.
  public static let identity = SO3(uncheckedMatrix: .identity)

  public var identity: SO3 { .identity }

  @inlinable
  public static func * (lhs: SO3, rhs: SO3) -> SO3 { SO3(uncheckedMatrix: lhs.matrix * rhs.matrix) }

  /// `R⁻¹ = Rᵀ`.
  @inlinable
  public func inverse() -> SO3 { SO3(uncheckedMatrix: matrix.transpose) }

  /// `ω̂ = [[0, −ω₃, ω₂], [ω₃, 0, −ω₁], [−ω₂, ω₁, 0]]`, so that `ω̂ v = ω × v`.
  @inlinable
  public static func hat(_ w: Vector3) -> Matrix3 {
    Matrix3(0, -w.z, w.y, w.z, 0, -w.x, -w.y, w.x, 0)
  }

  /// `vee(A) = (A₃₂, A₁₃, A₂₁)`, the inverse of `hat` on skew matrices; for a general `A` it is
  /// `vee` of the skew part `(A − Aᵀ)/2`.
  @inlinable
  public static func vee(_ a: Matrix3) -> Vector3 {
    0.5 * Vector3(a[2, 1] - a[1, 2], a[0, 2] - a[2, 0], a[1, 0] - a[0, 1])
  }

  /// Rodrigues' formula `exp(ω) = I + a ω̂ + b ω̂²` with `a = sin θ/θ`, `b = (1 − cos θ)/θ²`
  /// (series for θ < 1e-4; `b = 2 sin²(θ/2)/θ²` avoids cancellation elsewhere).
  @inlinable
  public static func exp(_ w: Vector3) -> SO3 {
    let c = RotationCoefficients.exponential(w.squaredNorm)
    let k = hat(w)
    return SO3(uncheckedMatrix: .identity + c.a * k + c.b * (k * k))
  }

  /// The rotation vector ω with `exp(ω) = R`, `|ω| ≤ π`.
  ///
  /// `θ = atan2(|vee(R − Rᵀ)|, tr R − 1)`, accurate at every angle. Away from π,
  /// `ω = (θ / sin θ) vee((R − Rᵀ)/2)`; for `cos θ < −0.99` the axis is read from the largest
  /// diagonal entry of `(R + Rᵀ)/2 = cos θ I + (1 − cos θ) a aᵀ`, its sign from `vee(R − Rᵀ)`.
  @inlinable
  public func log() -> Vector3 {
    let m = matrix
    let s = SO3.vee(m)  // = sin θ · axis
    let sinTheta = s.norm
    let cosTheta = (m.trace - 1) / 2
    let theta = Double.atan2(y: sinTheta, x: cosTheta)
    if cosTheta > -0.99 {
      let factor =
        theta < 1e-4
        ? 1 + theta * theta / 6 + 7 * theta * theta * theta * theta / 360
        : theta / sinTheta
      return factor * s
    }
    let symmetric = m.symmetricPart
    let d = symmetric.diagonal
    let k = d.x >= d.y && d.x >= d.z ? 0 : (d.y >= d.z ? 1 : 2)
    let oneMinusCos = 1 - cosTheta
    let ak = ((symmetric[k, k] - cosTheta) / oneMinusCos).squareRoot()
    var axis = Vector3.zero
    for j in 0..<3 {
      axis[j] = j == k ? ak : symmetric[k, j] / (oneMinusCos * ak)
    }
    axis = (1 / axis.norm) * axis
    if axis.dot(s) < 0 { axis = -axis }
    return theta * axis
  }

  /// `Ad(R) = R`: `R exp(ω̂) Rᵀ = exp((Rω)^)`.
  @inlinable
  public var adjoint: Matrix3 { matrix }

  /// `J_r(ω) = J_l(−ω) = J_l(ω)ᵀ`.
  @inlinable
  public static func rightJacobian(_ w: Vector3) -> Matrix3 { leftJacobian(-w) }

  /// `J_l(ω) = I + ((1 − cos θ)/θ²) ω̂ + ((θ − sin θ)/θ³) ω̂²` (Barfoot 2017, eq. 7.77).
  @inlinable
  public static func leftJacobian(_ w: Vector3) -> Matrix3 {
    let c = RotationCoefficients.jacobian(w.squaredNorm)
    let k = hat(w)
    return .identity + c.b * k + c.c * (k * k)
  }

  /// `J_r(ω)⁻¹ = J_l(−ω)⁻¹`.
  @inlinable
  public static func rightJacobianInverse(_ w: Vector3) -> Matrix3 { leftJacobianInverse(-w) }

  /// `J_l(ω)⁻¹ = I − ½ ω̂ + (1/θ² − (1 + cos θ)/(2θ sin θ)) ω̂²` (Barfoot 2017, eq. 7.78),
  /// with `(1 + cos θ)/sin θ = 1/tan(θ/2)` and a series for small θ.
  @inlinable
  public static func leftJacobianInverse(_ w: Vector3) -> Matrix3 {
    let t2 = w.squaredNorm
    let d: Double
    if t2 < 0.0025 {
      d = 1.0 / 12 + t2 / 720 + t2 * t2 / 30240 + t2 * t2 * t2 / 1_209_600
    } else {
      let t = t2.squareRoot()
      d = 1 / t2 - 1 / (2 * t * Double.tan(t / 2))
    }
    let k = hat(w)
    return .identity - 0.5 * k + d * (k * k)
  }

  /// The rotated vector `R v`.
  @inlinable
  public func act(on point: Vector3) -> Vector3 { matrix * point }
}

/// The coefficients `a = sin θ/θ`, `b = (1 − cos θ)/θ²` and `c = (θ − sin θ)/θ³` of the SO(3)
/// exponential and its Jacobians as functions of `θ²`, each with a Taylor branch where the
/// closed form cancels. The closed forms use one sine and one cosine of θ/2:
/// `sin θ = 2 sin(θ/2) cos(θ/2)` and `1 − cos θ = 2 sin²(θ/2)` (no cancellation in `b`).
@usableFromInline
enum RotationCoefficients {
  /// `(a, b)`, for `exp` (series below θ = 1e-4).
  @inlinable
  static func exponential(_ t2: Double) -> (a: Double, b: Double) {
    if t2 < 1e-8 {
      return (1 - t2 / 6 + t2 * t2 / 120, 0.5 - t2 / 24 + t2 * t2 / 720)
    }
    let t = t2.squareRoot()
    let s = Double.sin(t / 2)
    let co = Double.cos(t / 2)
    return (2 * s * co / t, 2 * s * s / t2)
  }

  /// `(b, c)`, for the Jacobians (series below θ = 1e-4 for `b` and below θ = 0.05 for `c`).
  @inlinable
  static func jacobian(_ t2: Double) -> (b: Double, c: Double) {
    if t2 < 1e-8 {
      return (0.5 - t2 / 24 + t2 * t2 / 720, 1.0 / 6 - t2 / 120 + t2 * t2 / 5040)
    }
    let t = t2.squareRoot()
    let s = Double.sin(t / 2)
    let b = 2 * s * s / t2
    if t2 < 0.0025 {
      return (b, 1.0 / 6 - t2 / 120 + t2 * t2 / 5040 - t2 * t2 * t2 / 362_880)
    }
    return (b, (t - 2 * s * Double.cos(t / 2)) / (t2 * t))
  }
}
