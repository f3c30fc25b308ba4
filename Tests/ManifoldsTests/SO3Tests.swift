import Manifolds
import RealModule
import Testing

/// Unit axes used by the SO(3) tests: the coordinate axes and two generic directions.
private let axes: [Vector3] = [
  Vector3(1, 0, 0), Vector3(0, 1, 0), Vector3(0, 0, 1),
  Vector3(1, 2, 3) / Vector3(1, 2, 3).norm,
  Vector3(-0.3, 0.5, -0.8) / Vector3(-0.3, 0.5, -0.8).norm,
]

@Suite("SO(3)")
struct SO3Tests {
  @Test("log is accurate near θ = 0 and θ = π", arguments: [Double.pi - 1e-7, 1e-9, 1e-5, 2.0])
  func logAccuracy(angle: Double) {
    for axis in axes {
      let r = SO3(uncheckedMatrix: axisAngleMatrix(axis: axis, angle: angle))
      let error = (r.log() - angle * axis).norm
      #expect(error < 1e-9, "θ = \(angle), axis \(axis): |log R − θa| = \(error)")
      // The implementation reaches round-off, well inside the 1e-9 asked of it.
      #expect(error < 1e-14, "θ = \(angle), axis \(axis): |log R − θa| = \(error)")
    }
  }

  @Test("exp matches the series of the matrix exponential of ω̂")
  func expMatchesMatrixExponential() {
    var rng = SplitMix64(seed: 3)
    let magnitudes = [0, 1e-9, 1e-5, 1e-4, 0.05, 0.5, 2, 3.1, Double.pi, 4, 6, 9]
    for magnitude in magnitudes {
      let w = magnitude * Vector3(rng.unitVector(dimension: 3)[0...2].map { $0 })
      let reference = matrixExponential(SO3.hat(w))
      expectClose(
        SO3.exp(w).matrix.entries, reference.entries, absolute: 1e-14, "exp(\(w)) vs e^ω̂")
    }
  }

  @Test("hat(ω) v = ω × v, and vee takes the skew part")
  func hatIsCrossProduct() {
    let w = Vector3(0.3, -1.2, 2.5)
    let v = Vector3(-4, 0.5, 1.5)
    expectClose((SO3.hat(w) * v).components, w.cross(v).components, absolute: 1e-15, "ω̂ v")
    let symmetric = Matrix3(1, 2, 3, 2, 5, 6, 3, 6, 9)
    expectClose(
      SO3.vee(SO3.hat(w) + symmetric).components, w.components, absolute: 1e-15,
      "vee(ω̂ + S) = ω")
  }

  @Test("log returns the principal rotation vector, |ω| ≤ π")
  func logIsPrincipal() {
    for axis in axes {
      for angle in [Double.pi + 1e-6, 4.0, 6.0] {
        let w = SO3.exp(angle * axis).log()
        expectClose(
          w.components, ((angle - 2 * Double.pi) * axis).components, absolute: 1e-12,
          "log exp(\(angle) a)")
      }
    }
  }

  @Test("exp(log R) = R at θ = π exactly")
  func halfTurn() {
    let halfTurns =
      [Matrix3(diagonal: Vector3(1, -1, -1)), Matrix3(diagonal: Vector3(-1, 1, -1))]
      + axes.map { axisAngleMatrix(axis: $0, angle: .pi) }
    for m in halfTurns {
      let r = SO3(uncheckedMatrix: m)
      let w = r.log()
      #expect((w.norm - .pi).magnitude < 1e-14, "|log R| = \(w.norm)")
      expectClose(SO3.exp(w).matrix.entries, m.entries, absolute: 1e-14, "exp(log R) at π")
    }
  }

  @Test("exp, log and the Jacobians agree across their branch switches")
  func branchSwitches() {
    // Taylor branches switch at θ = 1e-4 (exp, log) and θ = 0.05 (J_l, J_l⁻¹); log reads the
    // axis from (R + Rᵀ)/2 once cos θ < −0.99.
    let switches = [1e-4, 0.05, Double.acos(-0.99)]
    for theta in switches.flatMap({ [$0 * (1 - 1e-9), $0, $0 * (1 + 1e-9)] }) {
      for axis in axes {
        let w = theta * axis
        expectClose(
          SO3.exp(w).log().components, w.components, absolute: 0, relative: 1e-13,
          "log exp at θ = \(theta)")
        expectClose(
          SO3.exp(w).matrix.entries, matrixExponential(SO3.hat(w)).entries, absolute: 1e-14,
          "exp at θ = \(theta)")
        let jl = SO3.leftJacobian(w) * SO3.leftJacobianInverse(w)
        expectClose(jl.entries, Matrix3.identity.entries, absolute: 1e-15, "J_l J_l⁻¹ at \(theta)")
        // J_l(ω) = ∫₀¹ exp(sω̂) ds = Σₖ ω̂ᵏ/(k+1)!, summed directly.
        var term = Matrix3.identity
        var series = Matrix3.identity
        for k in 1...40 {
          term = term * SO3.hat(w) * (1 / Double(k + 1))
          series = series + term
        }
        expectClose(
          SO3.leftJacobian(w).entries, series.entries, absolute: 1e-15,
          "J_l = ∫ exp(sω̂) ds at θ = \(theta)")
      }
    }
  }

  @Test("rotation vectors, Ad(R) = R and the action on R³")
  func adjointAndAction() throws {
    let w = Vector3(0.4, -0.2, 0.9)
    let r = try SO3(rotationVector: w)
    #expect(r == SO3.exp(w))
    #expect(r.adjoint == r.matrix)
    let v = Vector3(1, -2, 0.5)
    #expect(r.act(on: v) == r.matrix * v)
    #expect((r.act(on: v).norm - v.norm).magnitude < 1e-15)
    // A rotation about ω fixes ω.
    expectClose(r.act(on: w).components, w.components, absolute: 1e-15, "R ω = ω")
  }
}

@Suite("Quaternions")
struct QuaternionTests {
  /// Rotations that exercise every branch of Shepperd's method: the trace largest (small
  /// angles) and each diagonal entry largest (half turns about each axis), plus random ones.
  static let rotations: [SO3] = {
    var rng = SplitMix64(seed: 11)
    var result = [SO3.identity, SO3.exp(Vector3(1e-9, 0, 0))]
    for axis in axes {
      result.append(SO3.exp((Double.pi - 1e-3) * axis))
      result.append(SO3(uncheckedMatrix: axisAngleMatrix(axis: axis, angle: .pi)))
    }
    for _ in 0..<20 {
      let u = rng.unitVector(dimension: 3)
      result.append(SO3.exp(rng.uniform(0, .pi) * Vector3(u[0], u[1], u[2])))
    }
    return result
  }()

  @Test("SO(3) → quaternion → SO(3) is the identity")
  func roundTrip() throws {
    for r in Self.rotations {
      let q = r.quaternion
      #expect((q.norm - 1).magnitude < 1e-15)
      #expect(q.w >= 0)
      let back = try SO3(quaternion: q)
      expectClose(back.matrix.entries, r.matrix.entries, absolute: 1e-14, "R(q(R)) = R")
    }
  }

  @Test("the quaternion of exp(θa) is (cos θ/2, sin θ/2 · a)")
  func quaternionOfAxisAngle() {
    for axis in axes {
      for angle in [0.1, 1.0, 2.5, 3.0] {
        let q = SO3.exp(angle * axis).quaternion
        let expected = [Double.cos(angle / 2)] + (Double.sin(angle / 2) * axis).components
        expectClose([q.w, q.x, q.y, q.z], expected, absolute: 1e-15, "q(exp(\(angle) a))")
      }
    }
  }

  @Test("the Hamilton product composes rotations, and q and −q are the same rotation")
  func homomorphism() throws {
    let p = Quaternion(w: 0.5, x: -1, y: 2, z: 0.25)
    let q = Quaternion(w: -0.3, x: 0.7, y: 0.1, z: -1.1)
    let rp = try SO3(quaternion: p)
    let rq = try SO3(quaternion: q)
    expectClose(
      try SO3(quaternion: p * q).matrix.entries, (rp * rq).matrix.entries, absolute: 1e-15,
      "R(pq) = R(p) R(q)")
    expectClose(
      try SO3(quaternion: q.scaled(by: -3)).matrix.entries, rq.matrix.entries, absolute: 1e-15,
      "R(−3q) = R(q)")
    #expect(rq.orthogonalityDefect < 1e-15)
  }
}

@Suite("Projection onto SO(3)")
struct ProjectionTests {
  @Test("a perturbed rotation projects to a nearby exact rotation")
  func projectsPerturbedRotation() throws {
    var rng = SplitMix64(seed: 21)
    for _ in 0..<20 {
      let u = rng.unitVector(dimension: 3)
      let r = SO3.exp(rng.uniform(0, .pi) * Vector3(u[0], u[1], u[2]))
      let noise = Matrix3(
        rng.gaussian(), rng.gaussian(), rng.gaussian(), rng.gaussian(), rng.gaussian(),
        rng.gaussian(), rng.gaussian(), rng.gaussian(), rng.gaussian())
      let m = r.matrix + 1e-3 * noise
      let p = try SO3(projecting: m)
      #expect(p.orthogonalityDefect < 1e-14)
      #expect((p.matrix.determinant - 1).magnitude < 1e-14)
      #expect((p.matrix - r.matrix).frobeniusNorm < (m - r.matrix).frobeniusNorm)
      // The orthogonal polar factor P of M = P H has PᵀM = H symmetric.
      let h = p.matrix.transpose * m
      #expect((h - h.transpose).maxAbsEntry < 1e-14)
      #expect(h.determinant > 0)
    }
  }

  @Test("projection fixes rotations and ignores a positive scale")
  func scaleInvariance() throws {
    let r = SO3.exp(Vector3(0.3, 2.0, -1.0))
    for scale in [1.0, 2.0, 1e-200, 1e200] {
      let p = try SO3(projecting: r.matrix * scale)
      expectClose(p.matrix.entries, r.matrix.entries, absolute: 1e-15, "project(\(scale) R)")
    }
  }

  @Test("a validated rotation keeps its matrix")
  func validating() throws {
    let r = SO3.exp(Vector3(-0.7, 0.1, 0.4))
    #expect(try SO3(validating: r.matrix) == r)
  }
}
