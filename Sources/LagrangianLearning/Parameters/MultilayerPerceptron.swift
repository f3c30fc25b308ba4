import DiscreteMechanics
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

  /// A network with every weight and bias drawn uniformly from `(−1/√fan_in, 1/√fan_in)`
  /// (the default of PyTorch's `nn.Linear`; He et al., *Delving deep into rectifiers*, ICCV
  /// 2015, with gain 1/√3), from `generator`.
  ///
  /// The non-zero biases matter for potentials: with zero biases a one-hidden-layer tanh
  /// network is an odd function of its input (its gradient, the force, even), and the
  /// pendulum's `1 − cos q` is even; the first layer's weights of size ~1 place the units'
  /// transitions across the range of angles, where a Glorot scale `√(2/(1 + width))` leaves
  /// them all nearly linear on it.
  public init(shape: NetworkShape, generator: inout SeededGenerator) {
    self.shape = shape
    var values = Array(repeating: 0.0, count: shape.parameterCount)
    for l in 0..<shape.layerCount {
      let rows = shape.outputSize(ofLayer: l)
      let columns = shape.inputSize(ofLayer: l)
      let offset = shape.weightOffset(ofLayer: l)
      let bound = 1 / Double(columns).squareRoot()
      for i in 0..<((columns + 1) * rows) {
        values[offset + i] = bound * (2 * generator.nextUniform() - 1)
      }
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

  /// The intermediate values of one forward pass over a batch of B inputs (each array holds
  /// the B vectors back to back).
  struct Evaluation {
    let batch: Int
    /// `aₖ`, k = 0…depth (a₀ = x).
    var activations: [[Double]]
    /// `σ′(zₖ)` and `σ″(zₖ)` for k = 1…depth (index 0 unused).
    var firstDerivatives: [[Double]]
    var secondDerivatives: [[Double]]
    /// `y`.
    var output: [Double]
  }

  /// The forward pass on `batch` inputs stored back to back in `x`, keeping what the
  /// pullbacks need.
  func evaluate(_ x: [Double], batch: Int) -> Evaluation {
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
        var z = Array(repeating: 0.0, count: batch * rows)
        activations[l].withUnsafeBufferPointer { a in
          z.withUnsafeMutableBufferPointer { zb in
            DenseKernels.affine(
              p, offset: shape.weightOffset(ofLayer: l), rows: rows, columns: columns,
              batch: batch, a, into: zb)
          }
        }
        if l == depth {
          output = z
        } else {
          var d1 = z
          var d2 = z
          for i in z.indices {
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
      batch: batch, activations: activations, firstDerivatives: first,
      secondDerivatives: second, output: output)
  }

  /// Backpropagation: adds `Σ_b (∂y_b/∂θ)ᵀ ȳ_b` to `gradient` and returns the input
  /// cotangents `x̄_b = (∂y_b/∂x_b)ᵀ ȳ_b`.
  func accumulatePullback(
    _ evaluation: Evaluation, outputCotangent: [Double], into gradient: inout [Double]
  ) -> [Double] {
    let depth = shape.depth
    let batch = evaluation.batch
    var upstream = outputCotangent  // z̄ of the current layer
    parameters.scalars.withUnsafeBufferPointer { p in
      gradient.withUnsafeMutableBufferPointer { g in
        for l in stride(from: depth, through: 0, by: -1) {
          let rows = shape.outputSize(ofLayer: l)
          let columns = shape.inputSize(ofLayer: l)
          let offset = shape.weightOffset(ofLayer: l)
          var downstream = Array(repeating: 0.0, count: batch * columns)
          upstream.withUnsafeBufferPointer { u in
            evaluation.activations[l].withUnsafeBufferPointer { a in
              DenseKernels.accumulateOuterProducts(
                g, offset: offset, rows: rows, columns: columns, batch: batch, u, a)
            }
            DenseKernels.accumulateBias(
              g, offset: offset, rows: rows, columns: columns, batch: batch, u)
            downstream.withUnsafeMutableBufferPointer { d in
              DenseKernels.transposedProduct(
                p, offset: offset, rows: rows, columns: columns, batch: batch, u, into: d)
            }
          }
          if l > 0 {
            let derivative = evaluation.firstDerivatives[l]
            for i in downstream.indices { downstream[i] *= derivative[i] }
          }
          upstream = downstream
        }
      }
    }
    return upstream
  }

  // MARK: - Input gradient of a scalar network

  /// The values of the analytic input-gradient pass of a scalar network over a batch.
  struct InputGradient {
    var evaluation: Evaluation
    /// `eₖ = ∂f/∂aₖ`, k = 0…depth; `e₀ = ∇ₓf`.
    var sensitivities: [[Double]]
    /// `δₖ = eₖ ⊙ σ′(zₖ)`, k = 1…depth (index 0 unused).
    var deltas: [[Double]]

    /// `∇ₓf` at each input, back to back.
    var gradient: [Double] { sensitivities[0] }
  }

  /// `∇ₓf` at `batch` inputs stored back to back in `x`, for a network with one output, by a
  /// hand-written backward pass.
  func inputGradient(_ x: [Double], batch: Int) -> InputGradient {
    let evaluation = evaluate(x, batch: batch)
    let depth = shape.depth
    let width = shape.width
    var sensitivities = Array(repeating: [Double](), count: depth + 1)
    var deltas = Array(repeating: [Double](), count: depth + 1)
    let outputOffset = shape.weightOffset(ofLayer: depth)
    let outputWeights = parameters.scalars[outputOffset..<(outputOffset + width)]
    var top: [Double] = []
    top.reserveCapacity(batch * width)
    for _ in 0..<batch { top += outputWeights }
    sensitivities[depth] = top
    parameters.scalars.withUnsafeBufferPointer { p in
      for k in stride(from: depth, through: 1, by: -1) {
        let derivative = evaluation.firstDerivatives[k]
        var delta = sensitivities[k]
        for i in delta.indices { delta[i] *= derivative[i] }
        let layer = k - 1
        let rows = shape.outputSize(ofLayer: layer)
        let columns = shape.inputSize(ofLayer: layer)
        var previous = Array(repeating: 0.0, count: batch * columns)
        delta.withUnsafeBufferPointer { d in
          previous.withUnsafeMutableBufferPointer { e in
            DenseKernels.transposedProduct(
              p, offset: shape.weightOffset(ofLayer: layer), rows: rows, columns: columns,
              batch: batch, d, into: e)
          }
        }
        deltas[k] = delta
        sensitivities[k - 1] = previous
      }
    }
    return InputGradient(evaluation: evaluation, sensitivities: sensitivities, deltas: deltas)
  }

  /// The pullback of `(θ, x_b) ↦ ∇ₓf_θ(x_b)`: adds `Σ_b ∂_θ(ḡ_bᵀ∇ₓf(x_b))` to `gradient` and
  /// returns the Hessian–vector products `∇ₓ∇ₓf(x_b) ḡ_b`, back to back.
  func accumulateInputGradientPullback(
    _ pass: InputGradient, cotangent: [Double], into gradient: inout [Double]
  ) -> [Double] {
    let depth = shape.depth
    let width = shape.width
    let evaluation = pass.evaluation
    let batch = evaluation.batch
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
          var deltaBar = Array(repeating: 0.0, count: batch * rows)
          eBar.withUnsafeBufferPointer { e in
            deltaBar.withUnsafeMutableBufferPointer { d in
              DenseKernels.affine(
                p, offset: offset, rows: rows, columns: columns, batch: batch, addBias: false,
                e, into: d)
            }
            pass.deltas[k].withUnsafeBufferPointer { d in
              DenseKernels.accumulateOuterProducts(
                g, offset: offset, rows: rows, columns: columns, batch: batch, d, e)
            }
          }
          let first = evaluation.firstDerivatives[k]
          let second = evaluation.secondDerivatives[k]
          let sensitivity = pass.sensitivities[k]
          var zBar = deltaBar
          for i in zBar.indices {
            zBar[i] = deltaBar[i] * sensitivity[i] * second[i]
            deltaBar[i] *= first[i]
          }
          zBars[k] = zBar
          eBar = deltaBar
        }
        // e_depth is the output weight row c, the same for every input.
        let outputOffset = shape.weightOffset(ofLayer: depth)
        for b in 0..<batch {
          for j in 0..<width { g[outputOffset + j] += eBar[b * width + j] }
        }
        // Backwards through the forward pass (the value f itself has no cotangent).
        var aBar = Array(repeating: 0.0, count: batch * width)
        for k in stride(from: depth, through: 1, by: -1) {
          let layer = k - 1
          let rows = shape.outputSize(ofLayer: layer)
          let columns = shape.inputSize(ofLayer: layer)
          let offset = shape.weightOffset(ofLayer: layer)
          var zBar = zBars[k]
          let first = evaluation.firstDerivatives[k]
          for i in zBar.indices { zBar[i] += aBar[i] * first[i] }
          var next = Array(repeating: 0.0, count: batch * columns)
          zBar.withUnsafeBufferPointer { z in
            evaluation.activations[layer].withUnsafeBufferPointer { a in
              DenseKernels.accumulateOuterProducts(
                g, offset: offset, rows: rows, columns: columns, batch: batch, z, a)
            }
            DenseKernels.accumulateBias(
              g, offset: offset, rows: rows, columns: columns, batch: batch, z)
            next.withUnsafeMutableBufferPointer { n in
              DenseKernels.transposedProduct(
                p, offset: offset, rows: rows, columns: columns, batch: batch, z, into: n)
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
  public func callAsFunction(_ x: [Double]) -> [Double] { evaluate(x, batch: 1).output }

  @derivative(of: callAsFunction)
  public func vjpCallAsFunction(_ x: [Double]) -> (
    value: [Double], pullback: ([Double].TangentVector) -> (TangentVector, [Double].TangentVector)
  ) {
    let evaluation = evaluate(x, batch: 1)
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
