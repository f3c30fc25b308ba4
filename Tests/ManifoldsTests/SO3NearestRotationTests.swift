import Manifolds
import Testing

/// `SO3(nearestTo:)`: the rotation maximising tr(RᵀM), for every finite M.
@Suite("SO(3): nearest rotation")
struct SO3NearestRotationTests {
  /// A random rotation and a random Gaussian matrix.
  static func randomRotation(_ rng: inout SplitMix64) -> SO3 {
    let u = rng.unitVector(dimension: 3)
    return SO3.exp(rng.uniform(0, .pi) * Vector3(u[0], u[1], u[2]))
  }

  static func randomMatrix(_ rng: inout SplitMix64) -> Matrix3 {
    Matrix3(
      rng.gaussian(), rng.gaussian(), rng.gaussian(), rng.gaussian(), rng.gaussian(),
      rng.gaussian(), rng.gaussian(), rng.gaussian(), rng.gaussian())
  }

  static func trace(_ r: SO3, _ m: Matrix3) -> Double { (r.matrix.transpose * m).trace }

  @Test(
    "A diag(σ) B with det < 0 or rank 2: the nearest rotation is AB (Umeyama's U diag(1, 1, −1) Vᵀ)"
  )
  func knownSolutions() throws {
    var rng = SplitMix64(seed: 5)
    for singularValues in [
      Vector3(3, 2, -1), Vector3(2, 1, 0), Vector3(1, 0.5, -0.25), Vector3(5, 4, 3),
    ] {
      for _ in 0..<10 {
        let a = Self.randomRotation(&rng)
        let b = Self.randomRotation(&rng)
        let m = a.matrix * Matrix3(diagonal: singularValues) * b.matrix
        let r = try SO3(nearestTo: m)
        expectClose(
          r.matrix.entries, (a * b).matrix.entries, absolute: 1e-14,
          "nearest to A diag\(singularValues) B")
      }
    }
    // diag(3, 2, −1) itself: tr(RᵀM) is 4 at I, 2 at diag(1, −1, −1), 0 at diag(−1, 1, −1).
    let r = try SO3(nearestTo: Matrix3(diagonal: Vector3(3, 2, -1)))
    expectClose(
      r.matrix.entries, Matrix3.identity.entries, absolute: 1e-15, "nearest to diag(3, 2, −1)")
  }

  @Test("det M > 0: the orthogonal polar factor, as SO3(projecting:) gives it")
  func agreesWithThePolarFactor() throws {
    var rng = SplitMix64(seed: 8)
    var checked = 0
    for _ in 0..<200 {
      let m = Self.randomMatrix(&rng)
      guard m.determinant > 0.05 else { continue }
      checked += 1
      expectClose(
        try SO3(nearestTo: m).matrix.entries, try SO3(projecting: m).matrix.entries,
        absolute: 1e-12, "nearest vs polar factor")
    }
    #expect(checked > 50)
  }

  /// Random M of both signs of det: R is a rotation, RᵀM is symmetric (the stationarity
  /// condition of tr(RᵀM) on SO(3)), and no rotation nearby or sampled at random does better.
  @Test("random M: a rotation, stationary and not beaten by 2000 other rotations")
  func optimality() throws {
    var rng = SplitMix64(seed: 13)
    var negative = 0
    for _ in 0..<40 {
      let m = Self.randomMatrix(&rng)
      if m.determinant < 0 { negative += 1 }
      let r = try SO3(nearestTo: m)
      #expect(r.orthogonalityDefect < 1e-14)
      #expect(abs(r.matrix.determinant - 1) < 1e-14)
      let h = r.matrix.transpose * m
      #expect((h - h.transpose).maxAbsEntry < 1e-13 * m.maxAbsEntry)
      let best = Self.trace(r, m)
      for k in 0..<50 {
        let other =
          k < 25
          ? r * SO3.exp(1e-3 * Vector3(rng.gaussian(), rng.gaussian(), rng.gaussian()))
          : Self.randomRotation(&rng)
        #expect(Self.trace(other, m) <= best + 1e-13)
      }
    }
    #expect(negative > 5)
  }

  @Test("a positive scale, tiny or huge, does not change the result; non-finite entries throw")
  func scaleAndNonFinite() throws {
    let m = Matrix3(0.2, -1.1, 0.4, 0.9, 0.3, -0.5, 0.1, 0.6, -0.8)
    let r = try SO3(nearestTo: m)
    for scale in [1e-300, 1e-10, 1e10, 1e300] {
      expectClose(
        try SO3(nearestTo: scale * m).matrix.entries, r.matrix.entries, absolute: 1e-14,
        "scale \(scale)")
    }
    #expect(throws: ManifoldError.nonFinite(name: "R[4]", value: .infinity)) {
      try SO3(nearestTo: Matrix3(1, 0, 0, 0, .infinity, 0, 0, 0, 1))
    }
  }
}
