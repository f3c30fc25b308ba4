import Manifolds
import RealModule
import Testing

/// A group whose elements can be compared without `log`: through coordinates of an ambient
/// space it is embedded in (matrix entries, the unit complex number, the point of R^n).
protocol Embedded: LieGroup {
  /// The coordinates of the element in the ambient space.
  var embedding: [Double] { get }
}

extension Euclidean: Embedded {
  var embedding: [Double] { coordinates }
}

extension SO2: Embedded {
  var embedding: [Double] { [cosine, sine] }
}

extension SO3: Embedded {
  var embedding: [Double] { matrix.entries }
}

/// `max |aᵢ − bᵢ|`, or infinity when the lengths differ or an entry is not finite.
func maxDifference(_ a: [Double], _ b: [Double]) -> Double {
  guard a.count == b.count else { return .infinity }
  var result = 0.0
  for (x, y) in zip(a, b) {
    let d = (x - y).magnitude
    guard d.isFinite else { return .infinity }
    result = max(result, d)
  }
  return result
}

/// `max |aᵢ|`.
func maxMagnitude(_ a: [Double]) -> Double { a.reduce(0) { max($0, $1.magnitude) } }

/// The Frobenius (Euclidean) norm of a list of entries.
func euclideanNorm(_ a: [Double]) -> Double { a.reduce(0) { $0 + $1 * $1 }.squareRoot() }

/// Expects `max |actual − expected| ≤ absolute + relative · max |expected|`.
func expectClose(
  _ actual: [Double], _ expected: [Double], absolute: Double, relative: Double = 0,
  _ what: @autoclosure () -> String, sourceLocation: SourceLocation = #_sourceLocation
) {
  let error = maxDifference(actual, expected)
  let bound = absolute + relative * maxMagnitude(expected)
  #expect(
    error <= bound,
    "\(what()): error \(error) > \(bound)\n  actual   \(actual)\n  expected \(expected)",
    sourceLocation: sourceLocation)
}

/// The rotation `cos θ I + sin θ â + (1 − cos θ) a aᵀ` about the unit `axis`, built from the
/// axis–angle formula directly (independently of `SO3.exp`).
func axisAngleMatrix(axis: Vector3, angle: Double) -> Matrix3 {
  let c = Double.cos(angle)
  let s = Double.sin(angle)
  let k = Matrix3(0, -axis.z, axis.y, axis.z, 0, -axis.x, -axis.y, axis.x, 0)
  return c * Matrix3.identity + s * k + (1 - c) * Matrix3.outer(axis, axis)
}

/// `e^A` by scaling and squaring a 20-term Taylor series (a reference independent of Rodrigues).
func matrixExponential(_ a: Matrix3) -> Matrix3 {
  var squarings = 0
  var scaled = a
  while scaled.frobeniusNorm > 0.25 {
    scaled = scaled * 0.5
    squarings += 1
  }
  var term = Matrix3.identity
  var sum = Matrix3.identity
  for k in 1...20 {
    term = term * scaled * (1 / Double(k))
    sum = sum + term
  }
  for _ in 0..<squarings { sum = sum * sum }
  return sum
}
