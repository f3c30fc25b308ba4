extension SO3 {
  /// The rotation nearest to `matrix` in the Frobenius norm, for every finite matrix: the
  /// R ∈ SO(3) that maximises `tr(RᵀM)` (the special orthogonal Procrustes problem). Where
  /// `det M > 0` it is the orthogonal polar factor of ``init(projecting:)``; where `det M ≤ 0`,
  /// which that initialiser refuses, it is `U diag(1, 1, −1) Vᵀ` for the singular value
  /// decomposition `M = UΣVᵀ` (`σ₁ ≥ σ₂ ≥ σ₃`; Umeyama, IEEE TPAMI 13, 1991).
  ///
  /// With R the rotation of a unit quaternion `q = (w, x, y, z)` (``init(quaternion:)``),
  /// `tr(RᵀM) = qᵀKq` for the symmetric 4×4 matrix
  ///
  ///     K = [ M11+M22+M33   M32−M23       M13−M31       M21−M12
  ///           M32−M23       M11−M22−M33   M12+M21       M13+M31
  ///           M13−M31       M12+M21       M22−M11−M33   M23+M32
  ///           M21−M12       M13+M31       M23+M32       M33−M11−M22 ]
  ///
  /// (Horn, *Closed-form solution of absolute orientation using unit quaternions*, JOSA A 4,
  /// 1987; Bar-Itzhack, JGCD 23, 2000), so q is a unit eigenvector of K for its largest
  /// eigenvalue, found here by the cyclic Jacobi method on K scaled to a largest entry of 1.
  /// The eigenvalues of K are `σ₁ + σ₂ + sσ₃` and the three sums with two signs flipped
  /// (`s = sign det M`), so R is unique unless `σ₂ + sσ₃ = 0` (M of rank at most 1, or
  /// `det M < 0` with `σ₂ = σ₃`); R is then one of the nearest rotations.
  /// - Throws: ``ManifoldError/nonFinite(name:value:)`` for a NaN or infinite entry.
  public init(nearestTo matrix: Matrix3) throws(ManifoldError) {
    try requireFinite(matrix.entries, name: "R")
    let scale = matrix.maxAbsEntry
    let m = scale > 0 ? (1 / scale) * matrix : matrix
    var k = SymmetricMatrix4()
    k[0, 0] = m[0, 0] + m[1, 1] + m[2, 2]
    k[1, 1] = m[0, 0] - m[1, 1] - m[2, 2]
    k[2, 2] = m[1, 1] - m[0, 0] - m[2, 2]
    k[3, 3] = m[2, 2] - m[0, 0] - m[1, 1]
    k[0, 1] = m[2, 1] - m[1, 2]
    k[0, 2] = m[0, 2] - m[2, 0]
    k[0, 3] = m[1, 0] - m[0, 1]
    k[1, 2] = m[0, 1] + m[1, 0]
    k[1, 3] = m[0, 2] + m[2, 0]
    k[2, 3] = m[1, 2] + m[2, 1]
    let q = k.dominantEigenvector()
    // A unit eigenvector: its norm is 1 up to rounding, never near the zero-quaternion bound.
    self = try SO3(quaternion: Quaternion(w: q[0], x: q[1], y: q[2], z: q[3]))
  }
}

/// A symmetric 4×4 matrix (both triangles stored), for ``SO3/init(nearestTo:)``.
struct SymmetricMatrix4 {
  private var entries = SIMD16<Double>()

  /// Entry (i, j); setting it sets (j, i) too.
  subscript(i: Int, j: Int) -> Double {
    get { entries[4 * i + j] }
    set {
      entries[4 * i + j] = newValue
      entries[4 * j + i] = newValue
    }
  }

  /// A unit eigenvector for the largest eigenvalue, by cyclic Jacobi sweeps (Golub & Van Loan,
  /// *Matrix Computations*, 4th ed., §8.5.2): each rotation `J(p, q, θ)` zeroes entry (p, q) of
  /// `JᵀAJ`; the sweeps stop when the off-diagonal part is below `10⁻³⁰ ‖A‖²_F` (at most 50, a
  /// bound quadratic convergence never approaches), and the eigenvectors are the columns of
  /// the product of the rotations.
  func dominantEigenvector() -> SIMD4<Double> {
    var a = self
    var v = SIMD16<Double>(1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1)
    let total = (a.entries * a.entries).sum()
    for _ in 0..<50 {
      var off = 0.0
      for p in 0..<3 {
        for q in (p + 1)..<4 { off += a[p, q] * a[p, q] }
      }
      guard 2 * off > 1e-30 * total else { break }
      for p in 0..<3 {
        for q in (p + 1)..<4 where a[p, q] != 0 {
          // t = tan θ, the smaller root of t² + 2τt − 1 = 0 with τ = (a_qq − a_pp)/(2a_pq).
          let tau = (a[q, q] - a[p, p]) / (2 * a[p, q])
          let t =
            abs(tau) > 1e150
            ? 1 / (2 * tau) : (tau >= 0 ? 1 : -1) / (abs(tau) + (tau * tau + 1).squareRoot())
          let c = 1 / (t * t + 1).squareRoot()
          let s = t * c
          for r in 0..<4 {
            // Columns p and q of A, then of V.
            let (arp, arq) = (a.entries[4 * r + p], a.entries[4 * r + q])
            a.entries[4 * r + p] = c * arp - s * arq
            a.entries[4 * r + q] = s * arp + c * arq
            let (vrp, vrq) = (v[4 * r + p], v[4 * r + q])
            v[4 * r + p] = c * vrp - s * vrq
            v[4 * r + q] = s * vrp + c * vrq
          }
          for r in 0..<4 {
            // Rows p and q of A.
            let (apr, aqr) = (a.entries[4 * p + r], a.entries[4 * q + r])
            a.entries[4 * p + r] = c * apr - s * aqr
            a.entries[4 * q + r] = s * apr + c * aqr
          }
          // Exactly zero (the rotation makes it zero up to rounding).
          a[p, q] = 0
        }
      }
    }
    var largest = 0
    for i in 1..<4 where a[i, i] > a[largest, largest] { largest = i }
    return SIMD4(v[largest], v[4 + largest], v[8 + largest], v[12 + largest])
  }
}
