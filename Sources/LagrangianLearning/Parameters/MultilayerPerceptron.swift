import _Differentiation

/// A fully connected network `y = f_θ(x)` (see ``NetworkShape``) with hand-written pullbacks.
///
/// Three kernels serve every model: the forward pass, its pullback (backpropagation), and,
/// for a scalar output, the analytic input gradient `∇ₓf` with the pullback of the map
/// `(θ, x) ↦ ∇ₓf_θ(x)` (mixed second derivatives). The input gradient is
///
///     e_depth = c (the output weights),  δₗ = eₗ ⊙ σ′(zₗ),  eₗ₋₁ = Aₗᵀ δₗ,  ∇ₓf = e₀,
///
/// and its pullback runs backwards through this backward pass and then through the forward
/// pass, picking up `σ″(zₗ)` where `δₗ` depends on `zₗ` (double backpropagation, as in
/// Saemundsson et al., *Variational Integrator Networks*, AISTATS 2020, whose potentials are
/// such networks).
public struct MultilayerPerceptron: ParameterFlattening, Sendable {
  /// The weights and biases in ``NetworkShape`` order.
  public var parameters: ParameterVector
  /// The architecture.
  @noDerivative public let shape: NetworkShape

  /// A network with Glorot-normal weights (standard deviation `√(2/(fan_in + fan_out))`) and
  /// zero biases, drawn from `generator`.
  public init(shape: NetworkShape, generator: inout SeededGenerator) {
    self.shape = shape
    var values = Array(repeating: 0.0, count: shape.parameterCount)
    for l in 0..<shape.layerCount {
      let rows = shape.outputSize(ofLayer: l)
      let columns = shape.inputSize(ofLayer: l)
      let offset = shape.weightOffset(ofLayer: l)
      let deviation = (2 / Double(rows + columns)).squareRoot()
      for i in 0..<(rows * columns) { values[offset + i] = deviation * generator.nextGaussian() }
    }
    parameters = ParameterVector(values)
  }

  /// A network with the given parameters.
  /// - Throws: ``LearningError/dimensionMismatch(name:expected:actual:)`` unless there are
  ///   `shape.parameterCount` of them.
  public init(shape: NetworkShape, parameters: [Double]) throws(LearningError) {
    guard parameters.count == shape.parameterCount else {
      throw .dimensionMismatch(
        name: "network parameters", expected: shape.parameterCount, actual: parameters.count)
    }
    self.shape = shape
    self.parameters = ParameterVector(parameters)
  }

  public var parameterCount: Int { shape.parameterCount }

  public var flatParameters: [Double] {
    get { parameters.scalars }
    set { parameters = ParameterVector(newValue) }
  }

  public func flatten(_ tangent: TangentVector) -> [Double] {
    tangent.parameters.dense(count: parameterCount)
  }

  // MARK: - Forward pass

  /// The intermediate values of one forward pass.
  struct Evaluation {
    /// `aₖ`, k = 0…depth (a₀ = x).
    var activations: [[Double]]
    /// `σ′(zₖ)` and `σ″(zₖ)` for k = 1…depth (index 0 unused).
    var firstDerivatives: [[Double]]
    var secondDerivatives: [[Double]]
    /// `y`.
    var output: [Double]
  }

  /// The forward pass, keeping what the pullbacks need.
  func evaluate(_ x: [Double]) -> Evaluation {
    let depth = shape.depth
    var activations = [x]
    var first: [[Double]] = [[]]
    var second: [[Double]] = [[]]
    activations.reserveCapacity(depth + 1)
    var output: [Double] = []
    parameters.scalars.withUnsafeBufferPointer { p in
      for l in 0...depth {
        let rows = shape.outputSize(ofLayer: l)
        let columns = shape.inputSize(ofLayer: l)
        var z = Array(repeating: 0.0, count: rows)
        activations[l].withUnsafeBufferPointer { a in
          z.withUnsafeMutableBufferPointer { zb in
            DenseKernels.affine(
              p, offset: shape.weightOffset(ofLayer: l), rows: rows, columns: columns, a,
              into: zb)
          }
        }
        if l == depth {
          output = z
        } else {
          var d1 = z
          var d2 = z
          for i in 0..<rows {
            let (value, firstDerivative, secondDerivative) = shape.activation.evaluate(z[i])
            z[i] = value
            d1[i] = firstDerivative
            d2[i] = secondDerivative
          }
          activations.append(z)
          first.append(d1)
          second.append(d2)
        }
      }
    }
    return Evaluation(
      activations: activations, firstDerivatives: first, secondDerivatives: second,
      output: output)
  }

  /// Backpropagation: adds `(∂y/∂θ)ᵀ ȳ` to `gradient` and returns `x̄ = (∂y/∂x)ᵀ ȳ`.
  func accumulatePullback(
    _ evaluation: Evaluation, outputCotangent: [Double], into gradient: inout [Double]
  ) -> [Double] {
    let depth = shape.depth
    var upstream = outputCotangent  // z̄ of the current layer
    var downstream: [Double] = []
    parameters.scalars.withUnsafeBufferPointer { p in
      gradient.withUnsafeMutableBufferPointer { g in
        for l in stride(from: depth, through: 0, by: -1) {
          let rows = shape.outputSize(ofLayer: l)
          let columns = shape.inputSize(ofLayer: l)
          let offset = shape.weightOffset(ofLayer: l)
          downstream = Array(repeating: 0, count: columns)
          upstream.withUnsafeBufferPointer { u in
            evaluation.activations[l].withUnsafeBufferPointer { a in
              DenseKernels.accumulateOuterProduct(
                g, offset: offset, rows: rows, columns: columns, u, a)
            }
            DenseKernels.accumulateBias(g, offset: offset, rows: rows, columns: columns, u)
            downstream.withUnsafeMutableBufferPointer { d in
              DenseKernels.transposedProduct(
                p, offset: offset, rows: rows, columns: columns, u, into: d)
            }
          }
          if l > 0 {
            let derivative = evaluation.firstDerivatives[l]
            for i in 0..<columns { downstream[i] *= derivative[i] }
          }
          upstream = downstream
        }
      }
    }
    return upstream
  }

  // MARK: - Input gradient of a scalar network

  /// The values of the analytic input-gradient pass of a scalar network.
  struct InputGradient {
    var evaluation: Evaluation
    /// `eₖ = ∂f/∂aₖ`, k = 0…depth; `e₀ = ∇ₓf`.
    var sensitivities: [[Double]]
    /// `δₖ = eₖ ⊙ σ′(zₖ)`, k = 1…depth (index 0 unused).
    var deltas: [[Double]]

    var gradient: [Double] { sensitivities[0] }
  }

  /// `∇ₓf(x)` for a network with one output, by a hand-written backward pass.
  func inputGradient(_ x: [Double]) -> InputGradient {
    let evaluation = evaluate(x)
    let depth = shape.depth
    var sensitivities = Array(repeating: [Double](), count: depth + 1)
    var deltas = Array(repeating: [Double](), count: depth + 1)
    let outputOffset = shape.weightOffset(ofLayer: depth)
    sensitivities[depth] = Array(parameters.scalars[outputOffset..<(outputOffset + shape.width)])
    parameters.scalars.withUnsafeBufferPointer { p in
      for k in stride(from: depth, through: 1, by: -1) {
        let derivative = evaluation.firstDerivatives[k]
        var delta = sensitivities[k]
        for i in delta.indices { delta[i] *= derivative[i] }
        let layer = k - 1
        let rows = shape.outputSize(ofLayer: layer)
        let columns = shape.inputSize(ofLayer: layer)
        var previous = Array(repeating: 0.0, count: columns)
        delta.withUnsafeBufferPointer { d in
          previous.withUnsafeMutableBufferPointer { e in
            DenseKernels.transposedProduct(
              p, offset: shape.weightOffset(ofLayer: layer), rows: rows, columns: columns, d,
              into: e)
          }
        }
        deltas[k] = delta
        sensitivities[k - 1] = previous
      }
    }
    return InputGradient(evaluation: evaluation, sensitivities: sensitivities, deltas: deltas)
  }

  /// The pullback of `(θ, x) ↦ ∇ₓf_θ(x)`: adds `∂_θ(ḡᵀ∇ₓf)` to `gradient` and returns
  /// `∇ₓ∇ₓf ḡ` (a Hessian–vector product).
  func accumulateInputGradientPullback(
    _ pass: InputGradient, cotangent: [Double], into gradient: inout [Double]
  ) -> [Double] {
    let depth = shape.depth
    let evaluation = pass.evaluation
    var zBars = Array(repeating: [Double](), count: depth + 1)
    var result: [Double] = []
    parameters.scalars.withUnsafeBufferPointer { p in
      gradient.withUnsafeMutableBufferPointer { g in
        // Backwards through the backward pass: ē₀ = ḡ, then layer by layer upwards.
        var eBar = cotangent
        for k in 1...depth {
          let layer = k - 1
          let rows = shape.outputSize(ofLayer: layer)
          let columns = shape.inputSize(ofLayer: layer)
          let offset = shape.weightOffset(ofLayer: layer)
          var deltaBar = Array(repeating: 0.0, count: rows)
          eBar.withUnsafeBufferPointer { e in
            deltaBar.withUnsafeMutableBufferPointer { d in
              DenseKernels.product(p, offset: offset, rows: rows, columns: columns, e, into: d)
            }
            pass.deltas[k].withUnsafeBufferPointer { d in
              DenseKernels.accumulateOuterProduct(
                g, offset: offset, rows: rows, columns: columns, d, e)
            }
          }
          let first = evaluation.firstDerivatives[k]
          let second = evaluation.secondDerivatives[k]
          let sensitivity = pass.sensitivities[k]
          var zBar = deltaBar
          for i in 0..<rows {
            zBar[i] = deltaBar[i] * sensitivity[i] * second[i]
            deltaBar[i] *= first[i]
          }
          zBars[k] = zBar
          eBar = deltaBar
        }
        // e_depth is the output weight row c.
        let outputOffset = shape.weightOffset(ofLayer: depth)
        for j in 0..<shape.width { g[outputOffset + j] += eBar[j] }
        // Backwards through the forward pass (the value f itself has no cotangent).
        var aBar = Array(repeating: 0.0, count: shape.width)
        for k in stride(from: depth, through: 1, by: -1) {
          let layer = k - 1
          let rows = shape.outputSize(ofLayer: layer)
          let columns = shape.inputSize(ofLayer: layer)
          let offset = shape.weightOffset(ofLayer: layer)
          var zBar = zBars[k]
          let first = evaluation.firstDerivatives[k]
          for i in 0..<rows { zBar[i] += aBar[i] * first[i] }
          var next = Array(repeating: 0.0, count: columns)
          zBar.withUnsafeBufferPointer { z in
            evaluation.activations[layer].withUnsafeBufferPointer { a in
              DenseKernels.accumulateOuterProduct(
                g, offset: offset, rows: rows, columns: columns, z, a)
            }
            DenseKernels.accumulateBias(g, offset: offset, rows: rows, columns: columns, z)
            next.withUnsafeMutableBufferPointer { n in
              DenseKernels.transposedProduct(
                p, offset: offset, rows: rows, columns: columns, z, into: n)
            }
          }
          aBar = next
        }
        result = aBar
      }
    }
    return result
  }

  // MARK: - Differentiable interface

  /// `f_θ(x)`.
  @differentiable(reverse)
  public func callAsFunction(_ x: [Double]) -> [Double] { evaluate(x).output }

  @derivative(of: callAsFunction)
  public func vjpCallAsFunction(_ x: [Double]) -> (
    value: [Double], pullback: ([Double].TangentVector) -> (TangentVector, [Double].TangentVector)
  ) {
    let evaluation = evaluate(x)
    let count = parameterCount
    let outputs = shape.outputDimension
    return (
      evaluation.output,
      { cotangent in
        var gradient = Array(repeating: 0.0, count: count)
        let xBar = accumulatePullback(
          evaluation, outputCotangent: [Double](dense: cotangent, count: outputs),
          into: &gradient)
        return (TangentVector(parameters: ParameterVector(gradient)), .init(xBar))
      }
    )
  }
}
