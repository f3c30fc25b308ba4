import Manifolds

/// The isotropic harmonic oscillator on R^n: `L = ½ m |q̇|² − ½ k |q|²`, frequency `√(k/m)`.
///
/// Its ``forces`` are a force on each coordinate and viscous damping, `F = u − b q̇`: with them
/// it is the damped, driven oscillator `m q̈ + b q̇ + k q = u`.
public struct HarmonicOscillator: ConstantMassSystem {
  public let dimension: Int
  public let m: Double
  public let stiffness: Double
  /// The viscous damping b, `R = ½ b |q̇|²`.
  public let damping: Double
  public let mass: Matrix

  /// - Throws: ``IntegrationError/invalidParameter(name:value:requirement:)`` for a dimension
  ///   below 1, an `m` or `k` that is not positive and finite, or a `damping` that is not
  ///   non-negative and finite.
  public init(dimension: Int, mass m: Double = 1, stiffness k: Double = 1, damping b: Double = 0)
    throws(IntegrationError)
  {
    guard dimension >= 1 else {
      throw .invalidParameter(
        name: "dimension", value: Double(dimension), requirement: "must be at least 1")
    }
    self.dimension = dimension
    self.m = try Parameter.positive(m, "m")
    self.stiffness = try Parameter.positive(k, "k")
    damping = try Parameter.nonNegative(b, "damping")
    mass = .diagonal(Array(repeating: m, count: dimension))
  }

  /// A force on each coordinate and the damping: `B = I`, `D = b I`.
  public var forces: ActuatorsAndDamping {
    ActuatorsAndDamping(
      unchecked: .identity(dimension),
      dissipation: .diagonal(Array(repeating: damping, count: dimension)))
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
