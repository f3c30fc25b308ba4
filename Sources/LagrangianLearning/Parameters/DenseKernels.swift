/// The dense-layer kernels that every network forward and pullback is built from, written over
/// raw buffers so that the compiler vectorises them and nothing is allocated.
enum DenseKernels {
  /// `y = A x + b` for the `rows × columns` row-major matrix at `parameters[offset...]` with
  /// its bias right after it.
  @inlinable
  static func affine(
    _ parameters: UnsafeBufferPointer<Double>, offset: Int, rows: Int, columns: Int,
    _ x: UnsafeBufferPointer<Double>, into y: UnsafeMutableBufferPointer<Double>
  ) {
    let bias = offset + rows * columns
    for i in 0..<rows {
      var sum = parameters[bias + i]
      let row = offset + i * columns
      for j in 0..<columns { sum += parameters[row + j] * x[j] }
      y[i] = sum
    }
  }

  /// `x̄ = Aᵀ ȳ` (overwrites `xBar`).
  @inlinable
  static func transposedProduct(
    _ parameters: UnsafeBufferPointer<Double>, offset: Int, rows: Int, columns: Int,
    _ yBar: UnsafeBufferPointer<Double>, into xBar: UnsafeMutableBufferPointer<Double>
  ) {
    for j in 0..<columns { xBar[j] = 0 }
    for i in 0..<rows {
      let c = yBar[i]
      if c == 0 { continue }
      let row = offset + i * columns
      for j in 0..<columns { xBar[j] += parameters[row + j] * c }
    }
  }

  /// `y = A x` without the bias (overwrites `y`).
  @inlinable
  static func product(
    _ parameters: UnsafeBufferPointer<Double>, offset: Int, rows: Int, columns: Int,
    _ x: UnsafeBufferPointer<Double>, into y: UnsafeMutableBufferPointer<Double>
  ) {
    for i in 0..<rows {
      var sum = 0.0
      let row = offset + i * columns
      for j in 0..<columns { sum += parameters[row + j] * x[j] }
      y[i] = sum
    }
  }

  /// `Ā += u vᵀ` for the weight block at `offset`.
  @inlinable
  static func accumulateOuterProduct(
    _ gradient: UnsafeMutableBufferPointer<Double>, offset: Int, rows: Int, columns: Int,
    _ u: UnsafeBufferPointer<Double>, _ v: UnsafeBufferPointer<Double>
  ) {
    for i in 0..<rows {
      let c = u[i]
      if c == 0 { continue }
      let row = offset + i * columns
      for j in 0..<columns { gradient[row + j] += c * v[j] }
    }
  }

  /// `b̄ += u` for the bias of the `rows × columns` weight block at `offset`.
  @inlinable
  static func accumulateBias(
    _ gradient: UnsafeMutableBufferPointer<Double>, offset: Int, rows: Int, columns: Int,
    _ u: UnsafeBufferPointer<Double>
  ) {
    let bias = offset + rows * columns
    for i in 0..<rows { gradient[bias + i] += u[i] }
  }
}
