import COpenBLAS

/// The dense-layer kernels that every network forward and pullback is built from. They act on
/// a batch of B vectors stored back to back (vector b of size m at `b * m`, so a batch is a
/// row-major B × m matrix) and allocate nothing. A layer with many inputs is a matrix product
/// over the batch and goes to OpenBLAS (`dgemm`, `dgemv` for the scalar output layer, through
/// the row-major wrappers of Sources/COpenBLAS); a layer with few inputs (the first layer of a potential on R¹, R², …) is an outer
/// product, run along the weight columns so that its loops are long and vectorise.
enum DenseKernels {
  /// Layers with fewer inputs than this use the column-wise loops.
  @usableFromInline static let fewInputs = 8

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

  /// `y_b = A x_b (+ b)` for the `rows × columns` row-major matrix at `parameters + offset`,
  /// whose bias follows it; `addBias: false` leaves the bias out.
  @inlinable
  static func affine(
    _ parameters: UnsafePointer<Double>, offset: Int, rows: Int, columns: Int, batch: Int,
    addBias: Bool = true, _ x: UnsafePointer<Double>, into y: UnsafeMutablePointer<Double>
  ) {
    let a = parameters + offset
    let bias = a + rows * columns
    if columns < fewInputs {
      for b in 0..<batch {
        let yb = y + b * rows
        if addBias {
          for i in 0..<rows { yb[i] = bias[i] }
        } else {
          for i in 0..<rows { yb[i] = 0 }
        }
        for j in 0..<columns {
          let xj = x[b * columns + j]
          if columns == 1 {
            for i in 0..<rows { yb[i] += a[i] * xj }
          } else {
            for i in 0..<rows { yb[i] += a[i &* columns &+ j] * xj }
          }
        }
      }
    } else {
      // Y = X Aᵀ (+ 1 bᵀ): B × rows.
      for b in 0..<batch {
        let yb = y + b * rows
        if addBias {
          for i in 0..<rows { yb[i] = bias[i] }
        } else {
          for i in 0..<rows { yb[i] = 0 }
        }
      }
      if rows == 1 {
        copenblas_dgemv_row_major(0, blas(batch), blas(columns), 1, x, blas(columns), a, 1, y)
      } else {
        copenblas_dgemm_row_major(
          0, 1, blas(batch), blas(rows), blas(columns), 1, x, blas(columns), a, blas(columns), 1,
          y, blas(rows))
      }
    }
  }

  /// `x̄_b = Aᵀ ȳ_b` (overwrites `xBar`).
  @inlinable
  static func transposedProduct(
    _ parameters: UnsafePointer<Double>, offset: Int, rows: Int, columns: Int, batch: Int,
    _ yBar: UnsafePointer<Double>, into xBar: UnsafeMutablePointer<Double>
  ) {
    let a = parameters + offset
    if columns < fewInputs {
      for b in 0..<batch {
        let yb = yBar + b * rows
        if columns == 1 {
          xBar[b] = dot(a, yb, rows)
          continue
        }
        for j in 0..<columns {
          var sum = 0.0
          for i in 0..<rows { sum += a[i &* columns &+ j] * yb[i] }
          xBar[b * columns + j] = sum
        }
      }
    } else {
      // X̄ = Ȳ A: B × columns.
      copenblas_dgemm_row_major(
        0, 0, blas(batch), blas(columns), blas(rows), 1, yBar, blas(rows), a, blas(columns), 0,
        xBar, blas(columns))
    }
  }

  /// `Ā += Σ_b u_b v_bᵀ` for the weight block at `gradient + offset`.
  @inlinable
  static func accumulateOuterProducts(
    _ gradient: UnsafeMutablePointer<Double>, offset: Int, rows: Int, columns: Int, batch: Int,
    _ u: UnsafePointer<Double>, _ v: UnsafePointer<Double>
  ) {
    let g = gradient + offset
    if columns < fewInputs {
      for b in 0..<batch {
        for j in 0..<columns {
          let vj = v[b * columns + j]
          let ub = u + b * rows
          if columns == 1 {
            for i in 0..<rows { g[i] += ub[i] * vj }
          } else {
            for i in 0..<rows { g[i &* columns &+ j] += ub[i] * vj }
          }
        }
      }
    } else if rows == 1 {
      // ā += Vᵀ u.
      copenblas_dgemv_row_major(1, blas(batch), blas(columns), 1, v, blas(columns), u, 1, g)
    } else {
      // Ā += Uᵀ V: rows × columns.
      copenblas_dgemm_row_major(
        1, 0, blas(rows), blas(columns), blas(batch), 1, u, blas(rows), v, blas(columns), 1, g,
        blas(columns))
    }
  }

  /// `b̄ += Σ_b u_b` for the bias of the `rows × columns` weight block at `offset`.
  @inlinable
  static func accumulateBias(
    _ gradient: UnsafeMutablePointer<Double>, offset: Int, rows: Int, columns: Int, batch: Int,
    _ u: UnsafePointer<Double>
  ) {
    let bias = gradient + offset + rows * columns
    for b in 0..<batch { axpy(1, u + b * rows, bias, rows) }
  }

  /// A dimension as BLAS's `int` (a batch, a width or an input count, each far below 2³¹).
  @inlinable @inline(__always)
  static func blas(_ count: Int) -> Int32 { Int32(truncatingIfNeeded: count) }
}
