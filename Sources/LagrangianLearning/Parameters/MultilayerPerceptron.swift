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

  /// A network of `shape` without parameters, for the kernels that take them by pointer
  /// (``forward(_:_:batch:hidden:output:)`` and its pullbacks).
  init(uncheckedShape shape: NetworkShape) {
    self.shape = shape
    parameters = ParameterVector([])
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

  /// The intermediate values of one forward pass over a batch of B inputs (B vectors back to
  /// back), in one buffer: what the pullbacks need and nothing more.
  struct Evaluation {
    let batch: Int
    /// `x`.
    let input: [Double]
    /// For each hidden layer k = 1…depth, `σ(zₖ)` then `σ′(zₖ)`, B·width numbers each
    /// (``valuesOffset(ofHiddenLayer:)``); `σ″` follows from these two.
    let hidden: [Double]
    /// `y`.
    let output: [Double]

    /// Where `σ(zₖ)` starts in ``hidden``; `σ′(zₖ)` follows it.
    func valuesOffset(ofHiddenLayer k: Int, width: Int) -> Int { (k - 1) * 2 * batch * width }
  }

  /// The forward pass on `batch` inputs stored back to back in `x`, keeping what the
  /// pullbacks need.
  func evaluate(_ x: [Double], batch: Int) -> Evaluation {
    let block = batch * shape.width
    var output = [Double](repeating: 0, count: batch * shape.outputDimension)
    var hidden = [Double](repeating: 0, count: 2 * shape.depth * block)
    parameters.scalars.withUnsafeBufferPointer { pb in
      x.withUnsafeBufferPointer { xb in
        hidden.withUnsafeMutableBufferPointer { hb in
          output.withUnsafeMutableBufferPointer { ob in
            guard let p = pb.baseAddress, let x = xb.baseAddress, let h = hb.baseAddress,
              let o = ob.baseAddress
            else { return }
            forward(p, x, batch: batch, hidden: h, output: o)
          }
        }
      }
    }
    return Evaluation(batch: batch, input: x, hidden: hidden, output: output)
  }

  /// The forward pass between buffers: `σ(zₖ)`, `σ′(zₖ)` of every hidden layer to `hidden`
  /// (2·depth·B·width numbers, ``Evaluation/valuesOffset(ofHiddenLayer:width:)``) and, unless
  /// `output` is nil, `y` to `output`.
  func forward(
    _ p: UnsafePointer<Double>, _ x: UnsafePointer<Double>, batch: Int,
    hidden h: UnsafeMutablePointer<Double>, output: UnsafeMutablePointer<Double>?
  ) {
    let depth = shape.depth
    let width = shape.width
    let block = batch * width
    var input = x
    for k in 1...depth {
      let values = h + (k - 1) * 2 * block
      DenseKernels.affine(
        p, offset: shape.weightOffset(ofLayer: k - 1), rows: width,
        columns: shape.inputSize(ofLayer: k - 1), batch: batch, input, into: values)
      shape.activation.apply(values, first: values + block, count: block)
      input = UnsafePointer(values)
    }
    if let output {
      DenseKernels.affine(
        p, offset: shape.weightOffset(ofLayer: depth), rows: shape.outputDimension,
        columns: width, batch: batch, input, into: output)
    }
  }

  /// Backpropagation: adds `Σ_b (∂y_b/∂θ)ᵀ ȳ_b` to `gradient` and returns the input
  /// cotangents `x̄_b = (∂y_b/∂x_b)ᵀ ȳ_b`.
  func accumulatePullback(
    _ evaluation: Evaluation, outputCotangent: [Double], into gradient: inout [Double]
  ) -> [Double] {
    let batch = evaluation.batch
    var scratch = [Double](repeating: 0, count: 2 * batch * shape.width)
    var result = [Double](repeating: 0, count: batch * shape.inputDimension)
    parameters.scalars.withUnsafeBufferPointer { pb in
      gradient.withUnsafeMutableBufferPointer { gb in
        evaluation.hidden.withUnsafeBufferPointer { hb in
          evaluation.input.withUnsafeBufferPointer { xb in
            outputCotangent.withUnsafeBufferPointer { yb in
              scratch.withUnsafeMutableBufferPointer { sb in
                result.withUnsafeMutableBufferPointer { rb in
                  guard let p = pb.baseAddress, let g = gb.baseAddress, let h = hb.baseAddress,
                    let x = xb.baseAddress, let yBar = yb.baseAddress, let s = sb.baseAddress,
                    let xBar = rb.baseAddress
                  else { return }
                  accumulatePullback(
                    p, x, batch: batch, hidden: h, outputCotangent: yBar, scratch: s, into: g,
                    inputCotangent: xBar)
                }
              }
            }
          }
        }
      }
    }
    return result
  }

  /// Backpropagation between buffers, after ``forward(_:_:batch:hidden:output:)`` at the same
  /// `x`: adds `Σ_b (∂y_b/∂θ)ᵀ ȳ_b` to the gradient at `g` (``NetworkShape`` order) and writes
  /// `x̄_b = (∂y_b/∂x_b)ᵀ ȳ_b` to `xBar` (batch·inputs numbers); `scratch` holds 2·B·width
  /// numbers. With `z̄ₖ = āₖ ⊙ σ′(zₖ)`: `Āₖ += z̄ₖ aₖ₋₁ᵀ`, `b̄ₖ += z̄ₖ`, `āₖ₋₁ = Aₖᵀ z̄ₖ`, from
  /// `Ā_out += ȳ a_depthᵀ`, `b̄_out += ȳ`, `ā_depth = A_outᵀ ȳ`.
  func accumulatePullback(
    _ p: UnsafePointer<Double>, _ x: UnsafePointer<Double>, batch: Int,
    hidden h: UnsafePointer<Double>, outputCotangent yBar: UnsafePointer<Double>,
    scratch s: UnsafeMutablePointer<Double>, into g: UnsafeMutablePointer<Double>,
    inputCotangent xBar: UnsafeMutablePointer<Double>
  ) {
    let depth = shape.depth
    let width = shape.width
    let block = batch * width
    func values(_ k: Int) -> UnsafePointer<Double> { k == 0 ? x : h + (k - 1) * 2 * block }
    // The output layer: ā_depth = A_outᵀ ȳ.
    let top = shape.weightOffset(ofLayer: depth)
    let outputs = shape.outputDimension
    DenseKernels.accumulateOuterProducts(
      g, offset: top, rows: outputs, columns: width, batch: batch, yBar, values(depth))
    DenseKernels.accumulateBias(g, offset: top, rows: outputs, columns: width, batch: batch, yBar)
    var aBar = s
    var next = s + block
    DenseKernels.transposedProduct(
      p, offset: top, rows: outputs, columns: width, batch: batch, yBar, into: aBar)
    for k in stride(from: depth, through: 1, by: -1) {
      // z̄ₖ = āₖ ⊙ σ′(zₖ), then Āₖ, b̄ₖ and āₖ₋₁ = Aₖᵀ z̄ₖ.
      let first = values(k) + block
      for i in 0..<block { aBar[i] *= first[i] }
      let offset = shape.weightOffset(ofLayer: k - 1)
      let columns = shape.inputSize(ofLayer: k - 1)
      DenseKernels.accumulateOuterProducts(
        g, offset: offset, rows: width, columns: columns, batch: batch, aBar, values(k - 1))
      DenseKernels.accumulateBias(
        g, offset: offset, rows: width, columns: columns, batch: batch, aBar)
      DenseKernels.transposedProduct(
        p, offset: offset, rows: width, columns: columns, batch: batch, aBar,
        into: k == 1 ? xBar : next)
      swap(&aBar, &next)
    }
  }

  /// Forward-mode derivatives between buffers, after ``forward(_:_:batch:hidden:output:)``:
  /// for each input x_b and c directions `ẋ_{b,1…c}` (input b's at `directions + b c inputs`,
  /// back to back), the derivatives `ẏ = (∂y/∂x)(x_b) ẋ` (input b's c outputs at
  /// `into + b c outputs`), by
  ///
  ///     ȧ₀ = ẋ,  ȧₖ = σ′(zₖ) ⊙ (Aₖ ȧₖ₋₁)  (k = 1…depth),  ẏ = A_out ȧ_depth;
  ///
  /// `scratch` holds 2·c·width numbers.
  func directionalDerivatives(
    _ p: UnsafePointer<Double>, batch: Int, hidden h: UnsafePointer<Double>,
    directions: UnsafePointer<Double>, count c: Int, scratch s: UnsafeMutablePointer<Double>,
    into y: UnsafeMutablePointer<Double>
  ) {
    let (depth, width) = (shape.depth, shape.width)
    let block = batch * width
    let (inputs, outputs) = (shape.inputDimension, shape.outputDimension)
    for b in 0..<batch {
      var below = directions + b * c * inputs
      var (current, spare) = (s, s + c * width)
      for k in 1...depth {
        DenseKernels.affine(
          p, offset: shape.weightOffset(ofLayer: k - 1), rows: width,
          columns: shape.inputSize(ofLayer: k - 1), batch: c, addBias: false, below,
          into: current)
        let first = h + (k - 1) * 2 * block + block + b * width
        for d in 0..<c {
          for i in 0..<width { current[d * width + i] *= first[i] }
        }
        below = UnsafePointer(current)
        swap(&current, &spare)
      }
      DenseKernels.affine(
        p, offset: shape.weightOffset(ofLayer: depth), rows: outputs, columns: width, batch: c,
        addBias: false, below, into: y + b * c * outputs)
    }
  }

  // MARK: - Input gradient of a scalar network

  /// The values of the analytic input-gradient pass of a scalar network over a batch.
  struct InputGradient {
    var evaluation: Evaluation
    /// `eₖ = ∂f/∂aₖ` for k = 1…depth−1, B·width numbers each (layer k at `(k − 1)·B·width`);
    /// `e_depth` is the output weight row c, `e₀` is ``gradient``.
    var sensitivities: [Double]
    /// `∇ₓf` at each input, back to back.
    var gradient: [Double]
  }

  /// `∇ₓf` at `batch` inputs stored back to back in `x`, for a network with one output, by a
  /// hand-written backward pass.
  func inputGradient(_ x: [Double], batch: Int) -> InputGradient {
    let block = batch * shape.width
    var hidden = [Double](repeating: 0, count: 2 * shape.depth * block)
    var delta = [Double](repeating: 0, count: block)
    var sensitivities = [Double](repeating: 0, count: (shape.depth - 1) * block)
    var gradient = [Double](repeating: 0, count: batch * shape.inputDimension)
    parameters.scalars.withUnsafeBufferPointer { pb in
      x.withUnsafeBufferPointer { xb in
        hidden.withUnsafeMutableBufferPointer { hb in
          delta.withUnsafeMutableBufferPointer { db in
            sensitivities.withUnsafeMutableBufferPointer { eb in
              gradient.withUnsafeMutableBufferPointer { gb in
                guard let p = pb.baseAddress, let x = xb.baseAddress, let h = hb.baseAddress,
                  let d = db.baseAddress, let g = gb.baseAddress
                else { return }
                forward(p, x, batch: batch, hidden: h, output: nil)
                inputGradient(
                  p, batch: batch, hidden: h, delta: d, sensitivities: eb.baseAddress, into: g)
              }
            }
          }
        }
      }
    }
    let evaluation = Evaluation(batch: batch, input: x, hidden: hidden, output: [])
    return InputGradient(evaluation: evaluation, sensitivities: sensitivities, gradient: gradient)
  }

  /// The backward pass of ``inputGradient(_:batch:)`` between buffers, after ``forward``:
  /// `δₖ = eₖ ⊙ σ′(zₖ)`, `eₖ₋₁ = Aₖᵀ δₖ` from `e_depth = c`, with `delta` B·width numbers of
  /// scratch and `sensitivities` receiving `e₁…e_depth−1` ((depth − 1)·B·width numbers).
  func inputGradient(
    _ p: UnsafePointer<Double>, batch: Int, hidden h: UnsafePointer<Double>,
    delta d: UnsafeMutablePointer<Double>, sensitivities e: UnsafeMutablePointer<Double>?,
    into g: UnsafeMutablePointer<Double>
  ) {
    let depth = shape.depth
    let width = shape.width
    let block = batch * width
    let c = p + shape.weightOffset(ofLayer: depth)
    for k in stride(from: depth, through: 1, by: -1) {
      // δₖ = eₖ ⊙ σ′(zₖ), eₖ₋₁ = Aₖᵀ δₖ.
      let first = h + (k - 1) * 2 * block + block
      if k == depth {
        for b in 0..<batch {
          for i in 0..<width { d[b * width + i] = c[i] * first[b * width + i] }
        }
      } else if let e {
        let ek = e + (k - 1) * block
        for i in 0..<block { d[i] = ek[i] * first[i] }
      }
      let into = k == 1 ? g : (e ?? g) + (k - 2) * block
      DenseKernels.transposedProduct(
        p, offset: shape.weightOffset(ofLayer: k - 1), rows: width,
        columns: shape.inputSize(ofLayer: k - 1), batch: batch, d, into: into)
    }
  }

  /// The pullback of `(θ, x_b) ↦ ∇ₓf_θ(x_b)`: adds `Σ_b ∂_θ(ḡ_bᵀ∇ₓf(x_b))` to `gradient` and
  /// returns the Hessian–vector products `∇ₓ∇ₓf(x_b) ḡ_b`, back to back.
  ///
  /// Backwards through the input-gradient pass (k = 1…depth, from `ē₀ = ḡ`):
  /// `Āₖ += δₖ ēₖ₋₁ᵀ`, `δ̄ₖ = Aₖ ēₖ₋₁`, `ēₖ = δ̄ₖ ⊙ σ′(zₖ)`, and `z̄ₖ = δ̄ₖ ⊙ eₖ ⊙ σ″(zₖ)` where
  /// `δₖ` depends on `zₖ`; `c̄ += ē_depth`. Then backwards through the forward pass (k = depth…1,
  /// `ā_depth = 0`): `z̄ₖ += āₖ ⊙ σ′(zₖ)`, `Āₖ += z̄ₖ aₖ₋₁ᵀ`, `b̄ₖ += z̄ₖ`, `āₖ₋₁ = Aₖᵀ z̄ₖ`.
  func accumulateInputGradientPullback(
    _ pass: InputGradient, cotangent: [Double], into gradient: inout [Double]
  ) -> [Double] {
    let evaluation = pass.evaluation
    let batch = evaluation.batch
    var scratch = [Double](repeating: 0, count: (3 + shape.depth) * batch * shape.width)
    var result = [Double](repeating: 0, count: batch * shape.inputDimension)
    parameters.scalars.withUnsafeBufferPointer { pb in
      gradient.withUnsafeMutableBufferPointer { gb in
        evaluation.hidden.withUnsafeBufferPointer { hb in
          evaluation.input.withUnsafeBufferPointer { xb in
            pass.sensitivities.withUnsafeBufferPointer { eb in
              cotangent.withUnsafeBufferPointer { cb in
                scratch.withUnsafeMutableBufferPointer { sb in
                  result.withUnsafeMutableBufferPointer { rb in
                    guard let p = pb.baseAddress, let g = gb.baseAddress,
                      let h = hb.baseAddress, let x = xb.baseAddress, let gBar = cb.baseAddress,
                      let s = sb.baseAddress, let xBar = rb.baseAddress
                    else { return }
                    accumulateInputGradientPullback(
                      p, x, batch: batch, hidden: h, sensitivities: eb.baseAddress,
                      cotangent: gBar, scratch: s, into: g, hessianProduct: xBar)
                  }
                }
              }
            }
          }
        }
      }
    }
    return result
  }

  /// ``accumulateInputGradientPullback(_:cotangent:into:)`` between buffers, after
  /// ``forward`` and the backward pass of the input gradient at the same `x`; `scratch` holds
  /// (3 + depth)·B·width numbers.
  func accumulateInputGradientPullback(
    _ p: UnsafePointer<Double>, _ x: UnsafePointer<Double>, batch: Int,
    hidden h: UnsafePointer<Double>, sensitivities: UnsafePointer<Double>?,
    cotangent gBar: UnsafePointer<Double>, scratch s: UnsafeMutablePointer<Double>,
    into g: UnsafeMutablePointer<Double>, hessianProduct xBar: UnsafeMutablePointer<Double>
  ) {
    let depth = shape.depth
    let width = shape.width
    let block = batch * width
    // ē (then ā), δ̄, δ, and z̄ₖ for k = 1…depth.
    let eBar = s
    let deltaBar = s + block
    let delta = s + 2 * block
    func zBar(_ k: Int) -> UnsafeMutablePointer<Double> { s + (2 + k) * block }
    func values(_ k: Int) -> UnsafePointer<Double> { k == 0 ? x : h + (k - 1) * 2 * block }
    let c = p + shape.weightOffset(ofLayer: depth)
    let isTanh = shape.activation == .tanh
    for k in 1...depth {
      let offset = shape.weightOffset(ofLayer: k - 1)
      let columns = shape.inputSize(ofLayer: k - 1)
      let below = k == 1 ? gBar : UnsafePointer(eBar)  // ēₖ₋₁
      DenseKernels.affine(
        p, offset: offset, rows: width, columns: columns, batch: batch,
        addBias: false, below, into: deltaBar)
      let value = values(k)
      let first = value + block
      let z = zBar(k)
      for b in 0..<batch {
        // eₖ of input b: c for the top layer, recorded below it.
        let e = k == depth ? c : (sensitivities ?? c) + (k - 1) * block + b * width
        let o = b * width
        for i in 0..<width {
          let (v, f) = (value[o + i], first[o + i])
          delta[o + i] = e[i] * f
          // σ″ (Activation.secondDerivative), as a select that vectorises.
          let second = isTanh ? -2 * v * f : f * (1 - f)
          z[o + i] = deltaBar[o + i] * e[i] * second
        }
      }
      DenseKernels.accumulateOuterProducts(
        g, offset: offset, rows: width, columns: columns, batch: batch, delta, below)
      for j in 0..<block { eBar[j] = deltaBar[j] * first[j] }  // ēₖ
    }
    // e_depth is the output weight row c, the same for every input.
    let cBar = g + (c - p)
    for b in 0..<batch { DenseKernels.axpy(1, eBar + b * width, cBar, width) }
    // Backwards through the forward pass (the value f has no cotangent).
    let aBar = eBar
    for k in stride(from: depth, through: 1, by: -1) {
      let z = zBar(k)
      if k < depth {
        let first = values(k) + block
        for j in 0..<block { z[j] += aBar[j] * first[j] }
      }
      let offset = shape.weightOffset(ofLayer: k - 1)
      let columns = shape.inputSize(ofLayer: k - 1)
      DenseKernels.accumulateOuterProducts(
        g, offset: offset, rows: width, columns: columns, batch: batch, z, values(k - 1))
      DenseKernels.accumulateBias(
        g, offset: offset, rows: width, columns: columns, batch: batch, z)
      DenseKernels.transposedProduct(
        p, offset: offset, rows: width, columns: columns, batch: batch, z,
        into: k == 1 ? xBar : aBar)
    }
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
