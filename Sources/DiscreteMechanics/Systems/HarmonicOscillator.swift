import Manifolds

/// The isotropic harmonic oscillator on R^n: `L = ½ m |q̇|² − ½ k |q|²`, frequency `√(k/m)`.
public struct HarmonicOscillator: ConstantMassSystem {
  public let dimension: Int
  public let m: Double
  public let stiffness: Double
  public let mass: Matrix

  public init(dimension: Int, mass m: Double = 1, stiffness k: Double = 1) throws(IntegrationError)
  {
    guard dimension >= 1 else {
      throw .invalidParameter(
        name: "dimension", value: Double(dimension), requirement: "must be at least 1")
    }
    self.dimension = dimension
    self.m = try Parameter.positive(m, "m")
    self.stiffness = try Parameter.positive(k, "k")
    mass = .diagonal(Array(repeating: m, count: dimension))
  }

  public func potential(at q: [Double]) -> Double {
    var s = 0.0
    for x in q { s += x * x }
    return 0.5 * stiffness * s
  }

  public func potentialGradient(at q: Span<Double>, into gradient: inout MutableSpan<Double>) {
    for i in 0..<dimension { gradient[i] = stiffness * q[i] }
  }

  /// `∇²V = k I`.
  public func potentialHessian(at q: [Double]) -> Matrix {
    .diagonal(Array(repeating: stiffness, count: dimension))
  }
}
