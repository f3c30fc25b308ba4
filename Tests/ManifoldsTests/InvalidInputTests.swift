import Manifolds
import Testing

/// User data that names no point of a manifold is a thrown ``ManifoldError`` naming the bad value.
@Suite("Invalid input")
struct InvalidInputTests {
  @Test("a rotation matrix with a NaN entry")
  func nanRotation() {
    var m = Matrix3.identity
    m[1, 2] = .nan
    let error = #expect(throws: ManifoldError.self) { try SO3(validating: m) }
    guard case .nonFinite(let name, let value) = error else {
      Issue.record("expected .nonFinite, got \(String(describing: error))")
      return
    }
    #expect(name == "R[5]")
    #expect(value.isNaN)
    #expect(throws: ManifoldError.nonFinite(name: "R[0]", value: .infinity)) {
      try SO3(projecting: Matrix3(diagonal: Vector3(.infinity, 1, 1)))
    }
  }

  @Test("a matrix that is not orthogonal")
  func notOrthogonal() {
    let m = Matrix3(1, 0.01, 0, 0, 1, 0, 0, 0, 1)
    let error = #expect(throws: ManifoldError.self) { try SO3(validating: m) }
    guard case .notARotation(let defect, let determinant, let tolerance) = error else {
      Issue.record("expected .notARotation, got \(String(describing: error))")
      return
    }
    #expect(defect == 0.01)
    #expect(determinant == 1)
    #expect(tolerance == 1e-9)
    // A looser tolerance accepts a nearly orthogonal matrix.
    #expect(throws: Never.self) {
      try SO3(validating: Matrix3(1, 1e-7, 0, 0, 1, 0, 0, 0, 1), tolerance: 1e-6)
    }
  }

  @Test("an orthogonal matrix with determinant −1 (a reflection)")
  func reflection() {
    let m = Matrix3(diagonal: Vector3(1, 1, -1))
    #expect(throws: ManifoldError.notARotation(defect: 0, determinant: -1, tolerance: 1e-9)) {
      try SO3(validating: m)
    }
    let error = #expect(throws: ManifoldError.self) { try SO3(projecting: m) }
    guard case .notARotation(_, let determinant, _) = error else {
      Issue.record("expected .notARotation, got \(String(describing: error))")
      return
    }
    #expect(determinant == -1)
  }

  @Test("a zero quaternion")
  func zeroQuaternion() {
    #expect(throws: ManifoldError.zeroQuaternion(norm: 0)) {
      try SO3(quaternion: Quaternion(w: 0, x: 0, y: 0, z: 0))
    }
    #expect(throws: ManifoldError.nonFinite(name: "quaternion[2]", value: .infinity)) {
      try SO3(quaternion: Quaternion(w: 1, x: 0, y: .infinity, z: 0))
    }
  }

  @Test("a complex number off the unit circle")
  func offUnitCircle() {
    #expect(throws: ManifoldError.notOnUnitCircle(modulus: 2, tolerance: 1e-9)) {
      try SO2(real: 2, imaginary: 0)
    }
    #expect(throws: ManifoldError.notOnUnitCircle(modulus: 0.5, tolerance: 0.1)) {
      try SO2(real: 0, imaginary: -0.5, tolerance: 0.1)
    }
    let error = #expect(throws: ManifoldError.self) { try SO2(real: .nan, imaginary: 1) }
    guard case .nonFinite(let name, _) = error else {
      Issue.record("expected .nonFinite, got \(String(describing: error))")
      return
    }
    #expect(name == "complex number[0]")
  }

  @Test("non-finite coordinates, rotation vectors and wrong sizes")
  func otherInputs() {
    #expect(throws: ManifoldError.nonFinite(name: "q[1]", value: -.infinity)) {
      try Euclidean([0, -.infinity, 2])
    }
    #expect(throws: ManifoldError.nonFinite(name: "rotation vector[2]", value: .infinity)) {
      try SO3(rotationVector: Vector3(0, 0, .infinity))
    }
    #expect(throws: ManifoldError.wrongDimension(name: "matrix entries", expected: 6, actual: 5)) {
      try Matrix(rows: 2, columns: 3, storage: [1, 2, 3, 4, 5])
    }
  }

  @Test("error descriptions name the bad value")
  func descriptions() {
    #expect(ManifoldError.nonFinite(name: "q[1]", value: .nan).description.contains("q[1]"))
    #expect(ManifoldError.zeroQuaternion(norm: 0).description.contains("norm 0"))
    #expect(
      ManifoldError.notOnUnitCircle(modulus: 2, tolerance: 1e-9).description.contains("modulus 2"))
  }
}
