import RealModule

/// The rotation group of the plane, SO(2) ≅ U(1), stored as a unit complex number `c + i s`.
///
/// The tangent space is R (an angle increment). SO(2) is abelian, so `Ad = 1` and both
/// Jacobians are 1; `exp(θ) = (cos θ, sin θ)`, `log = atan2(s, c) ∈ (−π, π]`.
public struct SO2: LieGroup, Hashable {
  /// `cos θ` and `sin θ`.
  public let cosine: Double
  public let sine: Double

  /// The rotation by `angle` radians.
  @inlinable
  public init(angle: Double) {
    cosine = Double.cos(angle)
    sine = Double.sin(angle)
  }

  /// The rotation given by the unit complex number `real + i imaginary`, after checking that
  /// both are finite and `| |z| − 1 | ≤ tolerance`; the number is then normalised.
  public init(real: Double, imaginary: Double, tolerance: Double = 1e-9) throws(ManifoldError) {
    try requireFinite([real, imaginary], name: "complex number")
    let modulus = (real * real + imaginary * imaginary).squareRoot()
    guard (modulus - 1).magnitude <= tolerance else {
      throw .notOnUnitCircle(modulus: modulus, tolerance: tolerance)
    }
    cosine = real / modulus
    sine = imaginary / modulus
  }

  @usableFromInline
  init(uncheckedCosine c: Double, sine s: Double) {
    cosine = c
    sine = s
  }

  /// The angle in `(−π, π]`.
  @inlinable
  public var angle: Double { Double.atan2(y: sine, x: cosine) }

  /// The matrix `[[cos θ, −sin θ], [sin θ, cos θ]]`.
  @inlinable
  public var matrix: Matrix2 { Matrix2(cosine, -sine, sine, cosine) }

  public var identity: SO2 { SO2(uncheckedCosine: 1, sine: 0) }

  /// Complex multiplication.
  @inlinable
  public static func * (a: SO2, b: SO2) -> SO2 {
    SO2(
      uncheckedCosine: a.cosine * b.cosine - a.sine * b.sine,
      sine: a.sine * b.cosine + a.cosine * b.sine)
  }

  /// Complex conjugation.
  @inlinable
  public func inverse() -> SO2 { SO2(uncheckedCosine: cosine, sine: -sine) }

  @inlinable
  public static func exp(_ angle: Double) -> SO2 { SO2(angle: angle) }

  @inlinable
  public func log() -> Double { angle }

  /// `hat(θ) = [[0, −θ], [θ, 0]]`.
  @inlinable
  public static func hat(_ angle: Double) -> Matrix2 { Matrix2(0, -angle, angle, 0) }

  /// `vee(A) = (A₂₁ − A₁₂)/2`.
  @inlinable
  public static func vee(_ a: Matrix2) -> Double { (a.a21 - a.a12) / 2 }

  public var adjoint: Double { 1 }
  public static func rightJacobian(_ angle: Double) -> Double { 1 }
  public static func leftJacobian(_ angle: Double) -> Double { 1 }
  public static func rightJacobianInverse(_ angle: Double) -> Double { 1 }
  public static func leftJacobianInverse(_ angle: Double) -> Double { 1 }

  /// The rotated vector.
  @inlinable
  public func act(on p: SIMD2<Double>) -> SIMD2<Double> {
    SIMD2(cosine * p.x - sine * p.y, sine * p.x + cosine * p.y)
  }
}

/// A 2×2 real matrix `[[a11, a12], [a21, a22]]`.
public struct Matrix2: Hashable, Sendable {
  public var a11: Double
  public var a12: Double
  public var a21: Double
  public var a22: Double

  @inlinable
  public init(_ a11: Double, _ a12: Double, _ a21: Double, _ a22: Double) {
    self.a11 = a11
    self.a12 = a12
    self.a21 = a21
    self.a22 = a22
  }
}
