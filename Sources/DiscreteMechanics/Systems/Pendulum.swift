import Manifolds
import RealModule

/// The planar pendulum: a point mass m on a massless rod of length l, angle θ from the
/// downward vertical, gravity g:
///
///     L = ½ m l² θ̇² + m g l cos θ,    V(θ) = −m g l cos θ,    ∇V = m g l sin θ.
///
/// Units are SI by default (kg, m, m/s²). On SO(2) the same system is stepped by ``SO2LGVI``.
public struct Pendulum: ConstantMassSystem {
  public let m: Double
  public let length: Double
  public let gravity: Double

  public init(mass m: Double = 1, length l: Double = 1, gravity g: Double = 9.81)
    throws(IntegrationError)
  {
    self.m = try Parameter.positive(m, "m")
    self.length = try Parameter.positive(l, "l")
    self.gravity = try Parameter.finite(g, "g")
  }

  /// `M = m l²`, computed rather than stored, so that a pendulum holds no array: a Verlet step
  /// copies its system around the call to `sin`, and a copy of an array would cost it a retain and
  /// a release (atomic operations) per step.
  public var mass: Matrix { .diagonal([inertia]) }

  /// Writes `M = m l²` into `mass`, in place.
  public func massMatrix(at q: [Double], into mass: inout Matrix) {
    mass.makeSquare(1)
    mass[0, 0] = inertia
  }

  public var dimension: Int { 1 }
  /// The moment of inertia `m l²`.
  public var inertia: Double { m * length * length }

  public func potential(at q: [Double]) -> Double { -m * gravity * length * Double.cos(q[0]) }

  @inlinable
  public func potentialGradient(at q: Span<Double>, into gradient: inout MutableSpan<Double>) {
    gradient[0] = m * gravity * length * Double.sin(q[0])
  }

  /// `∇²V = m g l cos θ`.
  public func potentialHessian(at q: [Double]) -> Matrix {
    .diagonal([m * gravity * length * Double.cos(q[0])])
  }
}
