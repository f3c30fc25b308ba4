import CNetworkKernels

/// The input gradient `∇ₓf` of a scalar ``MultilayerPerceptron`` and its pullback between
/// buffers, with every intermediate value in a ``RolloutWorkspace``: the form that batched
/// rollouts call once per step for all their windows.
///
/// The pullback evaluates the forward and input-gradient passes again at the same inputs
/// instead of keeping them from the rollout's forward pass (rematerialisation): a rollout then
/// stores only its configurations, and a network's B·width values per layer live in one
/// buffer that stays in cache from step to step. The mathematics is that of
/// ``MultilayerPerceptron/accumulateInputGradientPullback(_:cotangent:into:)``.
///
/// A tanh network with one hidden layer and few inputs (every potential on R¹…R⁷ of the
/// examples and benchmarks) runs both passes fused over each input, eight units at a time, in
/// C (Sources/CNetworkKernels, built for AVX-512, AVX2 and SSE2 and chosen when the program
/// starts): with `z = A x + b`, `(σ, σ′, σ″)` at z and `δ = c ⊙ σ′`,
///
///     ∇ₓf = Aᵀ δ;
///     δ̄ = A ḡ,  z̄ = δ̄ ⊙ c ⊙ σ″,  Ā += δ ḡᵀ + z̄ xᵀ,  b̄ += z̄,  c̄ += δ̄ ⊙ σ′,  ∇²f ḡ = Aᵀ z̄
///
/// (the depth-1 case of the layered recursion), so that no B·width array is written at all.
/// Deeper or wider networks run the layered passes, whose matrix products go to OpenBLAS.
extension MultilayerPerceptron {
  /// Whether the layered input-gradient passes run a product through OpenBLAS: a hidden layer
  /// fed by another (depth ≥ 2) or a first layer with many inputs.
  var runsMatrixProducts: Bool {
    (shape.depth >= 2 && shape.width >= DenseKernels.fewInputs)
      || shape.inputDimension >= DenseKernels.fewInputs
  }

  /// Whether the fused single-hidden-layer passes apply.
  var isShallow: Bool {
    shape.depth == 1 && shape.inputDimension < DenseKernels.fewInputs
      && shape.outputDimension == 1 && shape.activation == .tanh
  }

  /// `∇ₓf` at the `batch` inputs at `x` (batch·inputs numbers), written to `gradient`.
  func inputGradient(
    _ x: UnsafePointer<Double>, batch: Int, into gradient: UnsafeMutablePointer<Double>,
    workspace: RolloutWorkspace
  ) {
    parameters.scalars.withUnsafeBufferPointer { pb in
      guard let p = pb.baseAddress else { return }
      if isShallow {
        let columns = ShallowColumns(self, p, workspace: workspace)
        vinkit_shallow_tanh_gradient(columns.network, Int32(batch), x, gradient)
        return
      }
      if runsMatrixProducts { workspace.ranMatrixProducts = true }
      let block = batch * shape.width
      let values = workspace.buffer(.networkValues, count: (3 * shape.depth) * block)
      let hidden = values
      let sensitivities = values + 2 * shape.depth * block
      let delta = sensitivities + (shape.depth - 1) * block
      forward(p, x, batch: batch, hidden: hidden, output: nil)
      inputGradient(
        p, batch: batch, hidden: hidden, delta: delta, sensitivities: sensitivities,
        into: gradient)
    }
  }

  /// `∇ₓf` and the Hessian `∇ₓ²f` at the `batch` inputs at `x`: the gradients to `gradient`
  /// (batch·inputs numbers), the Hessians to `hessian` (batch·inputs² numbers, row-major per
  /// input). The fused passes give `∇ₓ²f = Aᵀ diag(c ⊙ σ″) A` directly; otherwise column j of
  /// every Hessian is the Hessian-vector product `∇ₓ²f eⱼ` of the input gradient's pullback
  /// (``accumulateInputGradientPullback(_:batch:cotangent:into:hessianProduct:workspace:)``, whose
  /// parameter part goes to scratch), one batched pass per input.
  func inputGradientAndHessian(
    _ x: UnsafePointer<Double>, batch: Int, gradient: UnsafeMutablePointer<Double>,
    hessian: UnsafeMutablePointer<Double>, workspace: RolloutWorkspace
  ) {
    let d = shape.inputDimension
    if isShallow {
      parameters.scalars.withUnsafeBufferPointer { pb in
        guard let p = pb.baseAddress else { return }
        let columns = ShallowColumns(self, p, workspace: workspace)
        vinkit_shallow_tanh_gradient_hessian(columns.network, Int32(batch), x, gradient, hessian)
      }
      return
    }
    inputGradient(x, batch: batch, into: gradient, workspace: workspace)
    let count = batch * d
    let scratch = workspace.buffer(.secondDerivatives, count: 2 * count + parameterCount)
    let (unit, product, parameterScratch) = (scratch, scratch + count, scratch + 2 * count)
    for j in 0..<d {
      unit.update(repeating: 0, count: count)
      for b in 0..<batch { unit[b * d + j] = 1 }
      parameterScratch.update(repeating: 0, count: parameterCount)
      accumulateInputGradientPullback(
        x, batch: batch, cotangent: unit, into: parameterScratch, hessianProduct: product,
        workspace: workspace)
      for b in 0..<batch {
        for i in 0..<d { hessian[(b * d + i) * d + j] = product[b * d + i] }
      }
    }
  }

  /// The pullback of ``inputGradient(_:batch:into:workspace:)`` at the same inputs: adds
  /// `Σ_b ∂_θ(ḡ_bᵀ∇ₓf(x_b))` to the parameter gradient at `parameterGradient` (``NetworkShape``
  /// order) and writes `∇ₓ∇ₓf(x_b) ḡ_b` to `hessianProduct`.
  func accumulateInputGradientPullback(
    _ x: UnsafePointer<Double>, batch: Int, cotangent: UnsafePointer<Double>,
    into parameterGradient: UnsafeMutablePointer<Double>,
    hessianProduct: UnsafeMutablePointer<Double>, workspace: RolloutWorkspace
  ) {
    parameters.scalars.withUnsafeBufferPointer { pb in
      guard let p = pb.baseAddress else { return }
      if isShallow {
        let columns = ShallowColumns(self, p, workspace: workspace)
        vinkit_shallow_tanh_pullback(
          columns.network, Int32(batch), x, cotangent, columns.weightsBar, columns.biasBar,
          columns.outputWeightsBar, hessianProduct)
        columns.addAccumulated(to: parameterGradient, shape: shape)
        return
      }
      if runsMatrixProducts { workspace.ranMatrixProducts = true }
      let depth = shape.depth
      let block = batch * shape.width
      let values = workspace.buffer(.networkValues, count: (3 * depth + 3 + depth) * block)
      let hidden = values
      let sensitivities = values + 2 * depth * block
      let delta = sensitivities + (depth - 1) * block
      let scratch = delta + block
      forward(p, x, batch: batch, hidden: hidden, output: nil)
      inputGradient(
        p, batch: batch, hidden: hidden, delta: delta, sensitivities: sensitivities,
        into: hessianProduct)
      accumulateInputGradientPullback(
        p, x, batch: batch, hidden: hidden, sensitivities: sensitivities, cotangent: cotangent,
        scratch: scratch, into: parameterGradient, hessianProduct: hessianProduct)
    }
  }
}

/// The parameters of a one-hidden-layer network laid out by columns for the fused passes, and
/// the gradient accumulators of its pullback, in a workspace: `Aᵀ` (inputs rows of the padded
/// width, a multiple of 8, zero beyond the width), b, c, then `Āᵀ`, b̄, c̄ (zeroed). Padded
/// units have zero weights, so they contribute nothing.
struct ShallowColumns {
  let inputs: Int
  let width: Int
  let paddedWidth: Int
  let weights: UnsafeMutablePointer<Double>
  let bias: UnsafeMutablePointer<Double>
  let outputWeights: UnsafeMutablePointer<Double>
  let weightsBar: UnsafeMutablePointer<Double>
  let biasBar: UnsafeMutablePointer<Double>
  let outputWeightsBar: UnsafeMutablePointer<Double>

  init(_ network: MultilayerPerceptron, _ p: UnsafePointer<Double>, workspace: RolloutWorkspace) {
    let shape = network.shape
    inputs = shape.inputDimension
    width = shape.width
    paddedWidth = (width + 7) / 8 * 8
    let rows = inputs + 2
    let storage = workspace.buffer(.networkColumns, count: 2 * rows * paddedWidth)
    storage.update(repeating: 0, count: 2 * rows * paddedWidth)
    weights = storage
    bias = storage + inputs * paddedWidth
    outputWeights = bias + paddedWidth
    weightsBar = storage + rows * paddedWidth
    biasBar = weightsBar + inputs * paddedWidth
    outputWeightsBar = biasBar + paddedWidth
    let a = p + shape.weightOffset(ofLayer: 0)
    let c = p + shape.weightOffset(ofLayer: 1)
    for i in 0..<width {
      for j in 0..<inputs { weights[j * paddedWidth + i] = a[i * inputs + j] }
      bias[i] = a[width * inputs + i]
      outputWeights[i] = c[i]
    }
  }

  /// The parameters as the C kernels take them.
  var network: vinkit_shallow_network {
    vinkit_shallow_network(
      inputs: Int32(inputs), padded_width: Int32(paddedWidth), weights: weights, bias: bias,
      output_weights: outputWeights)
  }

  /// Adds `Ā`, b̄ and c̄ to a gradient in ``NetworkShape`` order (the output bias gets nothing:
  /// it does not enter `∇ₓf`).
  func addAccumulated(to gradient: UnsafeMutablePointer<Double>, shape: NetworkShape) {
    let a = gradient + shape.weightOffset(ofLayer: 0)
    let c = gradient + shape.weightOffset(ofLayer: 1)
    for i in 0..<width {
      for j in 0..<inputs { a[i * inputs + j] += weightsBar[j * paddedWidth + i] }
      a[width * inputs + i] += biasBar[i]
      c[i] += outputWeightsBar[i]
    }
  }
}
