import DiscreteMechanics
import Manifolds

/// Learned forces `F(q, q̇, u) = B(q)u − D(q)q̇` (``LearnableForce``) as DiscreteMechanics'
/// `GeneralisedForce`, so that its forced integrators step a learned system under them (the
/// forecasts of a ``VINMq`` with ``ConfigurationForce``), with the analytic Jacobian
///
///     ∂F/∂qˡ = (∂B/∂qˡ) u − (∂D/∂qˡ) v
///
/// of the forces' ``LearnableForce/evaluate(at:batch:inputMatrices:dissipations:derivatives:workspace:)``
/// for the Newton matrix of an implicit step. Each call evaluates the forces at one point
/// (and allocates): for forecasts, not for training.
public struct LearnedGeneralisedForce<Forces: LearnableForce>: GeneralisedForce {
  public let forces: Forces

  public init(_ forces: Forces) { self.forces = forces }

  public var dimension: Int { forces.dimension }
  public var inputCount: Int { forces.inputCount }

  /// `B(q) u`, summed over the inputs in order.
  public func inputForce(at q: [Double], input u: [Double], into force: inout [Double]) {
    let (n, m) = (dimension, inputCount)
    let b = forces.inputMatrix(at: q)
    for i in 0..<n {
      var sum = 0.0
      for j in 0..<m { sum += b[i * m + j] * u[j] }
      force[i] = sum
    }
  }

  public func dissipation(at q: [Double], into matrix: inout Matrix) {
    let n = dimension
    if matrix.rows != n || matrix.columns != n { matrix = .zeros(rows: n, columns: n) }
    matrix.storage = forces.dissipation(at: q)
  }

  public func forceJacobian(
    at q: [Double], velocity v: [Double], input u: [Double], into jacobian: inout Matrix
  ) {
    let (n, m) = (dimension, inputCount)
    if jacobian.rows != n || jacobian.columns != n { jacobian = .zeros(rows: n, columns: n) }
    let values = forces.values(at: q, derivatives: true)
    for l in 0..<n {
      for i in 0..<n {
        var sum = 0.0
        for j in 0..<m { sum += values.inputMatrixDerivatives[(l * n + i) * m + j] * u[j] }
        for j in 0..<n { sum -= values.dissipationDerivatives[(l * n + i) * n + j] * v[j] }
        jacobian[i, l] = sum
      }
    }
  }
}
