import RealModule

/// A long short-term memory network (Hochreiter and Schmidhuber 1997, with the forget gate of
/// Gers et al. 2000) read over a sequence *backwards*, then a linear read-out of its last hidden
/// state: the velocity encoder of the pixel models, which reads the context frames' encodings
/// `x_{C−1}, …, x₀` and ends at the first frame, whose velocity it reports (the backwards
/// LSTM(50) of Saemundsson et al., *Variational Integrator Networks*, AISTATS 2020, §5.2).
///
/// One step with input x (E numbers), hidden state h and cell c (H numbers each), for the
/// stacked gate pre-activations `z = W [x; h] + b` (W is 4H × (E + H), gates in the order
/// input, forget, cell, output):
///
///     i = σ(z_i),  f = σ(z_f),  g = tanh(z_g),  o = σ(z_o),
///     c′ = f ⊙ c + i ⊙ g,  h′ = o ⊙ tanh(c′),
///
/// from `h = c = 0`; the read-out is `y = R h_last + r` (``outputDimension`` numbers). The
/// pullback is backpropagation through time: with `t = tanh(c′)`,
///
///     ō = h̄′ ⊙ t,  c̄′ += h̄′ ⊙ o ⊙ (1 − t²),  ī = c̄′ ⊙ g,  ḡ = c̄′ ⊙ i,  f̄ = c̄′ ⊙ c,  c̄ = c̄′ ⊙ f,
///     z̄ = (ī i(1 − i), f̄ f(1 − f), ḡ (1 − g²), ō o(1 − o)),  W̄ += z̄ [x; h]ᵀ,  b̄ += z̄,
///     [x̄; h̄] = Wᵀ z̄.
///
/// All windows of a batch run together (B rows per step, the products through OpenBLAS by the
/// ``DenseKernels``); the values the pullback needs live in caller-owned buffers.
///
/// Parameters: W then b (``DenseKernels`` layout), then R and r.
struct RecurrentEncoder: Hashable, Sendable {
  /// E, the size of each input.
  let inputDimension: Int
  /// H, the size of the hidden state and cell.
  let hiddenDimension: Int
  /// The size of the read-out y.
  let outputDimension: Int

  var cellParameterCount: Int { 4 * hiddenDimension * (inputDimension + hiddenDimension + 1) }
  var parameterCount: Int { cellParameterCount + (hiddenDimension + 1) * outputDimension }

  /// Keras's defaults for the reference's layer, with Glorot-uniform recurrent weights in place
  /// of orthogonal ones: W uniform in `±√(6/(E + H + 4H))`, b zero except the forget gate's,
  /// 1 (Jozefowicz et al., ICML 2015); R uniform in `±√(6/(H + out))`, r zero.
  func initialParameters(generator: inout SeededGenerator) -> [Double] {
    let (e, h) = (inputDimension, hiddenDimension)
    var values = Array(repeating: 0.0, count: parameterCount)
    let bound = (6 / Double(e + 5 * h)).squareRoot()
    for i in 0..<(4 * h * (e + h)) { values[i] = bound * (2 * generator.nextUniform() - 1) }
    for i in 0..<h { values[4 * h * (e + h) + h + i] = 1 }
    let readOut = (6 / Double(h + outputDimension)).squareRoot()
    for i in 0..<(h * outputDimension) {
      values[cellParameterCount + i] = readOut * (2 * generator.nextUniform() - 1)
    }
    return values
  }

  /// The numbers a run over `steps` inputs of a batch of `batch` sequences keeps for its
  /// pullback: per step the input `[x; h]` (E + H), the gates (4H) and the cell after it (H),
  /// then the last hidden state (H).
  func storageCount(batch: Int, steps: Int) -> Int {
    batch * (steps * (inputDimension + 6 * hiddenDimension) + hiddenDimension)
  }

  /// The scratch of the pullback: h̄, c̄, z̄ and `[x̄; h̄]`.
  func scratchCount(batch: Int) -> Int { batch * (inputDimension + 7 * hiddenDimension) }

  /// Where step s's values start in the storage: `[x; h]`, the gates `(i, f, g, o)`, the cell
  /// c′; s = `steps` gives the last hidden state as `joined`.
  private func stepValues(_ storage: UnsafeMutablePointer<Double>, batch: Int, step s: Int) -> (
    joined: UnsafeMutablePointer<Double>, gates: UnsafeMutablePointer<Double>,
    cell: UnsafeMutablePointer<Double>
  ) {
    let (e, h) = (inputDimension, hiddenDimension)
    let base = storage + s * batch * (e + 6 * h)
    return (base, base + batch * (e + h), base + batch * (e + 5 * h))
  }

  /// Reads every sequence backwards and writes the read-outs (B × out) to `output`. Input k of
  /// sequence b is at `inputs + (b · steps + k) · E`; the run takes k = steps−1, …, 0. `storage`
  /// receives ``storageCount(batch:steps:)`` numbers for the pullback.
  func forward(
    _ p: UnsafePointer<Double>, inputs: UnsafePointer<Double>, batch: Int, steps: Int,
    storage: UnsafeMutablePointer<Double>, output: UnsafeMutablePointer<Double>
  ) {
    let (e, h) = (inputDimension, hiddenDimension)
    for s in 0..<steps {
      let k = steps - 1 - s
      let (joined, gates, cell) = stepValues(storage, batch: batch, step: s)
      let previousCell: UnsafePointer<Double>? =
        s == 0 ? nil : UnsafePointer(stepValues(storage, batch: batch, step: s - 1).cell)
      // [x; h]: the h part was written by the step before (zero at the start).
      for b in 0..<batch {
        let row = joined + b * (e + h)
        for j in 0..<e { row[j] = inputs[(b * steps + k) * e + j] }
        if s == 0 { (row + e).update(repeating: 0, count: h) }
      }
      DenseKernels.affine(
        p, offset: 0, rows: 4 * h, columns: e + h, batch: batch, joined, into: gates)
      // The new hidden state goes to the next step's [x; h], or after the last step.
      let next = stepValues(storage, batch: batch, step: s + 1).joined
      let (nextStride, nextOffset) = s + 1 < steps ? (e + h, e) : (h, 0)
      for b in 0..<batch {
        let z = gates + b * 4 * h
        for j in 0..<h {
          let i = Self.logistic(z[j])
          let f = Self.logistic(z[h + j])
          let g = Double.tanh(z[2 * h + j])
          let o = Self.logistic(z[3 * h + j])
          (z[j], z[h + j], z[2 * h + j], z[3 * h + j]) = (i, f, g, o)
          let c = f * (previousCell?[b * h + j] ?? 0) + i * g
          cell[b * h + j] = c
          next[b * nextStride + nextOffset + j] = o * Double.tanh(c)
        }
      }
    }
    let last = stepValues(storage, batch: batch, step: steps).joined
    DenseKernels.affine(
      p, offset: cellParameterCount, rows: outputDimension, columns: h, batch: batch, last,
      into: output)
  }

  /// Backpropagation through time after ``forward(_:inputs:batch:steps:storage:output:)``:
  /// adds the parameter gradient of `Σ_b ȳ_bᵀ y_b` to `g` and writes the input cotangents (the
  /// layout of the inputs) to `inputCotangent`; `scratch` holds ``scratchCount(batch:)`` numbers.
  func accumulatePullback(
    _ p: UnsafePointer<Double>, batch: Int, steps: Int, storage: UnsafeMutablePointer<Double>,
    outputCotangent yBar: UnsafePointer<Double>, scratch: UnsafeMutablePointer<Double>,
    into g: UnsafeMutablePointer<Double>, inputCotangent xBar: UnsafeMutablePointer<Double>
  ) {
    let (e, h) = (inputDimension, hiddenDimension)
    let out = outputDimension
    let last = stepValues(storage, batch: batch, step: steps).joined
    let (hBar, cBar) = (scratch, scratch + batch * h)
    let zBar = scratch + 2 * batch * h
    let joinedBar = zBar + 4 * batch * h
    DenseKernels.accumulateOuterProducts(
      g, offset: cellParameterCount, rows: out, columns: h, batch: batch, yBar, last)
    DenseKernels.accumulateBias(
      g, offset: cellParameterCount, rows: out, columns: h, batch: batch, yBar)
    DenseKernels.transposedProduct(
      p, offset: cellParameterCount, rows: out, columns: h, batch: batch, yBar, into: hBar)
    cBar.update(repeating: 0, count: batch * h)
    for s in stride(from: steps - 1, through: 0, by: -1) {
      let k = steps - 1 - s
      let (joined, gates, cell) = stepValues(storage, batch: batch, step: s)
      let previousCell: UnsafePointer<Double>? =
        s == 0 ? nil : UnsafePointer(stepValues(storage, batch: batch, step: s - 1).cell)
      for b in 0..<batch {
        let z = gates + b * 4 * h
        let zb = zBar + b * 4 * h
        for j in 0..<h {
          let (i, f, g, o) = (z[j], z[h + j], z[2 * h + j], z[3 * h + j])
          let t = Double.tanh(cell[b * h + j])
          let hb = hBar[b * h + j]
          let cb = cBar[b * h + j] + hb * o * (1 - t * t)
          zb[j] = cb * g * i * (1 - i)
          zb[h + j] = cb * (previousCell?[b * h + j] ?? 0) * f * (1 - f)
          zb[2 * h + j] = cb * i * (1 - g * g)
          zb[3 * h + j] = hb * t * o * (1 - o)
          cBar[b * h + j] = cb * f
        }
      }
      DenseKernels.accumulateOuterProducts(
        g, offset: 0, rows: 4 * h, columns: e + h, batch: batch, zBar, joined)
      DenseKernels.accumulateBias(g, offset: 0, rows: 4 * h, columns: e + h, batch: batch, zBar)
      DenseKernels.transposedProduct(
        p, offset: 0, rows: 4 * h, columns: e + h, batch: batch, zBar, into: joinedBar)
      for b in 0..<batch {
        let row = joinedBar + b * (e + h)
        for j in 0..<e { xBar[(b * steps + k) * e + j] = row[j] }
        for j in 0..<h { hBar[b * h + j] = row[e + j] }
      }
    }
  }

  /// `1/(1 + e⁻ᶻ)`.
  static func logistic(_ z: Double) -> Double { Activation.logistic(z) }
}
