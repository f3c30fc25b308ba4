import Foundation
import _Differentiation

/// Learned configuration-dependent forces `F(q, q̇, u) = B(q) u − D(q) q̇` on Rⁿ
/// (``LearnableForce``): each of the input matrix and the dissipation is constant or a network
/// of q, and at least one of them is a network.
///
/// - `B(q)`: the n·m outputs of a ``MultilayerPerceptron`` `f_B(x(q))`, row by row (constant:
///   its n·m entries, as ``ConstantForce``).
/// - `D(q) = L(q) L(q)ᵀ`, L lower triangular with its n(n+1)/2 entries (row by row) the outputs
///   of a network `f_L(x(q))` (constant: the entries themselves; none without dissipation).
///   D is symmetric positive semi-definite for every parameter value and every q, which is all
///   the forced steps need (`M + (h/2)D` is then positive definite), so there is no floor:
///   a system that does not dissipate somewhere has `D(q) = 0` there.
///
/// The networks see the ``features`` `x` of a point (``ForceFeatures``): `x(q) = q`,
/// `(cos q₁, sin q₁, …, cos qₙ, sin qₙ)` for coordinates that are angles (as
/// ``AngularMLPPotential``), or the nine entries of an attitude R ∈ SO(3) (a ``VINSO3``'s body
/// torque `τ(R) = B(R)u − D(R)Ω`, n = 3, each point R given by its nine entries), and are
/// initialised with random hidden layers and a zero output layer but for L's diagonal biases
/// `√d₀`: `B(q) = 0` and `D(q) = d₀ I` at every q, as ``ConstantForce`` starts.
///
/// With `o = f(x)` and `J = ∂o/∂x` (forward-mode through the network), the derivatives the
/// implicit midpoint step's Newton matrix needs are
///
///     ∂B/∂qᵏ = J ∂x/∂qᵏ,   ∂D/∂qᵏ = L̇ₖ Lᵀ + L L̇ₖᵀ,  L̇ₖ = J_L ∂x/∂qᵏ,
///
/// with `∂x/∂qᵏ = eₖ` (k over the point's ``pointDimension`` numbers: n, or R's nine entries), or
/// `−sin qₖ e_{2k} + cos qₖ e_{2k+1}` for angles; the pullback of
/// `⟨B̄, B(q)⟩ + ⟨D̄, D(q)⟩` is backpropagation through the networks of the output cotangents
/// B̄ and `L̄ = (D̄ + D̄ᵀ)L` (lower triangle), giving the parameters' cotangent and
/// `q̄ = (∂x/∂q)ᵀ x̄`.
///
/// Parameters: B's (the network's in ``NetworkShape`` order, or the n·m entries), then L's.
public struct ConfigurationForce: LearnableForce {
  /// B's parameters.
  public var inputParameters: ParameterVector
  /// L's parameters (empty without dissipation).
  public var dampingParameters: ParameterVector
  /// The configuration dimension n.
  @noDerivative public let dimension: Int
  @noDerivative public let inputCount: Int
  /// Whether B is constant or a network of q.
  @noDerivative public let inputMatrixKind: ForceSpecification.InputMatrix
  /// None, constant or a network of q.
  @noDerivative public let dissipationKind: ForceSpecification.Dissipation
  /// The networks' hidden layers.
  @noDerivative public let architecture: NetworkArchitecture
  /// What the networks see of a point.
  @noDerivative public let features: ForceFeatures
  /// The networks' shapes (nil: constant or none).
  @noDerivative let inputShape: NetworkShape?
  @noDerivative let dampingShape: NetworkShape?

  /// `B(q) = 0` and, with dissipation, `D(q) = d₀ I` (d₀ = `initialDamping`), the networks'
  /// hidden layers drawn from `generator`, the networks seeing the `features` of a point.
  /// - Throws: ``LearningError/invalidConfiguration(name:value:requirement:)`` for a dimension
  ///   below 1 (not 3 for ``ForceFeatures/attitude``), a negative m, a configuration-dependent B without inputs, neither matrix
  ///   depending on q (that is ``ConstantForce``), an architecture beyond ``ModelLimits`` or an
  ///   initial damping that is not positive and finite.
  public init(
    dimension: Int, inputCount: Int, inputMatrix: ForceSpecification.InputMatrix,
    dissipation: ForceSpecification.Dissipation, architecture: NetworkArchitecture,
    features: ForceFeatures = .coordinates, initialDamping: Double = 0.01,
    generator: inout SeededGenerator
  ) throws(LearningError) {
    let specification = ForceSpecification(
      inputs: inputCount, dissipation: dissipation, inputMatrix: inputMatrix,
      network: architecture, angularInputs: features == .angles)
    try specification.validate(dimension: dimension, layout: features.layout)
    guard specification.dependsOnConfiguration else {
      throw .invalidConfiguration(
        name: "forces", value: "a constant input matrix and dissipation",
        requirement: "depend on q in a ConfigurationForce (constant forces are a ConstantForce)")
    }
    guard initialDamping.isFinite, initialDamping > 0 else {
      throw .invalidConfiguration(
        name: "initial damping", value: "\(initialDamping)",
        requirement: "must be positive and finite")
    }
    self.dimension = dimension
    self.inputCount = inputCount
    inputMatrixKind = inputMatrix
    dissipationKind = dissipation
    self.architecture = architecture
    self.features = features
    let shapes = try specification.networkShapes(dimension: dimension, features: features)
    inputShape = shapes.inputMatrix
    dampingShape = shapes.dampingFactor
    let n = dimension
    let diagonal = (0..<n).map { $0 * ($0 + 1) / 2 + $0 }
    /// A network with a zero output layer but for the output biases `bias`.
    func network(_ shape: NetworkShape, bias: [Double]) -> ParameterVector {
      var values = MultilayerPerceptron(shape: shape, generator: &generator).parameters.scalars
      let top = shape.weightOffset(ofLayer: shape.depth)
      for i in top..<values.count { values[i] = 0 }
      for (t, value) in bias.enumerated() {
        values[top + shape.outputDimension * shape.width + t] = value
      }
      return ParameterVector(values)
    }
    inputParameters =
      inputShape.map { network($0, bias: []) } ?? ParameterVector(zeros: n * inputCount)
    var factor = [Double](repeating: 0, count: dissipation == .none ? 0 : n * (n + 1) / 2)
    for t in diagonal where dissipation != .none { factor[t] = initialDamping.squareRoot() }
    dampingParameters = dampingShape.map { network($0, bias: factor) } ?? ParameterVector(factor)
  }

  /// Forces with the given parameters (the layout above).
  /// - Throws: as ``init(dimension:inputCount:inputMatrix:dissipation:architecture:features:initialDamping:generator:)``;
  ///   ``LearningError/dimensionMismatch(name:expected:actual:)`` for a wrong parameter count;
  ///   ``LearningError/invalidConfiguration(name:value:requirement:)`` for a value that is not
  ///   finite.
  public init(
    dimension: Int, inputCount: Int, inputMatrix: ForceSpecification.InputMatrix,
    dissipation: ForceSpecification.Dissipation, architecture: NetworkArchitecture,
    features: ForceFeatures = .coordinates, parameters: [Double]
  ) throws(LearningError) {
    var generator = SeededGenerator(seed: 0)
    try self.init(
      dimension: dimension, inputCount: inputCount, inputMatrix: inputMatrix,
      dissipation: dissipation, architecture: architecture, features: features,
      generator: &generator)
    guard parameters.count == parameterCount else {
      throw .dimensionMismatch(
        name: "forces parameters", expected: parameterCount, actual: parameters.count)
    }
    try ModelLimits.checkFinite(parameters, field: "forces parameters")
    flatParameters = parameters
  }

  public var vanishes: Bool { false }
  public var dependsOnConfiguration: Bool { true }
  public var parameterCount: Int { inputParameters.count + dampingParameters.count }
  public var flatParameters: [Double] {
    get { inputParameters.scalars + dampingParameters.scalars }
    set {
      inputParameters = ParameterVector(Array(newValue[..<inputParameters.count]))
      dampingParameters = ParameterVector(Array(newValue[inputParameters.count...]))
    }
  }
  public func flatten(_ tangent: TangentVector) -> [Double] {
    tangent.inputParameters.dense(count: inputParameters.count)
      + tangent.dampingParameters.dense(count: dampingParameters.count)
  }

  public var specification: ForceSpecification {
    ForceSpecification(
      inputs: inputCount, dissipation: dissipationKind, inputMatrix: inputMatrixKind,
      network: architecture, angularInputs: angularInputs)
  }

  /// Whether the networks see `(cos q, sin q)`.
  public var angularInputs: Bool { features == .angles }
  /// The numbers of a point: n, or 9 for an attitude.
  public var pointDimension: Int { features.pointDimension(dimension: dimension) }
  /// The number of inputs each network sees: the point's numbers, or 2n with angles.
  var embeddedDimension: Int { angularInputs ? 2 * dimension : pointDimension }
  /// The number of L's entries (0 without dissipation).
  var factorCount: Int { dissipationKind == .none ? 0 : dimension * (dimension + 1) / 2 }

  /// The working memory of one batched pass over `batch` points, in the workspace.
  private struct Pass {
    /// x(q), `∂x/∂qᵏ` (point b's p directions at `b p d`), the networks' hidden values, their
    /// scratch, L's entries and their derivatives or cotangents, and two input cotangents.
    let embedded, directions, hidden, scratch, factors, factorDerivatives, factorBars,
      inputBar, dampingInputBar: UnsafeMutablePointer<Double>

    init(_ force: ConfigurationForce, batch: Int, workspace: RolloutWorkspace) {
      let (p, d, t) = (force.pointDimension, force.embeddedDimension, max(1, force.factorCount))
      let width = force.architecture.width
      let depth = force.architecture.depth
      let vector = batch * d
      let base = workspace.buffer(
        .forceNetwork,
        count: vector * (3 + p) + 2 * (depth * batch + max(batch, p)) * width
          + batch * t * (2 + p))
      embedded = base
      directions = embedded + vector
      inputBar = directions + vector * p
      dampingInputBar = inputBar + vector
      hidden = dampingInputBar + vector
      scratch = hidden + 2 * depth * batch * width
      factors = scratch + 2 * max(batch, p) * width
      factorBars = factors + batch * t
      factorDerivatives = factorBars + batch * t
    }
  }

  /// The network with `shape` whose parameters the passes take by pointer.
  private func network(_ shape: NetworkShape) -> MultilayerPerceptron {
    MultilayerPerceptron(uncheckedShape: shape)
  }

  /// x(q_b) of every point and, with `directions`, `∂x/∂qᵏ`.
  private func embed(
    _ points: UnsafePointer<Double>, batch: Int, _ pass: Pass, directions: Bool
  ) {
    let (p, d) = (pointDimension, embeddedDimension)
    for i in 0..<(batch * p) {
      if angularInputs {
        pass.embedded[2 * i] = cos(points[i])
        pass.embedded[2 * i + 1] = sin(points[i])
      } else {
        pass.embedded[i] = points[i]
      }
    }
    guard directions else { return }
    pass.directions.update(repeating: 0, count: batch * p * d)
    for b in 0..<batch {
      for k in 0..<p {
        let direction = pass.directions + (b * p + k) * d
        if angularInputs {
          direction[2 * k] = -pass.embedded[2 * (b * p + k) + 1]
          direction[2 * k + 1] = pass.embedded[2 * (b * p + k)]
        } else {
          direction[k] = 1
        }
      }
    }
  }

  /// `LLᵀ` of the lower triangle `l` (entries row by row) to `d`, row-major n×n.
  @inline(__always)
  private func writeProduct(
    _ l: UnsafePointer<Double>, _ r: UnsafePointer<Double>, into d: UnsafeMutablePointer<Double>,
    symmetrised: Bool
  ) {
    let n = dimension
    for i in 0..<n {
      for j in 0..<n {
        var sum = 0.0
        for c in 0...min(i, j) {
          let (a, b) = (i * (i + 1) / 2 + c, j * (j + 1) / 2 + c)
          sum += symmetrised ? r[a] * l[b] + l[a] * r[b] : l[a] * l[b]
        }
        d[i * n + j] = sum
      }
    }
  }

  public func evaluate(
    at points: UnsafePointer<Double>, batch: Int, inputMatrices: UnsafeMutablePointer<Double>,
    dissipations: UnsafeMutablePointer<Double>,
    derivatives: (
      inputMatrices: UnsafeMutablePointer<Double>,
      dissipations: UnsafeMutablePointer<Double>
    )?,
    workspace: RolloutWorkspace
  ) {
    let (n, m, t, p) = (dimension, inputCount, factorCount, pointDimension)
    let pass = Pass(self, batch: batch, workspace: workspace)
    embed(points, batch: batch, pass, directions: derivatives != nil)
    inputParameters.scalars.withUnsafeBufferPointer { pb in
      guard let w = pb.baseAddress else { return }
      if let shape = inputShape {
        let network = network(shape)
        network.forward(w, pass.embedded, batch: batch, hidden: pass.hidden, output: inputMatrices)
        guard let derivatives else { return }
        network.directionalDerivatives(
          w, batch: batch, hidden: pass.hidden, directions: pass.directions, count: p,
          scratch: pass.scratch, into: derivatives.inputMatrices)
      } else {
        for b in 0..<batch {
          for i in 0..<(n * m) { inputMatrices[b * n * m + i] = w[i] }
        }
        derivatives?.inputMatrices.update(repeating: 0, count: batch * p * n * m)
      }
    }
    guard t > 0 else {
      dissipations.update(repeating: 0, count: batch * n * n)
      derivatives?.dissipations.update(repeating: 0, count: batch * p * n * n)
      return
    }
    dampingParameters.scalars.withUnsafeBufferPointer { pb in
      guard let w = pb.baseAddress else { return }
      if let shape = dampingShape {
        let network = network(shape)
        network.forward(w, pass.embedded, batch: batch, hidden: pass.hidden, output: pass.factors)
        if derivatives != nil {
          network.directionalDerivatives(
            w, batch: batch, hidden: pass.hidden, directions: pass.directions, count: p,
            scratch: pass.scratch, into: pass.factorDerivatives)
        }
      } else {
        for b in 0..<batch { (pass.factors + b * t).update(from: w, count: t) }
        pass.factorDerivatives.update(repeating: 0, count: batch * p * t)
      }
    }
    for b in 0..<batch {
      let l = pass.factors + b * t
      writeProduct(l, l, into: dissipations + b * n * n, symmetrised: false)
      guard let derivatives else { continue }
      for k in 0..<p {
        writeProduct(
          l, pass.factorDerivatives + (b * p + k) * t,
          into: derivatives.dissipations + (b * p + k) * n * n, symmetrised: true)
      }
    }
  }

  public func accumulatePullback(
    at points: UnsafePointer<Double>, batch: Int,
    inputMatrixCotangents: UnsafePointer<Double>, dissipationCotangents: UnsafePointer<Double>,
    into tangent: inout TangentVector, pointCotangents: UnsafeMutablePointer<Double>,
    workspace: RolloutWorkspace
  ) {
    let (n, m, t, d) = (dimension, inputCount, factorCount, embeddedDimension)
    if tangent.inputParameters.scalars.isEmpty {
      tangent.inputParameters = ParameterVector(zeros: inputParameters.count)
    }
    if tangent.dampingParameters.scalars.isEmpty {
      tangent.dampingParameters = ParameterVector(zeros: dampingParameters.count)
    }
    let pass = Pass(self, batch: batch, workspace: workspace)
    embed(points, batch: batch, pass, directions: false)
    pass.inputBar.update(repeating: 0, count: batch * d)
    pass.dampingInputBar.update(repeating: 0, count: batch * d)
    inputParameters.scalars.withUnsafeBufferPointer { pb in
      tangent.inputParameters.scalars.withUnsafeMutableBufferPointer { gb in
        guard let p = pb.baseAddress, let g = gb.baseAddress else { return }
        if let shape = inputShape {
          let network = network(shape)
          network.forward(p, pass.embedded, batch: batch, hidden: pass.hidden, output: nil)
          network.accumulatePullback(
            p, pass.embedded, batch: batch, hidden: pass.hidden,
            outputCotangent: inputMatrixCotangents, scratch: pass.scratch, into: g,
            inputCotangent: pass.inputBar)
        } else {
          for b in 0..<batch {
            for i in 0..<(n * m) { g[i] += inputMatrixCotangents[b * n * m + i] }
          }
        }
      }
    }
    if t > 0 {
      dampingParameters.scalars.withUnsafeBufferPointer { pb in
        tangent.dampingParameters.scalars.withUnsafeMutableBufferPointer { gb in
          guard let p = pb.baseAddress, let g = gb.baseAddress else { return }
          let network = dampingShape.map { self.network($0) }
          if let network {
            network.forward(
              p, pass.embedded, batch: batch, hidden: pass.hidden, output: pass.factors)
          } else {
            for b in 0..<batch { (pass.factors + b * t).update(from: p, count: t) }
          }
          // L̄ = (D̄ + D̄ᵀ)L, lower triangle.
          for b in 0..<batch {
            let (l, lBar) = (pass.factors + b * t, pass.factorBars + b * t)
            let dBar = dissipationCotangents + b * n * n
            for i in 0..<n {
              for j in 0...i {
                var sum = 0.0
                for k in j..<n {
                  sum += (dBar[i * n + k] + dBar[k * n + i]) * l[k * (k + 1) / 2 + j]
                }
                lBar[i * (i + 1) / 2 + j] = sum
              }
            }
          }
          if let network {
            network.accumulatePullback(
              p, pass.embedded, batch: batch, hidden: pass.hidden,
              outputCotangent: pass.factorBars, scratch: pass.scratch, into: g,
              inputCotangent: pass.dampingInputBar)
          } else {
            for b in 0..<batch {
              for i in 0..<t { g[i] += pass.factorBars[b * t + i] }
            }
          }
        }
      }
    }
    // q̄ = (∂x/∂q)ᵀ x̄.
    for i in 0..<(batch * pointDimension) {
      if angularInputs {
        let (c, s) = (pass.embedded[2 * i], pass.embedded[2 * i + 1])
        pointCotangents[i] =
          -s * (pass.inputBar[2 * i] + pass.dampingInputBar[2 * i])
          + c * (pass.inputBar[2 * i + 1] + pass.dampingInputBar[2 * i + 1])
      } else {
        pointCotangents[i] = pass.inputBar[i] + pass.dampingInputBar[i]
      }
    }
  }
}
