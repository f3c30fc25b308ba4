/// The dense-layer kernels that every network forward and pullback is built from. They act on
/// a batch of B vectors stored back to back (vector b of size m at `b * m`), read each weight
/// row once for the whole batch, and allocate nothing.
enum DenseKernels {
  /// `Σⱼ a[j] b[j]` with two 4-wide accumulators.
  @inlinable @inline(__always)
  static func dot(_ a: UnsafePointer<Double>, _ b: UnsafePointer<Double>, _ count: Int) -> Double {
    var s0 = SIMD4<Double>()
    var s1 = SIMD4<Double>()
    let ra = UnsafeRawPointer(a)
    let rb = UnsafeRawPointer(b)
    var j = 0
    while j + 8 <= count {
      s0 +=
        ra.loadUnaligned(fromByteOffset: j * 8, as: SIMD4<Double>.self)
        * rb.loadUnaligned(fromByteOffset: j * 8, as: SIMD4<Double>.self)
      s1 +=
        ra.loadUnaligned(fromByteOffset: (j + 4) * 8, as: SIMD4<Double>.self)
        * rb.loadUnaligned(fromByteOffset: (j + 4) * 8, as: SIMD4<Double>.self)
      j += 8
    }
    var sum = (s0 + s1).sum()
    while j < count {
      sum += a[j] * b[j]
      j += 1
    }
    return sum
  }

  /// `y[j] += c x[j]`.
  @inlinable @inline(__always)
  static func axpy(
    _ c: Double, _ x: UnsafePointer<Double>, _ y: UnsafeMutablePointer<Double>, _ count: Int
  ) {
    for j in 0..<count { y[j] += c * x[j] }
  }

  /// `y_b = A x_b (+ b)` for the `rows × columns` row-major matrix at `parameters[offset...]`,
  /// whose bias follows it; `addBias: false` leaves the bias out.
  @inlinable
  static func affine(
    _ parameters: UnsafeBufferPointer<Double>, offset: Int, rows: Int, columns: Int,
    batch: Int, addBias: Bool = true,
    _ x: UnsafeBufferPointer<Double>, into y: UnsafeMutableBufferPointer<Double>
  ) {
    guard let p = parameters.baseAddress, let xs = x.baseAddress else { return }
    let bias = offset + rows * columns
    for i in 0..<rows {
      let row = p + offset + i * columns
      let b0 = addBias ? p[bias + i] : 0
      for b in 0..<batch { y[b * rows + i] = b0 + dot(row, xs + b * columns, columns) }
    }
  }

  /// `x̄_b = Aᵀ ȳ_b` (overwrites `xBar`).
  @inlinable
  static func transposedProduct(
    _ parameters: UnsafeBufferPointer<Double>, offset: Int, rows: Int, columns: Int,
    batch: Int, _ yBar: UnsafeBufferPointer<Double>,
    into xBar: UnsafeMutableBufferPointer<Double>
  ) {
    guard let p = parameters.baseAddress, let out = xBar.baseAddress else { return }
    for j in 0..<(batch * columns) { out[j] = 0 }
    for i in 0..<rows {
      let row = p + offset + i * columns
      for b in 0..<batch {
        let c = yBar[b * rows + i]
        if c != 0 { axpy(c, row, out + b * columns, columns) }
      }
    }
  }

  /// `Ā += Σ_b u_b v_bᵀ` for the weight block at `offset`.
  @inlinable
  static func accumulateOuterProducts(
    _ gradient: UnsafeMutableBufferPointer<Double>, offset: Int, rows: Int, columns: Int,
    batch: Int, _ u: UnsafeBufferPointer<Double>, _ v: UnsafeBufferPointer<Double>
  ) {
    guard let g = gradient.baseAddress, let vs = v.baseAddress else { return }
    for i in 0..<rows {
      let row = g + offset + i * columns
      for b in 0..<batch {
        let c = u[b * rows + i]
        if c != 0 { axpy(c, vs + b * columns, row, columns) }
      }
    }
  }

  /// `b̄ += Σ_b u_b` for the bias of the `rows × columns` weight block at `offset`.
  @inlinable
  static func accumulateBias(
    _ gradient: UnsafeMutableBufferPointer<Double>, offset: Int, rows: Int, columns: Int,
    batch: Int, _ u: UnsafeBufferPointer<Double>
  ) {
    let bias = offset + rows * columns
    for b in 0..<batch {
      for i in 0..<rows { gradient[bias + i] += u[b * rows + i] }
    }
  }
}
