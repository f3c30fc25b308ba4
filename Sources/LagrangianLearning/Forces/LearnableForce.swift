import _Differentiation

/// The non-conservative forces a VIN on Rⁿ learns: m inputs through an input matrix and linear
/// (Rayleigh) dissipation,
///
///     F(q, q̇, u) = B(q) u − D(q) q̇,
///
/// B the n×m input matrix and D the n×n symmetric positive semi-definite dissipation matrix of
/// the Rayleigh function `½ q̇ᵀD(q)q̇`, each constant or a function of the configuration. A
/// forced VIN adds them to its step through the discrete Lagrange–d'Alembert principle
/// (Marsden and West, *Discrete mechanics and variational integrators*, Acta Numerica 2001, §3),
/// with u held over each step (``VINVelocityVerlet``, ``VINMq``), evaluating them where the step
/// does: at `q_k` and `q_{k+1}` (velocity Verlet) or at the midpoint (VIN-mq). A ``VINSO3``'s
/// are a body torque `τ = B(R)u − D(R)Ω` (n = 3), evaluated at `R_k` and `R_{k+1}`, its points
/// the nine entries of R (``pointDimension`` 9).
///
/// ``NoForce`` is the unforced VIN's; ``ConstantForce`` learns constant B and D;
/// ``ConfigurationForce`` learns B(q) and D(q) from networks of q.
///
/// The rollouts call the batched ``evaluate(at:batch:inputMatrices:dissipations:derivatives:workspace:)``
/// and ``accumulatePullback(at:batch:inputMatrixCotangents:dissipationCotangents:into:pointCotangents:workspace:)``
/// once per step for all windows when ``dependsOnConfiguration``, and once per rollout (at
/// q = 0) otherwise.
public protocol LearnableForce: ParameterFlattening, Sendable {
  /// The configuration dimension n (0 for ``NoForce``).
  var dimension: Int { get }
  /// The number m of inputs.
  var inputCount: Int { get }
  /// Whether the forces vanish identically (no inputs and no dissipation): a VIN with them
  /// steps exactly as an unforced one.
  var vanishes: Bool { get }
  /// Whether B or D depends on q. When not, the rollouts evaluate them once.
  var dependsOnConfiguration: Bool { get }
  /// The numbers p of a point: n, or 9 for the attitude of a rigid body (``ForceFeatures``).
  var pointDimension: Int { get }
  /// B(q_b) and D(q_b) at the `batch` points q_b (p numbers each, back to back, at `points`):
  /// point b's B (row-major n×m) to `inputMatrices + b n m` and its D (row-major n×n) to
  /// `dissipations + b n²`. With `derivatives`, also `∂B/∂qᵏ` and `∂D/∂qᵏ`, k = 0…p−1: point
  /// b's block k at `(b p + k) n m` and `(b p + k) n²`.
  func evaluate(
    at points: UnsafePointer<Double>, batch: Int, inputMatrices: UnsafeMutablePointer<Double>,
    dissipations: UnsafeMutablePointer<Double>,
    derivatives: (
      inputMatrices: UnsafeMutablePointer<Double>,
      dissipations: UnsafeMutablePointer<Double>
    )?,
    workspace: RolloutWorkspace)
  /// The pullback of `Σ_b ⟨B̄_b, B(q_b)⟩ + ⟨D̄_b, D(q_b)⟩` for the cotangents B̄_b, D̄_b (the
  /// layout of ``evaluate(at:batch:inputMatrices:dissipations:derivatives:workspace:)``): adds
  /// the parameter part to `tangent` and writes the points' cotangents (p numbers each) to
  /// `pointCotangents`.
  func accumulatePullback(
    at points: UnsafePointer<Double>, batch: Int,
    inputMatrixCotangents: UnsafePointer<Double>, dissipationCotangents: UnsafePointer<Double>,
    into tangent: inout TangentVector, pointCotangents: UnsafeMutablePointer<Double>,
    workspace: RolloutWorkspace)
  /// The specification that, with the dimension, rebuilds these forces' architecture.
  var specification: ForceSpecification { get }
}

extension LearnableForce {
  /// n: a point is the configuration's n coordinates.
  public var pointDimension: Int { dimension }

  /// Throws unless the forces act on n coordinates (or vanish).
  /// - Throws: ``LearningError/dimensionMismatch(name:expected:actual:)``.
  func checkDimension(_ n: Int) throws(LearningError) {
    guard !vanishes else { return }
    guard dimension == n else {
      throw .dimensionMismatch(name: "forces dimension", expected: n, actual: dimension)
    }
  }

  /// B(q), D(q) and, with `derivatives`, `∂B/∂qᵏ` and `∂D/∂qᵏ` (block k each) at one point
  /// (``pointDimension`` numbers).
  func values(at q: [Double], derivatives: Bool) -> (
    inputMatrix: [Double], dissipation: [Double], inputMatrixDerivatives: [Double],
    dissipationDerivatives: [Double]
  ) {
    let (n, m, p) = (dimension, inputCount, pointDimension)
    // One spare number each, so that no buffer is empty (B is when m = 0).
    var b = [Double](repeating: 0, count: n * m + 1)
    var d = [Double](repeating: 0, count: n * n + 1)
    var db = [Double](repeating: 0, count: p * n * m + 1)
    var dd = [Double](repeating: 0, count: p * n * n + 1)
    let workspace = RolloutWorkspace()
    q.withUnsafeBufferPointer { qb in
      b.withUnsafeMutableBufferPointer { bb in
        d.withUnsafeMutableBufferPointer { dbuf in
          db.withUnsafeMutableBufferPointer { dbb in
            dd.withUnsafeMutableBufferPointer { ddb in
              guard let point = qb.baseAddress, let inputMatrix = bb.baseAddress,
                let dissipation = dbuf.baseAddress, let inputDerivatives = dbb.baseAddress,
                let dissipationDerivatives = ddb.baseAddress
              else { return }
              evaluate(
                at: point, batch: 1, inputMatrices: inputMatrix, dissipations: dissipation,
                derivatives: derivatives ? (inputDerivatives, dissipationDerivatives) : nil,
                workspace: workspace)
            }
          }
        }
      }
    }
    return (
      Array(b.dropLast()), Array(d.dropLast()), derivatives ? Array(db.dropLast()) : [],
      derivatives ? Array(dd.dropLast()) : []
    )
  }

  /// B(q), row-major n×m.
  public func inputMatrix(at q: [Double]) -> [Double] {
    values(at: q, derivatives: false).inputMatrix
  }

  /// D(q), row-major n×n.
  public func dissipation(at q: [Double]) -> [Double] {
    values(at: q, derivatives: false).dissipation
  }

  /// The parameter cotangent of `⟨B̄, B(q)⟩ + ⟨D̄, D(q)⟩` at `q` (``pointDimension`` numbers;
  /// for forces that do not depend on q, any q).
  func pullback(at q: [Double], inputMatrixBar: [Double], dissipationBar: [Double])
    -> TangentVector
  {
    var tangent = TangentVector.zero
    guard !vanishes else { return tangent }
    let workspace = RolloutWorkspace()
    var pointBar = [Double](repeating: 0, count: pointDimension)
    let inputBar = inputMatrixBar + [0]
    q.withUnsafeBufferPointer { qb in
      inputBar.withUnsafeBufferPointer { bb in
        dissipationBar.withUnsafeBufferPointer { db in
          pointBar.withUnsafeMutableBufferPointer { pb in
            guard let point = qb.baseAddress, let b = bb.baseAddress, let d = db.baseAddress,
              let p = pb.baseAddress
            else { return }
            accumulatePullback(
              at: point, batch: 1, inputMatrixCotangents: b, dissipationCotangents: d,
              into: &tangent, pointCotangents: p, workspace: workspace)
          }
        }
      }
    }
    return tangent
  }
}

/// No forces: the VIN is conservative and takes no inputs.
public struct NoForce: LearnableForce, Hashable {
  public init() {}

  public var dimension: Int { 0 }
  public var inputCount: Int { 0 }
  public var vanishes: Bool { true }
  public var dependsOnConfiguration: Bool { false }
  public var parameterCount: Int { 0 }
  public var flatParameters: [Double] {
    get { [] }
    set {}
  }
  public func flatten(_ tangent: TangentVector) -> [Double] { [] }
  public func evaluate(
    at points: UnsafePointer<Double>, batch: Int, inputMatrices: UnsafeMutablePointer<Double>,
    dissipations: UnsafeMutablePointer<Double>,
    derivatives: (
      inputMatrices: UnsafeMutablePointer<Double>,
      dissipations: UnsafeMutablePointer<Double>
    )?,
    workspace: RolloutWorkspace
  ) {}
  public func accumulatePullback(
    at points: UnsafePointer<Double>, batch: Int,
    inputMatrixCotangents: UnsafePointer<Double>, dissipationCotangents: UnsafePointer<Double>,
    into tangent: inout TangentVector, pointCotangents: UnsafeMutablePointer<Double>,
    workspace: RolloutWorkspace
  ) {}
  public var specification: ForceSpecification { .none }
}
