import CNetworkKernels
import Manifolds

/// The network of a ``ConfigurationMassMatrix`` laid out for evaluation in contiguous memory,
/// with the derivatives that the implicit midpoint step of ``VINMq`` needs and their pullback.
///
/// With `z = W₁q + b₁`, `o = W₂σ(z) + b₂` (n(n+1)/2 outputs), `J = ∂o/∂q = W₂ diag(σ′) W₁`,
/// the factor L has `Lᵢᵢ = φ(oᵢᵢ) = softplus(oᵢᵢ)` and strictly lower entries `φ(o) = o`, so
/// `∂L/∂qᵏ = φ′(o) Jₖ` entrywise, and `M = LLᵀ + εI`. For a velocity v, with `y = Lᵀv` and
/// `aₖ = (∂L/∂qᵏ)ᵀv`, the forward pass gives
///
///     M,    uₖ = (∂M/∂qᵏ) v = (∂L/∂qᵏ) y + L aₖ,
///     Sᵢⱼ = vᵀ (∂²M/∂qⁱ∂qʲ) v = 2 vᵀ(∂²L/∂qⁱ∂qʲ) y + 2 aᵢ·aⱼ,
///
/// where `vᵀ(∂²L/∂qⁱ∂qʲ)y = Σₜ ωₜ (φ″ₜ Jₜᵢ Jₜⱼ + φ′ₜ ∂²oₜ/∂qⁱ∂qʲ)` with `ωₜ = v_r y_c` for the
/// entry t = (r, c) of L, and `Σₜ ωₜ φ′ₜ ∂²oₜ/∂qⁱ∂qʲ = Σ_h (σ″ ⊙ W₂ᵀ(ω ⊙ φ′))_h W₁ₕᵢ W₁ₕⱼ`.
///
/// The pullback is that of the scalar `Φ = aᵀ M v + ½ Σᵢ dᵢ vᵀ(∂M/∂qⁱ)v = ζ·y + ε a·v + w·y`
/// for cotangents a and d, where `ζ = Lᵀa`, `L_d = Σᵢ dᵢ ∂L/∂qⁱ` (entries `φ′ (Jd)`) and
/// `w = L_dᵀv`: `L̄ = a yᵀ + v ζᵀ + v wᵀ`, `L̄_d = v yᵀ` (lower triangles), then
/// `ōₜ = φ′ₜ L̄ₜ + φ″ₜ (Jd)ₜ (L̄_d)ₜ`, `ēₜ = φ′ₜ (L̄_d)ₜ` for `Jd = W₂(σ′ ⊙ s)`, `s = W₁d`, and
/// through the network, with `ρ = W₂ᵀē`,
///
///     W̄₂ += ō σᵀ + ē (σ′ ⊙ s)ᵀ,  b̄₂ += ō,  z̄ = σ′ ⊙ W₂ᵀō + σ″ ⊙ ρ ⊙ s,
///     W̄₁ += z̄ qᵀ + (ρ ⊙ σ′) dᵀ,  b̄₁ += z̄,  q̄ = W₁ᵀ z̄,
///
/// and `v̄ = ∂Φ/∂v = L(ζ + w) + εa + L_d y`.
///
/// `storage` holds the parameters in ``ConfigurationMassMatrix/parameters`` order except that
/// W₁ is transposed (row k is column k of W₁), so that every loop over the hidden units runs
/// over contiguous numbers; a gradient accumulated in this layout is converted by
/// ``addGradient(_:to:)``.
struct ConfigurationMassNetwork: Sendable {
  /// n, the hidden width, the n(n+1)/2 outputs.
  let dimension: Int
  let width: Int
  let outputs: Int
  let activation: Activation
  let epsilon: Double
  /// W₁ᵀ (n × width), b₁, W₂ (outputs × width), b₂.
  let storage: [Double]

  init(_ mass: ConfigurationMassMatrix) {
    dimension = mass.dimension
    width = mass.width
    outputs = dimension * (dimension + 1) / 2
    activation = mass.activation
    epsilon = mass.epsilon
    var storage = mass.parameters
    for h in 0..<width {
      for k in 0..<dimension { storage[k * width + h] = mass.parameters[h * dimension + k] }
    }
    self.storage = storage
  }

  /// Offsets in ``storage`` (and in a gradient in the same layout).
  var firstBias: Int { dimension * width }
  var outputWeights: Int { (dimension + 1) * width }
  var outputBias: Int { (dimension + 1) * width + outputs * width }

  /// The index of entry (i, j), j ≤ i, of L among the outputs.
  @inline(__always)
  func outputIndex(_ i: Int, _ j: Int) -> Int {
    j == i ? i : dimension + i * (i - 1) / 2 + j
  }

  /// Adds a gradient in the layout of ``storage`` to one in ``ConfigurationMassMatrix``'s.
  func addGradient(_ gradient: UnsafePointer<Double>, to parameters: inout [Double]) {
    let n = dimension
    for h in 0..<width {
      for k in 0..<n { parameters[h * n + k] += gradient[k * width + h] }
    }
    for i in firstBias..<storage.count { parameters[i] += gradient[i] }
  }

  // MARK: - One point

  /// The numbers of scratch memory that one point's passes use.
  var scratchCount: Int {
    let n = dimension
    return (8 + n) * width + (6 + n) * outputs + n * n * n + 2 * n * n + 3 * n
  }

  /// One point's intermediate values, in a scratch buffer of ``scratchCount`` numbers.
  struct Values {
    /// σ, σ′, σ″ of the hidden layer, five work vectors (width numbers each) and n more
    /// (`columns`, n × width).
    let hidden, slope, curvature, work1, work2, work3, work4, work5,
      columns: UnsafeMutablePointer<Double>
    /// o, φ′(o), φ″(o), Jd, ō, ē (outputs numbers each) and J = ∂o/∂q (outputs × n).
    let outputs, outputSlope, outputCurvature, directional, outputBar, directionalBar,
      jacobian: UnsafeMutablePointer<Double>
    /// L and ∂L/∂qᵏ (block k) or L_d, row-major n×n with zero upper triangles.
    let factor, factorDerivatives: UnsafeMutablePointer<Double>
    /// y, ζ, w (n each) and the aₖ (row k of an n×n block).
    let y, zeta, w, projections: UnsafeMutablePointer<Double>

    init(_ base: UnsafeMutablePointer<Double>, _ network: ConfigurationMassNetwork) {
      let (n, width, m) = (network.dimension, network.width, network.outputs)
      hidden = base
      slope = hidden + width
      curvature = slope + width
      work1 = curvature + width
      work2 = work1 + width
      work3 = work2 + width
      work4 = work3 + width
      work5 = work4 + width
      columns = work5 + width
      outputs = columns + n * width
      outputSlope = outputs + m
      outputCurvature = outputSlope + m
      directional = outputCurvature + m
      outputBar = directional + m
      directionalBar = outputBar + m
      jacobian = directionalBar + m
      factor = jacobian + m * n
      factorDerivatives = factor + n * n
      y = factorDerivatives + n * n * n
      zeta = y + n
      w = zeta + n
      projections = w + n
    }
  }

  /// The hidden layer at q (σ, σ′, σ″), the outputs o and the factor L with φ′(o) and φ″(o).
  private func hiddenLayerAndFactor(
    _ p: UnsafePointer<Double>, at q: UnsafePointer<Double>, _ values: Values
  ) {
    let (n, width) = (dimension, width)
    let (hidden, slope, curvature) = (values.hidden, values.slope, values.curvature)
    switch activation {
    case .tanh:
      vinkit_tanh_layer(
        Int32(n), Int32(width), p, p + firstBias, q, hidden, slope, curvature)
    case .softplus:
      hidden.update(from: p + firstBias, count: width)
      for k in 0..<n { DenseKernels.axpy(q[k], p + k * width, hidden, width) }
      activation.apply(hidden, first: slope, count: width)
      activation.secondDerivatives(value: hidden, first: slope, into: curvature, count: width)
    }
    for t in 0..<outputs {
      values.outputs[t] =
        p[outputBias + t] + DenseKernels.dot(p + outputWeights + t * width, hidden, width)
    }
    values.factor.update(repeating: 0, count: n * n)
    for i in 0..<n {
      for j in 0...i {
        let t = outputIndex(i, j)
        let o = values.outputs[t]
        if i == j {
          let s = Activation.logistic(o)
          values.factor[i * n + i] = Activation.softplus(o)
          values.outputSlope[t] = s
          values.outputCurvature[t] = s * (1 - s)
        } else {
          values.factor[i * n + j] = o
          values.outputSlope[t] = 1
          values.outputCurvature[t] = 0
        }
      }
    }
  }

  /// J = ∂o/∂q (outputs × n) and `∂L/∂qᵏ = φ′(o) Jₖ` after ``hiddenLayerAndFactor(_:at:_:)``.
  private func factorDerivatives(_ p: UnsafePointer<Double>, _ values: Values) {
    let (n, width) = (dimension, width)
    for k in 0..<n {
      let column = values.columns + k * width
      let (slope, weights) = (values.slope, p + k * width)
      for h in 0..<width { column[h] = slope[h] * weights[h] }
    }
    for t in 0..<outputs {
      for k in 0..<n {
        values.jacobian[t * n + k] = DenseKernels.dot(
          p + outputWeights + t * width, values.columns + k * width, width)
      }
    }
    values.factorDerivatives.update(repeating: 0, count: n * n * n)
    for i in 0..<n {
      for j in 0...i {
        let t = outputIndex(i, j)
        for k in 0..<n {
          values.factorDerivatives[k * n * n + i * n + j] =
            values.outputSlope[t] * values.jacobian[t * n + k]
        }
      }
    }
  }

  /// `M = LLᵀ + εI` from the factor.
  private func massMatrix(_ values: Values, into mass: UnsafeMutablePointer<Double>) {
    let n = dimension
    let l = values.factor
    for i in 0..<n {
      for j in 0..<n {
        var sum = i == j ? epsilon : 0
        for r in 0...min(i, j) { sum += l[i * n + r] * l[j * n + r] }
        mass[i * n + j] = sum
      }
    }
  }

  /// `xᵀA` for the n×n lower-triangular `a`: `(Aᵀx)_c = Σ_{r ≥ c} A_rc x_r`.
  @inline(__always)
  private func transposedProduct(
    _ a: UnsafePointer<Double>, _ x: UnsafePointer<Double>, into y: UnsafeMutablePointer<Double>
  ) {
    let n = dimension
    for c in 0..<n {
      var sum = 0.0
      for r in c..<n { sum += a[r * n + c] * x[r] }
      y[c] = sum
    }
  }

  /// `A x` for the n×n lower-triangular `a`, added to `y`.
  @inline(__always)
  private func addProduct(
    _ a: UnsafePointer<Double>, _ x: UnsafePointer<Double>, to y: UnsafeMutablePointer<Double>
  ) {
    let n = dimension
    for r in 0..<n {
      var sum = 0.0
      for c in 0...r { sum += a[r * n + c] * x[c] }
      y[r] += sum
    }
  }

  /// M, `uₖ = (∂M/∂qᵏ)v` (row k of `derivativeProducts`) and, unless `velocityCurvature` is
  /// nil, `Sᵢⱼ = vᵀ(∂²M/∂qⁱ∂qʲ)v`, at one point.
  private func evaluate(
    _ p: UnsafePointer<Double>, at q: UnsafePointer<Double>, velocity v: UnsafePointer<Double>,
    _ values: Values, mass: UnsafeMutablePointer<Double>,
    derivativeProducts: UnsafeMutablePointer<Double>,
    velocityCurvature: UnsafeMutablePointer<Double>?
  ) {
    let (n, width) = (dimension, width)
    hiddenLayerAndFactor(p, at: q, values)
    factorDerivatives(p, values)
    massMatrix(values, into: mass)
    let l = values.factor
    let y = values.y
    transposedProduct(l, v, into: y)
    for k in 0..<n {
      let dl = values.factorDerivatives + k * n * n
      let a = values.projections + k * n
      transposedProduct(dl, v, into: a)
      let u = derivativeProducts + k * n
      u.update(repeating: 0, count: n)
      addProduct(dl, y, to: u)
      addProduct(l, a, to: u)
    }
    guard let curvature = velocityCurvature else { return }
    // u = σ″ ⊙ W₂ᵀ(ω ⊙ φ′), then columns i = u ⊙ W₁ᵀ[i].
    let u = values.work1
    u.update(repeating: 0, count: width)
    for i in 0..<n {
      for j in 0...i {
        let t = outputIndex(i, j)
        let weight = v[i] * y[j] * values.outputSlope[t]
        DenseKernels.axpy(weight, p + outputWeights + t * width, u, width)
      }
    }
    for h in 0..<width { u[h] *= values.curvature[h] }
    for i in 0..<n {
      let column = values.columns + i * width
      let weights = p + i * width
      for h in 0..<width { column[h] = u[h] * weights[h] }
    }
    for i in 0..<n {
      for j in i..<n {
        var second = DenseKernels.dot(values.columns + i * width, p + j * width, width)
        var projections = 0.0
        for c in 0..<n {
          let t = c  // the diagonal entry (c, c): the only outputs with φ″ ≠ 0
          second +=
            v[c] * y[c] * values.outputCurvature[t] * values.jacobian[t * n + i]
            * values.jacobian[t * n + j]
          projections += values.projections[i * n + c] * values.projections[j * n + c]
        }
        let entry = 2 * second + 2 * projections
        curvature[i * n + j] = entry
        curvature[j * n + i] = entry
      }
    }
  }

  /// Adds `∂Φ/∂θ` to `gradient` (the layout of ``storage``) and writes `∂Φ/∂q` to `qBar` and
  /// `∂Φ/∂v` to `vBar`, for `Φ = aᵀMv + ½ Σᵢ dᵢ vᵀ(∂M/∂qⁱ)v` at one point.
  private func accumulatePullback(
    _ p: UnsafePointer<Double>, at q: UnsafePointer<Double>, velocity v: UnsafePointer<Double>,
    massCotangent a: UnsafePointer<Double>, derivativeCotangent d: UnsafePointer<Double>,
    _ values: Values, gradient: UnsafeMutablePointer<Double>,
    qBar: UnsafeMutablePointer<Double>, vBar: UnsafeMutablePointer<Double>
  ) {
    let (n, width) = (dimension, width)
    hiddenLayerAndFactor(p, at: q, values)
    let (sigma, slope, curvature) = (values.hidden, values.slope, values.curvature)
    // s = W₁d, σ′ ⊙ s, Jd = W₂(σ′ ⊙ s), L_d = φ′(o) Jd.
    let (s, slopeS) = (values.work1, values.work2)
    s.update(repeating: 0, count: width)
    for k in 0..<n { DenseKernels.axpy(d[k], p + k * width, s, width) }
    for h in 0..<width { slopeS[h] = slope[h] * s[h] }
    let jd = values.directional
    for t in 0..<outputs {
      jd[t] = DenseKernels.dot(p + outputWeights + t * width, slopeS, width)
    }
    let (l, ld) = (values.factor, values.factorDerivatives)
    ld.update(repeating: 0, count: n * n)
    for i in 0..<n {
      for j in 0...i {
        let t = outputIndex(i, j)
        ld[i * n + j] = values.outputSlope[t] * jd[t]
      }
    }
    let (y, zeta, w) = (values.y, values.zeta, values.w)
    transposedProduct(l, v, into: y)
    transposedProduct(l, a, into: zeta)
    transposedProduct(ld, v, into: w)
    // v̄ = L(ζ + w) + εa + L_d y (`qBar` holds ζ + w for the moment).
    for i in 0..<n {
      qBar[i] = zeta[i] + w[i]
      vBar[i] = epsilon * a[i]
    }
    addProduct(l, qBar, to: vBar)
    addProduct(ld, y, to: vBar)
    // ō = φ′ L̄ + φ″ Jd L̄_d and ē = φ′ L̄_d, with L̄ = a yᵀ + v ζᵀ + v wᵀ and L̄_d = v yᵀ.
    let (outputBar, jdBar) = (values.outputBar, values.directionalBar)
    for i in 0..<n {
      for j in 0...i {
        let t = outputIndex(i, j)
        let factorBar = a[i] * y[j] + v[i] * zeta[j] + v[i] * w[j]
        let derivativeBar = v[i] * y[j]
        outputBar[t] =
          values.outputSlope[t] * factorBar + values.outputCurvature[t] * jd[t] * derivativeBar
        jdBar[t] = values.outputSlope[t] * derivativeBar
      }
    }
    // σ̄ = W₂ᵀō, ρ = W₂ᵀē; W̄₂ += ō σᵀ + ē (σ′ ⊙ s)ᵀ, b̄₂ += ō.
    let (sigmaBar, rho, zBar) = (values.work3, values.work4, values.work5)
    sigmaBar.update(repeating: 0, count: width)
    rho.update(repeating: 0, count: width)
    for t in 0..<outputs {
      let weights = p + outputWeights + t * width
      DenseKernels.axpy(outputBar[t], weights, sigmaBar, width)
      DenseKernels.axpy(jdBar[t], weights, rho, width)
      let weightsBar = gradient + outputWeights + t * width
      DenseKernels.axpy(outputBar[t], sigma, weightsBar, width)
      DenseKernels.axpy(jdBar[t], slopeS, weightsBar, width)
      gradient[outputBias + t] += outputBar[t]
    }
    // z̄ = σ′ ⊙ σ̄ + σ″ ⊙ ρ ⊙ s; s̄ = ρ ⊙ σ′ (into ρ's place); W̄₁ += z̄ qᵀ + s̄ dᵀ, b̄₁ += z̄.
    for h in 0..<width {
      zBar[h] = slope[h] * sigmaBar[h] + curvature[h] * rho[h] * s[h]
      rho[h] *= slope[h]
    }
    DenseKernels.axpy(1, zBar, gradient + firstBias, width)
    for k in 0..<n {
      let columnBar = gradient + k * width
      DenseKernels.axpy(q[k], zBar, columnBar, width)
      DenseKernels.axpy(d[k], rho, columnBar, width)
      qBar[k] = DenseKernels.dot(p + k * width, zBar, width)
    }
  }

  // MARK: - Batches and single points

  /// M, `uₖ = (∂M/∂qᵏ)v` and, unless `velocityCurvature` is nil, `Sᵢⱼ = vᵀ(∂²M/∂qⁱ∂qʲ)v` at the
  /// `batch` points `points` with velocities `velocities` (batch·n numbers each): batch·n²
  /// numbers to each output (row k of a point's n×n block of `derivativeProducts` is `uₖ`).
  /// `scratch` holds ``scratchCount`` numbers.
  func evaluate(
    at points: UnsafePointer<Double>, velocities: UnsafePointer<Double>, batch: Int,
    mass: UnsafeMutablePointer<Double>, derivativeProducts: UnsafeMutablePointer<Double>,
    velocityCurvature: UnsafeMutablePointer<Double>?, scratch: UnsafeMutablePointer<Double>
  ) {
    let (n, block) = (dimension, dimension * dimension)
    let values = Values(scratch, self)
    storage.withUnsafeBufferPointer { pb in
      guard let p = pb.baseAddress else { return }
      for b in 0..<batch {
        evaluate(
          p, at: points + b * n, velocity: velocities + b * n, values, mass: mass + b * block,
          derivativeProducts: derivativeProducts + b * block,
          velocityCurvature: velocityCurvature.map { $0 + b * block })
      }
    }
  }

  /// The pullback of `Φ_b = a_bᵀM(q_b)v_b + ½ Σᵢ d_bᵢ v_bᵀ(∂M/∂qⁱ)(q_b)v_b` at the `batch` points:
  /// adds `Σ_b ∂Φ_b/∂θ` to `gradient` (the layout of ``storage``) and writes `∂Φ_b/∂q_b` to
  /// `pointCotangents` and `∂Φ_b/∂v_b` to `velocityCotangents` (batch·n numbers each).
  /// `scratch` holds ``scratchCount`` numbers.
  func accumulatePullback(
    at points: UnsafePointer<Double>, velocities: UnsafePointer<Double>,
    massCotangents: UnsafePointer<Double>, derivativeCotangents: UnsafePointer<Double>,
    batch: Int, into gradient: UnsafeMutablePointer<Double>,
    pointCotangents: UnsafeMutablePointer<Double>,
    velocityCotangents: UnsafeMutablePointer<Double>, scratch: UnsafeMutablePointer<Double>
  ) {
    let n = dimension
    let values = Values(scratch, self)
    storage.withUnsafeBufferPointer { pb in
      guard let p = pb.baseAddress else { return }
      for b in 0..<batch {
        let o = b * n
        accumulatePullback(
          p, at: points + o, velocity: velocities + o, massCotangent: massCotangents + o,
          derivativeCotangent: derivativeCotangents + o, values, gradient: gradient,
          qBar: pointCotangents + o, vBar: velocityCotangents + o)
      }
    }
  }

  /// `M(q)` (n² numbers) and `∂M/∂qᵏ = (∂L/∂qᵏ)Lᵀ + L(∂L/∂qᵏ)ᵀ` (block k of n³ numbers),
  /// row-major.
  func matrices(at q: [Double]) -> (mass: [Double], derivatives: [Double]) {
    let n = dimension
    let block = n * n
    // q, M, the ∂M/∂qᵏ, then the scratch.
    var buffer = [Double](repeating: 0, count: n + block + n * block + scratchCount)
    for i in 0..<n { buffer[i] = q[i] }
    storage.withUnsafeBufferPointer { pb in
      buffer.withUnsafeMutableBufferPointer { bb in
        guard let p = pb.baseAddress, let base = bb.baseAddress else { return }
        let (mass, derivatives) = (base + n, base + n + block)
        let values = Values(derivatives + n * block, self)
        hiddenLayerAndFactor(p, at: base, values)
        factorDerivatives(p, values)
        massMatrix(values, into: mass)
        let l = values.factor
        for k in 0..<n {
          let dl = values.factorDerivatives + k * block
          for i in 0..<n {
            for j in 0..<n {
              var sum = 0.0
              for r in 0..<n { sum += dl[i * n + r] * l[j * n + r] + l[i * n + r] * dl[j * n + r] }
              derivatives[k * block + i * n + j] = sum
            }
          }
        }
      }
    }
    return (Array(buffer[n..<(n + block)]), Array(buffer[(n + block)..<(n + block + n * block)]))
  }

  /// `∂M/∂qᵏ` at q.
  func derivative(at q: [Double], coordinate k: Int) -> Matrix {
    let block = dimension * dimension
    return Matrix.symmetric(
      dimension, Array(matrices(at: q).derivatives[(k * block)..<((k + 1) * block)]))
  }
}
