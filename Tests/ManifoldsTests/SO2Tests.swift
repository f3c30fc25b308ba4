import Manifolds
import RealModule
import Testing

@Suite("SO(2)")
struct SO2Tests {
  @Test("SO(2) is the rotation of SO(3) about z")
  func agreesWithSO3AboutZ() {
    for angle in [-3.0, -1e-9, 0.4, 2.0, Double.pi - 1e-6] {
      let planar = SO2.exp(angle)
      let spatial = SO3.exp(Vector3(0, 0, angle)).matrix
      let m = planar.matrix
      expectClose(
        [m.a11, m.a12, m.a21, m.a22], [spatial[0, 0], spatial[0, 1], spatial[1, 0], spatial[1, 1]],
        absolute: 1e-15, "SO2(\(angle)) vs SO3 about z")
      let h = SO2.hat(angle)
      let hz = SO3.hat(Vector3(0, 0, angle))
      #expect([h.a11, h.a12, h.a21, h.a22] == [hz[0, 0], hz[0, 1], hz[1, 0], hz[1, 1]])
      let p = SIMD2(0.3, -1.7)
      let rotated = spatial * Vector3(p.x, p.y, 0)
      expectClose(
        [planar.act(on: p).x, planar.act(on: p).y], [rotated.x, rotated.y], absolute: 1e-15,
        "action")
    }
  }

  @Test("angles add under composition and log wraps to (−π, π]")
  func anglesAdd() {
    let a = SO2(angle: 2.5)
    let b = SO2(angle: 1.5)
    #expect(((a * b).log() - (4 - 2 * Double.pi)).magnitude < 1e-15)
    #expect((SO2(angle: 3 * Double.pi / 2).angle + Double.pi / 2).magnitude < 1e-15)
    #expect(SO2(angle: .pi).angle > 0)
  }

  @Test("a complex number on the unit circle within the tolerance is normalised")
  func complexNumber() throws {
    let r = try SO2(real: 0.6 * (1 + 1e-10), imaginary: 0.8 * (1 + 1e-10))
    #expect((r.cosine * r.cosine + r.sine * r.sine - 1).magnitude < 1e-15)
    #expect((r.angle - Double.atan2(y: 0.8, x: 0.6)).magnitude < 1e-15)
  }
}

@Suite("R^n")
struct EuclideanTests {
  @Test("the group is vector addition; exp and log are the identity on coordinates")
  func translation() throws {
    let p = try Euclidean([1, -2, 0.5])
    let q = try Euclidean([0.25, 4, -1])
    #expect((p * q).coordinates == [1.25, 2, -0.5])
    #expect(p.inverse().coordinates == [-1, 2, -0.5])
    #expect(p.log() == RealVector([1, -2, 0.5]))
    #expect(Euclidean.exp(RealVector([3, 4])).coordinates == [3, 4])
    #expect(p.localCoordinate(q) == RealVector([-0.75, 6, -1.5]))
    #expect(p.act(on: [1, 1, 1]) == [2, -1, 1.5])
    let generator = Euclidean.hat(RealVector([1, 2, 3]))
    #expect(generator.rows == 4 && generator.columns == 4)
    #expect(generator.denseRows.map { $0[3] } == [1, 2, 3, 0])
  }

  @Test("retracting along the zero tangent vector stays put")
  func retractZero() throws {
    let p = try Euclidean([1, -2, 0.5])
    #expect(p.retract(.zero) == p)
    #expect(p.retract(RealVector.zero + RealVector([1, 1, 1])).coordinates == [2, -1, 1.5])
    #expect((p * Euclidean.exp(.zero)) == p)
    #expect((Euclidean.exp(.zero) * p) == p)
  }
}
