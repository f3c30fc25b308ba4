import Manifolds
import RealModule

/// The planar pendulum: a point mass m on a massless rod of length l, angle θ from the
/// downward vertical, gravity g:
///
///     L = ½ m l² θ̇² + m g l cos θ,    V(θ) = −m g l cos θ,    ∇V = m g l sin θ.
///
/// Units are SI by default (kg, m, m/s²). On SO(2) the same system is stepped by ``SO2LGVI``.
public struct Pendulum: ConstantMassSystem {
  public let mass: Matrix
  public let m: Double
  public let length: Double
  public let gravity: Double

  public init(mass m: Double = 1, length l: Double = 1, gravity g: Double = 9.81)
    throws(IntegrationError)
  {
    self.m = try Parameter.positive(m, "m")
    self.length = try Parameter.positive(l, "l")
    self.gravity = try Parameter.finite(g, "g")
    mass = .diagonal([m * l * l])
  }

  public var dimension: Int { 1 }
  /// The moment of inertia `m l²`.
  public var inertia: Double { m * length * length }

  public func potential(at q: [Double]) -> Double { -m * gravity * length * Double.cos(q[0]) }

  @inlinable
  public func potentialGradient(at q: [Double], into gradient: inout [Double]) {
    // Through the buffer, so that the copy-on-write check comes before the sine and the result
    // goes straight to memory (a measurable part of a Verlet step, see Docs/Benchmarks.md).
    gradient.withUnsafeMutableBufferPointer { g in
      // A buffer of the wrong length gets NaN, which the integrators report as a non-finite
      // state: an error, not a crash and not a write out of bounds.
      guard g.count == 1 else { return g.update(repeating: .nan) }
      g[0] = m * gravity * length * Double.sin(q[0])
    }
  }

  /// `∇²V = m g l cos θ`.
  public func potentialHessian(at q: [Double]) -> Matrix {
    .diagonal([m * gravity * length * Double.cos(q[0])])
  }
}
