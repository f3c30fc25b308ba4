import DiscreteMechanics
import Foundation
import Testing
import _Differentiation

@testable import LagrangianLearning

@Suite("Network kernels: vector tanh, both dense-kernel paths, batches")
struct NetworkKernelTests {
  /// The largest error of `VectorTanh` against the C library in units of the reference's
  /// spacing (tanh) and relative (derivative, against `1/cosh² z`, itself accurate to a few
  /// ulp), over `points`.
  static func tanhErrors(_ points: [Double]) -> (ulps: Double, derivative: Double) {
    var ulps = 0.0
    var derivative = 0.0
    for start in stride(from: 0, to: points.count, by: 4) {
      var lanes = SIMD4<Double>()
      for j in 0..<4 { lanes[j] = points[min(start + j, points.count - 1)] }
      let (t, d) = VectorTanh.evaluate(lanes)
      for j in 0..<4 {
        let z = lanes[j]
        let reference = tanh(z)
        ulps = max(ulps, abs(t[j] - reference) / reference.ulp)
        let c = cosh(z)
        derivative = max(derivative, abs(d[j] - 1 / (c * c)) * (c * c))
      }
    }
    return (ulps, derivative)
  }

  @Test("tanh to 4 ulp and its derivative to 2e-15 relative, from 1e-300 to 350 in magnitude")
  func tanhAccuracy() {
    var generator = SeededGenerator(seed: 11)
    var points: [Double] = []
    for _ in 0..<20_000 { points.append(40 * generator.nextUniform() - 20) }
    for e in stride(from: -300.0, through: 2.5, by: 0.01) { points += [pow(10, e), -pow(10, e)] }
    // Around the reduction's branch points k ln 2 / 2.
    for k in 1...40 { points.append(Double(k) * log(2) / 2 * (1 + 1e-15)) }
    let (ulps, derivative) = Self.tanhErrors(points)
    print("VectorTanh: max \(ulps) ulp, derivative max relative error \(derivative)")
    #expect(ulps <= 4)
    #expect(derivative < 2e-15)
  }

  @Test("tanh of ±∞, ±0 and NaN")
  func tanhSpecialValues() {
    let (t, d) = VectorTanh.evaluate(SIMD4(.infinity, -.infinity, -0.0, .nan))
    #expect(t[0] == 1 && t[1] == -1)
    #expect(d[0] < 1e-300 && d[1] < 1e-300)
    #expect(t[2] == 0 && d[2] == 1)
    #expect(t[3].isNaN && d[3].isNaN)
  }

  /// Networks that exercise the few-inputs and the many-inputs kernels (input dimension and
  /// width below and above ``DenseKernels/fewInputs``), both activations.
  static let shapes: [(dimension: Int, width: Int, activation: Activation)] = [
    (1, 10, .tanh), (2, 9, .softplus), (9, 12, .tanh), (3, 5, .tanh),
  ]

  @Test("∇ₓf and its pullback against central differences, on every kernel path")
  func inputGradientPaths() throws {
    for (index, shape) in Self.shapes.enumerated() {
      var generator = SeededGenerator(seed: UInt64(index + 1))
      let potential = try MLPPotential(
        dimension: shape.dimension, width: shape.width, depth: 2, activation: shape.activation,
        generator: &generator)
      let n = shape.dimension
      let q = (0..<n).map { 0.3 * Double($0) - 0.5 }
      // ∇ₓf itself against differences of f.
      let gradientError = relativeError(
        potential.gradient(at: q),
        centralDifference(q) { potential.energy(at: $0) })
      let error = potentialGradientPullbackError(potential, at: q)
      print("MLP \(shape): ∇V error \(gradientError), pullback error \(error)")
      #expect(gradientError < 1e-8)
      #expect(error < 1e-6)
    }
  }

  // The wide layers are OpenBLAS matrix products, whose summation order depends on the
  // batch size (blocking, vector width): a batch agrees with its points to round-off.
  @Test("A batch gives the numbers of its points one at a time, to round-off")
  func batchesAgreeWithPoints() throws {
    for (index, shape) in Self.shapes.enumerated() {
      var generator = SeededGenerator(seed: UInt64(index + 20))
      let network = try MLPPotential(
        dimension: shape.dimension, width: shape.width, depth: 2, activation: shape.activation,
        generator: &generator
      ).network
      let n = shape.dimension
      let batch = 3
      let points = (0..<(batch * n)).map { _ in 2 * generator.nextUniform() - 1 }
      let cotangents = (0..<(batch * n)).map { _ in 2 * generator.nextUniform() - 1 }
      var batchGradient = Array(repeating: 0.0, count: network.parameterCount)
      let batchPass = network.inputGradient(points, batch: batch)
      let batchProducts = network.accumulateInputGradientPullback(
        batchPass, cotangent: cotangents, into: &batchGradient)
      var pointGradient = Array(repeating: 0.0, count: network.parameterCount)
      var pointValues: [Double] = []
      var pointProducts: [Double] = []
      for b in 0..<batch {
        let pass = network.inputGradient(Array(points[(b * n)..<((b + 1) * n)]), batch: 1)
        pointValues += pass.gradient
        pointProducts += network.accumulateInputGradientPullback(
          pass, cotangent: Array(cotangents[(b * n)..<((b + 1) * n)]), into: &pointGradient)
      }
      #expect(relativeError(batchPass.gradient, pointValues) < 1e-14)
      #expect(relativeError(batchProducts, pointProducts) < 1e-14)
      #expect(relativeError(batchGradient, pointGradient) < 1e-14)
    }
  }
}
