/// A fully connected network with rectified linear hidden units, the encoder and decoder layers
/// of the pixel models (Saemundsson et al., *Variational Integrator Networks*, AISTATS 2020,
/// §5.2, after the convolution-free VAE of Kingma and Welling 2014):
///
///     a₀ = x,  aₗ = max(0, Aₗ aₗ₋₁ + bₗ)  (l = 1…L−1),  y = A_L a_{L−1} + b_L
///
/// for ``sizes`` `[n₀, n₁, …, n_L]` (input, hidden widths, output). Parameters are stored layer
/// by layer, each as its weight matrix (row-major, `out × in`) followed by its bias, the layout
/// of ``NetworkShape`` and of the ``DenseKernels``, which run every layer over a batch of B
/// inputs stored back to back (matrix products through OpenBLAS).
///
/// The pullback is backpropagation with `σ′(z) = 1` where the unit is active (`aₗ > 0`), 0
/// elsewhere: `z̄ₗ = āₗ ⊙ [aₗ > 0]`, `Āₗ += z̄ₗ aₗ₋₁ᵀ`, `b̄ₗ += z̄ₗ`, `āₗ₋₁ = Aₗᵀ z̄ₗ`. Forward
/// and pullback work between caller-owned buffers and allocate nothing.
struct RectifiedNetwork: Hashable, Sendable {
  /// `[inputs, hidden widths…, outputs]`.
  let sizes: [Int]

  init(sizes: [Int]) { self.sizes = sizes }

  var inputDimension: Int { sizes[0] }
  var outputDimension: Int { sizes[sizes.count - 1] }
  /// The number L of layers with weights.
  var layerCount: Int { sizes.count - 1 }

  /// Where layer l's (0-based) weights start; its bias follows them.
  func weightOffset(ofLayer l: Int) -> Int {
    var offset = 0
    for k in 0..<l { offset += (sizes[k] + 1) * sizes[k + 1] }
    return offset
  }

  var parameterCount: Int { weightOffset(ofLayer: layerCount) }

  /// The numbers of hidden values of a batch of `batch` inputs (every hidden layer's aₗ).
  func hiddenCount(batch: Int) -> Int { batch * sizes.dropFirst().dropLast().reduce(0, +) }

  /// The scratch the pullback needs for a batch: two layers' worth of cotangents.
  func scratchCount(batch: Int) -> Int {
    2 * batch * (sizes.dropFirst().dropLast().max() ?? 0)
  }

  /// Weights drawn uniformly from `±√(6/(n_in + n_out))` (Glorot and Bengio, AISTATS 2010, the
  /// default of the reference's Keras layers), biases zero.
  func initialParameters(generator: inout SeededGenerator) -> [Double] {
    var values = Array(repeating: 0.0, count: parameterCount)
    for l in 0..<layerCount {
      let (columns, rows) = (sizes[l], sizes[l + 1])
      let bound = (6 / Double(columns + rows)).squareRoot()
      let offset = weightOffset(ofLayer: l)
      for i in 0..<(rows * columns) {
        values[offset + i] = bound * (2 * generator.nextUniform() - 1)
      }
    }
    return values
  }

  /// The forward pass of `batch` inputs at `x`: the hidden values aₗ to `hidden`
  /// (``hiddenCount(batch:)`` numbers, layer after layer), the outputs to `output`.
  func forward(
    _ p: UnsafePointer<Double>, _ x: UnsafePointer<Double>, batch: Int,
    hidden: UnsafeMutablePointer<Double>, output: UnsafeMutablePointer<Double>
  ) {
    var input = x
    var values = hidden
    for l in 0..<layerCount {
      let (columns, rows) = (sizes[l], sizes[l + 1])
      let last = l == layerCount - 1
      let into = last ? output : values
      DenseKernels.affine(
        p, offset: weightOffset(ofLayer: l), rows: rows, columns: columns, batch: batch, input,
        into: into)
      if !last {
        for i in 0..<(batch * rows) where into[i] < 0 { into[i] = 0 }
        input = UnsafePointer(values)
        values += batch * rows
      }
    }
  }

  /// Backpropagation after ``forward(_:_:batch:hidden:output:)`` at the same `x`: adds
  /// `Σ_b (∂y_b/∂θ)ᵀ ȳ_b` to the gradient at `g` and, unless `xBar` is nil, writes the input
  /// cotangents `x̄_b = (∂y_b/∂x_b)ᵀ ȳ_b` to it; `scratch` holds ``scratchCount(batch:)``
  /// numbers.
  func accumulatePullback(
    _ p: UnsafePointer<Double>, _ x: UnsafePointer<Double>, batch: Int,
    hidden: UnsafePointer<Double>, outputCotangent yBar: UnsafePointer<Double>,
    scratch: UnsafeMutablePointer<Double>, into g: UnsafeMutablePointer<Double>,
    inputCotangent xBar: UnsafeMutablePointer<Double>?
  ) {
    // Where each layer's input starts: x, then the hidden layers.
    func layerInput(_ l: Int) -> UnsafePointer<Double> {
      var pointer = hidden
      for k in 1..<max(l, 1) { pointer += batch * sizes[k] }
      return l == 0 ? x : pointer
    }
    let half = scratchCount(batch: batch) / 2
    var zBar = yBar
    var (current, spare) = (scratch, scratch + half)
    for l in stride(from: layerCount - 1, through: 0, by: -1) {
      let (columns, rows) = (sizes[l], sizes[l + 1])
      let offset = weightOffset(ofLayer: l)
      let input = layerInput(l)
      DenseKernels.accumulateOuterProducts(
        g, offset: offset, rows: rows, columns: columns, batch: batch, zBar, input)
      DenseKernels.accumulateBias(
        g, offset: offset, rows: rows, columns: columns, batch: batch, zBar)
      if l == 0 {
        if let xBar {
          DenseKernels.transposedProduct(
            p, offset: offset, rows: rows, columns: columns, batch: batch, zBar, into: xBar)
        }
        break
      }
      // ā_{l} = A_lᵀ z̄, then z̄_{l} = ā ⊙ [a > 0] for the layer below.
      DenseKernels.transposedProduct(
        p, offset: offset, rows: rows, columns: columns, batch: batch, zBar, into: current)
      for i in 0..<(batch * columns) where input[i] <= 0 { current[i] = 0 }
      zBar = UnsafePointer(current)
      swap(&current, &spare)
    }
  }
}
