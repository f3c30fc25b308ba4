import _Differentiation

/// Learned constant forces `F = B u − D q̇` on Rⁿ (``LearnableForce``): the input matrix B
/// (n×m, free, initialised at 0) and, when the model dissipates, `D = LLᵀ` with L lower
/// triangular (free, so D is symmetric positive semi-definite for every parameter value),
/// initialised at `D = d₀ I` (`L = √d₀ I`; at `L = 0` the gradient of D would vanish).
///
/// Parameters: B row by row (n·m numbers), then L's lower triangle row by row (n(n+1)/2
/// numbers, none without dissipation).
public struct ConstantForce: LearnableForce {
  /// B, row-major.
  public var gains: ParameterVector
  /// L's lower triangle, row by row (empty without dissipation).
  public var dampingFactor: ParameterVector
  /// The configuration dimension n.
  @noDerivative public let dimension: Int
  @noDerivative public let inputCount: Int
  /// Whether the model learns dissipation.
  @noDerivative public let dissipates: Bool

  /// `B = 0` (n×m) and, with `dissipation`, `D = d₀ I` (d₀ = `initialDamping`).
  /// - Throws: ``LearningError/invalidConfiguration(name:value:requirement:)`` for a dimension
  ///   below 1, a negative m, or an initial damping that is not positive and finite.
  public init(dimension: Int, inputCount: Int, dissipation: Bool, initialDamping: Double = 0.01)
    throws(LearningError)
  {
    try ModelLimits.check(dimension, in: 1...ModelLimits.maximumDimension, field: "dimension")
    try ModelLimits.check(inputCount, in: 0...ModelLimits.maximumDimension, field: "forces.inputs")
    guard initialDamping.isFinite, initialDamping > 0 else {
      throw .invalidConfiguration(
        name: "initial damping", value: "\(initialDamping)",
        requirement: "must be positive and finite")
    }
    self.dimension = dimension
    self.inputCount = inputCount
    dissipates = dissipation
    gains = ParameterVector(zeros: dimension * inputCount)
    var factor = Array(repeating: 0.0, count: dissipation ? dimension * (dimension + 1) / 2 : 0)
    if dissipation {
      for i in 0..<dimension { factor[i * (i + 1) / 2 + i] = initialDamping.squareRoot() }
    }
    dampingFactor = ParameterVector(factor)
  }

  /// Forces with the given parameters (the layout above).
  /// - Throws: as ``init(dimension:inputCount:dissipation:initialDamping:)``;
  ///   ``LearningError/dimensionMismatch(name:expected:actual:)`` for a wrong parameter count.
  public init(dimension: Int, inputCount: Int, dissipation: Bool, parameters: [Double])
    throws(LearningError)
  {
    try self.init(dimension: dimension, inputCount: inputCount, dissipation: dissipation)
    guard parameters.count == parameterCount else {
      throw .dimensionMismatch(
        name: "forces parameters", expected: parameterCount, actual: parameters.count)
    }
    try ModelLimits.checkFinite(parameters, field: "forces parameters")
    flatParameters = parameters
  }

  public var vanishes: Bool { inputCount == 0 && !dissipates }
  public var dependsOnConfiguration: Bool { false }
  public var parameterCount: Int { gains.count + dampingFactor.count }
  public var flatParameters: [Double] {
    get { gains.scalars + dampingFactor.scalars }
    set {
      gains = ParameterVector(Array(newValue[..<gains.count]))
      dampingFactor = ParameterVector(Array(newValue[gains.count...]))
    }
  }
  public func flatten(_ tangent: TangentVector) -> [Double] {
    tangent.gains.dense(count: gains.count)
      + tangent.dampingFactor.dense(count: dampingFactor.count)
  }

  /// B, row-major n×m.
  public func inputMatrix() -> [Double] { gains.scalars }

  /// L, row-major n×n.
  func lowerFactor() -> [Double] {
    let n = dimension
    var l = Array(repeating: 0.0, count: n * n)
    guard dissipates else { return l }
    for i in 0..<n {
      for j in 0...i { l[i * n + j] = dampingFactor.scalars[i * (i + 1) / 2 + j] }
    }
    return l
  }

  /// `D = LLᵀ` (zero without dissipation).
  public func dissipation() -> [Double] {
    let n = dimension
    let l = lowerFactor()
    var d = Array(repeating: 0.0, count: n * n)
    for i in 0..<n {
      for j in 0..<n {
        var sum = 0.0
        for k in 0..<n { sum += l[i * n + k] * l[j * n + k] }
        d[i * n + j] = sum
      }
    }
    return d
  }

  /// `B̄` as is; `L̄ = (D̄ + D̄ᵀ)L`, lower triangle.
  public func pullback(inputMatrixBar: [Double], dissipationBar: [Double]) -> TangentVector {
    var factorBar: [Double] = []
    if dissipates {
      let n = dimension
      let l = lowerFactor()
      factorBar = Array(repeating: 0.0, count: dampingFactor.count)
      for i in 0..<n {
        for j in 0...i {
          var sum = 0.0
          for k in 0..<n {
            sum += (dissipationBar[i * n + k] + dissipationBar[k * n + i]) * l[k * n + j]
          }
          factorBar[i * (i + 1) / 2 + j] = sum
        }
      }
    }
    return TangentVector(
      gains: ParameterVector(inputMatrixBar), dampingFactor: ParameterVector(factorBar))
  }

  /// B and D at every point (their derivatives are zero).
  public func evaluate(
    at points: UnsafePointer<Double>, batch: Int, inputMatrices: UnsafeMutablePointer<Double>,
    dissipations: UnsafeMutablePointer<Double>,
    derivatives: (
      inputMatrices: UnsafeMutablePointer<Double>,
      dissipations: UnsafeMutablePointer<Double>
    )?,
    workspace: RolloutWorkspace
  ) {
    let (n, m) = (dimension, inputCount)
    let d = dissipation()
    for b in 0..<batch {
      for i in 0..<(n * m) { inputMatrices[b * n * m + i] = gains.scalars[i] }
      for i in 0..<(n * n) { dissipations[b * n * n + i] = d[i] }
    }
    guard let derivatives else { return }
    derivatives.inputMatrices.update(repeating: 0, count: batch * n * n * m)
    derivatives.dissipations.update(repeating: 0, count: batch * n * n * n)
  }

  /// ``pullback(inputMatrixBar:dissipationBar:)`` of the summed cotangents; the points get
  /// none.
  public func accumulatePullback(
    at points: UnsafePointer<Double>, batch: Int,
    inputMatrixCotangents: UnsafePointer<Double>, dissipationCotangents: UnsafePointer<Double>,
    into tangent: inout TangentVector, pointCotangents: UnsafeMutablePointer<Double>,
    workspace: RolloutWorkspace
  ) {
    let (n, m) = (dimension, inputCount)
    var inputBar = [Double](repeating: 0, count: n * m)
    var dissipationBar = [Double](repeating: 0, count: n * n)
    for b in 0..<batch {
      for i in 0..<(n * m) { inputBar[i] += inputMatrixCotangents[b * n * m + i] }
      for i in 0..<(n * n) { dissipationBar[i] += dissipationCotangents[b * n * n + i] }
    }
    pointCotangents.update(repeating: 0, count: batch * n)
    tangent += pullback(inputMatrixBar: inputBar, dissipationBar: dissipationBar)
  }

  public var specification: ForceSpecification {
    ForceSpecification(inputs: inputCount, dissipation: dissipates ? .constant : .none)
  }
}
