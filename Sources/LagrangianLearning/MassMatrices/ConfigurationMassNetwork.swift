import DiscreteMechanics

extension ConfigurationMassMatrix {
  /// `M(q)` and `∂M/∂qᵏ` at one point with the network's intermediate values, and the
  /// hand-written pullback of `(θ, q) ↦ (M(q), ∂M/∂q¹ … ∂M/∂qⁿ)` that the gradient of VIN-mq's
  /// Legendre transforms needs (the mass parameters' part of mixed second derivatives).
  ///
  /// Forward, with `z = W₁q + b₁`, `o = W₂σ(z) + b₂`, `J = ∂o/∂q = W₂ diag(σ′(z)) W₁`:
  ///
  ///     Lᵢᵢ = softplus(oᵢ),  (∂Lᵢᵢ/∂qᵏ) = logistic(oᵢ) Jᵢₖ,   L and ∂L/∂qᵏ strictly lower
  ///     from the remaining outputs,
  ///     M = LLᵀ + εI,   Dₖ = ∂M/∂qᵏ = (∂L/∂qᵏ)Lᵀ + L(∂L/∂qᵏ)ᵀ.
  ///
  /// Backward, for cotangents M̄ and D̄ₖ: `L̄ = (M̄ + M̄ᵀ)L + Σₖ (D̄ₖ + D̄ₖᵀ)(∂L/∂qᵏ)`,
  /// `(∂L/∂qᵏ)̄ = (D̄ₖ + D̄ₖᵀ)L` (lower triangles), then through the softplus diagonal
  /// (`logistic′ = logistic (1 − logistic)`) to ō and J̄, and through the network:
  /// `W̄₂ += ō σᵀ + J̄ (diag σ′ W₁)ᵀ`, `b̄₂ += ō`, `W̄₁ += diag(σ′) W₂ᵀJ̄ + z̄ qᵀ`, `b̄₁ += z̄`,
  /// `q̄ = W₁ᵀ z̄` with `z̄ᵣ = σ′ᵣ (W₂ᵀō)ᵣ + σ″ᵣ Σₘₖ J̄ₘₖ W₂ₘᵣ W₁ᵣₖ`.
  struct Evaluation {
    let point: [Double]
    /// `σ(z)`, `σ′(z)`, `σ″(z)` (width entries each).
    let hidden: [Double]
    let slope: [Double]
    let curvature: [Double]
    /// The outputs o and their Jacobian J (row-major, n(n+1)/2 × n).
    let outputs: [Double]
    let jacobian: [Double]
    /// L and `∂L/∂qᵏ` (block k), row-major n×n.
    let factor: [Double]
    let factorDerivatives: [[Double]]
    /// `M(q)` and `∂M/∂qᵏ` (block k), row-major n×n.
    let mass: [Double]
    let massDerivatives: [[Double]]
  }

  /// The row-major index of output `(i, j)`, j ≤ i, of the factor L.
  @inline(__always)
  func outputIndex(_ i: Int, _ j: Int) -> Int {
    j == i ? i : dimension + i * (i - 1) / 2 + j
  }

  /// The evaluation at q.
  func evaluation(at q: [Double]) -> Evaluation {
    let n = dimension
    let m = n * (n + 1) / 2
    let w2 = width * (n + 1)
    let b2 = w2 + m * width
    var hidden = Array(repeating: 0.0, count: width)
    var slope = hidden
    var curvature = hidden
    for r in 0..<width {
      var z = parameters[width * n + r]
      for k in 0..<n { z += parameters[r * n + k] * q[k] }
      (hidden[r], slope[r], curvature[r]) = activation.evaluate(z)
    }
    var outputs = Array(repeating: 0.0, count: m)
    var jacobian = Array(repeating: 0.0, count: m * n)
    for i in 0..<m {
      var o = parameters[b2 + i]
      for r in 0..<width {
        let w = parameters[w2 + i * width + r]
        o += w * hidden[r]
        for k in 0..<n { jacobian[i * n + k] += w * slope[r] * parameters[r * n + k] }
      }
      outputs[i] = o
    }
    var factor = Array(repeating: 0.0, count: n * n)
    var factorDerivatives = Array(repeating: Array(repeating: 0.0, count: n * n), count: n)
    for i in 0..<n {
      for j in 0...i {
        let index = outputIndex(i, j)
        let diagonal = i == j
        factor[i * n + j] = diagonal ? Activation.softplus(outputs[index]) : outputs[index]
        let scale = diagonal ? Activation.logistic(outputs[index]) : 1
        for k in 0..<n { factorDerivatives[k][i * n + j] = scale * jacobian[index * n + k] }
      }
    }
    var mass = Array(repeating: 0.0, count: n * n)
    for i in 0..<n {
      for j in 0..<n {
        var sum = i == j ? epsilon : 0
        for r in 0...min(i, j) { sum += factor[i * n + r] * factor[j * n + r] }
        mass[i * n + j] = sum
      }
    }
    let massDerivatives = factorDerivatives.map { dl in
      var d = Array(repeating: 0.0, count: n * n)
      for i in 0..<n {
        for j in 0..<n {
          var sum = 0.0
          for r in 0..<n {
            sum += dl[i * n + r] * factor[j * n + r] + factor[i * n + r] * dl[j * n + r]
          }
          d[i * n + j] = sum
        }
      }
      return d
    }
    return Evaluation(
      point: q, hidden: hidden, slope: slope, curvature: curvature, outputs: outputs,
      jacobian: jacobian, factor: factor, factorDerivatives: factorDerivatives, mass: mass,
      massDerivatives: massDerivatives)
  }

  /// Adds `∂/∂θ ⟨(M̄, D̄), (M, D)⟩` at the evaluation's point to `parameterBar` and returns
  /// `∂/∂q` of the same: the pullback for the cotangents `massBar` (n×n) and
  /// `derivativeBars[k]` (n×n, of `∂M/∂qᵏ`).
  func pullback(
    _ e: Evaluation, massBar: [Double], derivativeBars: [[Double]],
    into parameterBar: inout [Double]
  ) -> [Double] {
    let n = dimension
    let m = n * (n + 1) / 2
    let w2 = width * (n + 1)
    let b2 = w2 + m * width
    let q = e.point
    // Symmetrised cotangents S = M̄ + M̄ᵀ and Sₖ = D̄ₖ + D̄ₖᵀ.
    func symmetrised(_ a: [Double]) -> [Double] {
      var s = a
      for i in 0..<n {
        for j in 0..<n { s[i * n + j] = a[i * n + j] + a[j * n + i] }
      }
      return s
    }
    func product(_ a: [Double], _ b: [Double]) -> [Double] {
      var c = Array(repeating: 0.0, count: n * n)
      for i in 0..<n {
        for r in 0..<n where a[i * n + r] != 0 {
          for j in 0..<n { c[i * n + j] += a[i * n + r] * b[r * n + j] }
        }
      }
      return c
    }
    var factorBar = product(symmetrised(massBar), e.factor)
    var derivativeFactorBars: [[Double]] = []
    for k in 0..<n {
      let s = symmetrised(derivativeBars[k])
      let lBar = product(s, e.factorDerivatives[k])
      for i in 0..<(n * n) { factorBar[i] += lBar[i] }
      derivativeFactorBars.append(product(s, e.factor))
    }
    // Through L(o) and ∂L/∂q = (diag-scaled) J to ō and J̄.
    var outputBar = Array(repeating: 0.0, count: m)
    var jacobianBar = Array(repeating: 0.0, count: m * n)
    for i in 0..<n {
      for j in 0...i {
        let index = outputIndex(i, j)
        if i == j {
          let s = Activation.logistic(e.outputs[index])
          var scaleBar = 0.0
          for k in 0..<n {
            let bar = derivativeFactorBars[k][i * n + i]
            jacobianBar[index * n + k] += s * bar
            scaleBar += bar * e.jacobian[index * n + k]
          }
          outputBar[index] += factorBar[i * n + i] * s + scaleBar * s * (1 - s)
        } else {
          outputBar[index] += factorBar[i * n + j]
          for k in 0..<n { jacobianBar[index * n + k] += derivativeFactorBars[k][i * n + j] }
        }
      }
    }
    // Through o = W₂σ(z) + b₂ and J = W₂ diag(σ′) W₁.
    var zBar = Array(repeating: 0.0, count: width)
    for r in 0..<width {
      var hiddenBar = 0.0
      var slopeBar = 0.0
      for i in 0..<m {
        let w = parameters[w2 + i * width + r]
        hiddenBar += w * outputBar[i]
        var through = 0.0  // Σₖ J̄ᵢₖ W₁ᵣₖ
        for k in 0..<n { through += jacobianBar[i * n + k] * parameters[r * n + k] }
        parameterBar[w2 + i * width + r] += outputBar[i] * e.hidden[r] + e.slope[r] * through
        slopeBar += w * through
        for k in 0..<n {
          parameterBar[r * n + k] += e.slope[r] * w * jacobianBar[i * n + k]
        }
      }
      zBar[r] = e.slope[r] * hiddenBar + e.curvature[r] * slopeBar
    }
    for i in 0..<m { parameterBar[b2 + i] += outputBar[i] }
    var qBar = Array(repeating: 0.0, count: n)
    for r in 0..<width {
      parameterBar[width * n + r] += zBar[r]
      for k in 0..<n {
        parameterBar[r * n + k] += zBar[r] * q[k]
        qBar[k] += parameters[r * n + k] * zBar[r]
      }
    }
    return qBar
  }
}
