import Manifolds
import Testing

@Suite("Matrix3")
struct Matrix3Tests {
  let a = Matrix3(2, -1, 0.5, 1, 3, -2, 0, 4, 1)
  let b = Matrix3(1, 2, 3, 0, 1, 4, 5, 6, 0)

  @Test("determinant: a known value, multiplicativity, transpose")
  func determinant() {
    // det a = 2(3 + 8) + 1(1 − 0) + 0.5(4 − 0) = 25
    #expect(a.determinant == 25)
    #expect(b.determinant == 1)
    #expect(((a * b).determinant - a.determinant * b.determinant).magnitude < 1e-12)
    #expect(a.transpose.determinant == a.determinant)
    #expect(Matrix3(diagonal: Vector3(2, 3, -4)).determinant == -24)
  }

  @Test("inverse: A A⁻¹ = A⁻¹ A = I, a known inverse, and nil for a singular matrix")
  func inverse() throws {
    let inverse = try #require(a.inverse)
    expectClose((a * inverse).entries, Matrix3.identity.entries, absolute: 1e-15, "A A⁻¹")
    expectClose((inverse * a).entries, Matrix3.identity.entries, absolute: 1e-15, "A⁻¹ A")
    // b has determinant 1, so its inverse is its adjugate.
    let bInverse = try #require(b.inverse)
    #expect(bInverse == Matrix3(-24, 18, 5, 20, -15, -4, -5, 4, 1))
    let singular = Matrix3(rows: Vector3(1, 2, 3), Vector3(2, 4, 6), Vector3(0, 1, 1))
    #expect(singular.inverse == nil)
    #expect(Matrix3(diagonal: Vector3(1, .nan, 1)).inverse == nil)
  }

  @Test("rows, columns, transpose and products agree")
  func layout() {
    let c = Matrix3(columns: a.column(0), a.column(1), a.column(2))
    #expect(c == a)
    #expect(a.transpose.row(1) == a.column(1))
    let v = Vector3(1, -2, 3)
    #expect(a.transposeTimes(v) == a.transpose * v)
    #expect(a * v == Vector3(5.5, -11, -5))
    #expect((a * b).column(0) == a * b.column(0))
    #expect(a.symmetricPart == a.symmetricPart.transpose)
    #expect(Matrix3.outer(Vector3(1, 2, 3), Vector3(0, 1, -1)).row(2) == Vector3(0, 3, -3))
    #expect(a.trace == 6)
  }
}

@Suite("Matrix")
struct MatrixTests {
  @Test("solve recovers a known solution, with pivoting")
  func solve() throws {
    // The leading entry is zero, so elimination must pivot.
    let a = try Matrix(
      rows: 4, columns: 4,
      storage: [
        0, 2, 1, -1,
        3, 1, 0, 2,
        1, -1, 4, 0,
        2, 0, 1, 5,
      ])
    let x = [1.5, -2, 0.25, 3]
    let b = a * x
    let solution = try #require(a.solve(b))
    expectClose(solution, x, absolute: 1e-14, "A⁻¹(A x)")
  }

  @Test("solveInPlace: solve's solution, bit for bit, in b; U of PA = LU in A's upper triangle")
  func solveInPlace() throws {
    let a = try Matrix(rows: 3, columns: 3, storage: [0, 2, 1, 3, 1, 0, 1, -1, 4])
    let b = [1.0, -2, 0.5]
    var eliminated = a
    var x = b
    let solved = eliminated.solveInPlace(&x)
    #expect(solved)
    #expect(x == a.solve(b))
    // Pivoting swaps rows 0 and 1 first: U's first row is A's second row.
    #expect(Array(eliminated.storage[0..<3]) == [3, 1, 0])
    var singular = try Matrix(rows: 2, columns: 2, storage: [1, 2, 2, 4])
    var y = [1.0, 1]
    let singularSolved = singular.solveInPlace(&y)
    #expect(!singularSolved)
  }

  @Test("solve returns nil for singular or mismatched systems")
  func solveFailures() throws {
    let singular = try Matrix(rows: 2, columns: 2, storage: [1, 2, 2, 4])
    #expect(singular.solve([1, 1]) == nil)
    #expect(Matrix.identity(3).solve([1, 2]) == nil)
    let rectangular = try Matrix(rows: 2, columns: 3, storage: [1, 0, 0, 0, 1, 0])
    #expect(rectangular.solve([1, 1]) == nil)
  }

  @Test("inverse: A A⁻¹ = A⁻¹ A = I, exactly 1/aᵢᵢ on a diagonal, nil when singular or not square")
  func inverse() throws {
    let a = try Matrix(rows: 3, columns: 3, storage: [0, 2, 1, 3, 1, 0, 1, -1, 4])
    let inverse = try #require(a.inverse)
    expectClose((a * inverse).storage, Matrix.identity(3).storage, absolute: 1e-15, "A A⁻¹")
    expectClose((inverse * a).storage, Matrix.identity(3).storage, absolute: 1e-15, "A⁻¹ A")
    let diagonal = [3.0, 0.1, 7.3]
    #expect(Matrix.diagonal(diagonal).inverse == Matrix.diagonal(diagonal.map { 1 / $0 }))
    #expect(try Matrix(rows: 2, columns: 2, storage: [1, 2, 2, 4]).inverse == nil)
    #expect(try Matrix(rows: 2, columns: 3, storage: [1, 0, 0, 0, 1, 0]).inverse == nil)
    #expect(Matrix.diagonal([1, .nan]).inverse == nil)
  }

  @Test("products, transpose and the LinearMap view")
  func products() throws {
    let a = try Matrix(rows: 2, columns: 3, storage: [1, 2, 3, 4, 5, 6])
    let t = a.transpose
    #expect(t.rows == 3 && t.columns == 2)
    #expect(t.denseRows == [[1, 4], [2, 5], [3, 6]])
    #expect((a * t).denseRows == [[14, 32], [32, 77]])
    #expect(Matrix.identity(2) * a == a)
    #expect(Matrix.diagonal([2, 3]).apply(RealVector([1, -1])) == RealVector([2, -3]))
    #expect(a.maxAbsEntry == 6)
  }
}
