import RealModule

/// The batched forward pass and adjoint of ``VINSO2``: B windows stepped together by the Lie
/// group variational integrator on SO(2) for the learned rotor `L = ½ J θ̇² − U_θ(θ)`. From two
/// angles `(θ₀, θ₁)`, `π₁ = (J/h) sin(θ₁ − θ₀) − (h/2)U′(θ₁)` (the discrete Legendre transform
/// `D₂L_d(θ₀, θ₁)`), then for k = 1…K−1
///
///     s_k = (h/J)(π_k − (h/2)U′(θ_k)),  θ_{k+1} = θ_k + asin(s_k),
///     π_{k+1} = π_k − (h/2)(U′(θ_k) + U′(θ_{k+1})),
///
/// the arithmetic of DiscreteMechanics' `SO2LGVI` on the learned rotor (tests compare the two),
/// with `U′` evaluated for all windows in one call per step
/// (``LearnablePotential/gradients(at:batch:into:workspace:)``).
///
/// A window whose step fails as `SO2LGVI`'s would (`s_k` not finite or `|s_k| > 1`, or `θ_{k+1}`
/// or `π_{k+1}` not finite; from its start when `θ₀`, `θ₁` or J are not finite or J ≤ 0) is NaN
/// from that step on, so the rollout's loss is NaN and the trainer stops and says so. From its
/// failing step on it is stepped at the stand-in angle 0, so that every batched evaluation of
/// the potential stays finite; its adjoint gives its start a NaN cotangent and the parameters
/// nothing.
///
/// **The adjoint.** Eliminating the momentum gives the two-step recursion
/// `s_k = s_{k−1} − c U′(θ_k)`, `c = h²/J`, `s₀ = sin(θ₁ − θ₀)`. Its adjoint, all windows
/// together, for k = K−1…1:
///
///     s̄ += θ̄_{k+1}/cos Δ_k,  θ̄_k += θ̄_{k+1} + U″(θ_k)(−c s̄),  c̄ −= s̄ U′(θ_k)
///
/// (`Δ_k = θ_{k+1} − θ_k`, `d asin(s)/ds = 1/cos Δ_k`; `U″ ḡ` and the parameters' part from
/// ``LearnablePotential/accumulateGradientPullback(at:batch:cotangent:into:tangent:workspace:)``,
/// one batched call per step), and finally `θ̄₁ += cos Δ₀ s̄`, `θ̄₀ −= cos Δ₀ s̄`.
///
/// Angles, momenta and `U′(θ_k)` live in a ``RolloutWorkspace``, step-major (window b of step k
/// at `k B + b`), and the adjoint reads them back from there; nothing is allocated per step.
struct SO2Rollout<Potential: LearnablePotential> {
  let potential: Potential
  /// The moment of inertia J.
  let inertia: Double
  let stepSize: Double
  /// The number B of windows.
  let batch: Int
  /// The number of steps K.
  let steps: Int
  let workspace: RolloutWorkspace
  /// `θ_k`, `π_k` and `U′(θ_k)`, k = 0…K (`π₀`, `U′(θ₀)` unused).
  let angles: UnsafeMutablePointer<Double>
  let momenta: UnsafeMutablePointer<Double>
  let gradients: UnsafeMutablePointer<Double>
  /// For each window, the first step whose angle was not produced (K + 1 when every one was).
  private(set) var failures: [Int]

  init(
    potential: Potential, inertia: Double, stepSize: Double, batch: Int, steps: Int,
    workspace: RolloutWorkspace
  ) {
    self.potential = potential
    self.inertia = inertia
    self.stepSize = stepSize
    self.batch = batch
    self.steps = steps
    self.workspace = workspace
    let count = (steps + 1) * batch
    angles = workspace.buffer(.positions, count: count)
    momenta = workspace.buffer(.momenta, count: count)
    gradients = workspace.buffer(.gradients, count: count)
    failures = Array(repeating: steps + 1, count: batch)
  }

  /// Where step k's B numbers start in ``angles``, ``momenta`` and ``gradients``.
  func offset(_ k: Int) -> Int { k * batch }

  /// Writes `(θ₀, θ₁)` of every window (B pairs in `initial`) and runs the K steps.
  mutating func run(from initial: [Double]) {
    for b in 0..<batch {
      angles[b] = initial[2 * b]
      if steps >= 1 { angles[offset(1) + b] = initial[2 * b + 1] }
    }
    guard steps >= 2 else { return }
    let h = stepSize
    let half = 0.5 * h
    let scale = h / inertia
    // A window that cannot start (`SO2LGVI` would not take its first step) fails at step 2.
    let validInertia = inertia.isFinite && inertia > 0
    for b in 0..<batch
    where !(validInertia && angles[b].isFinite && angles[offset(1) + b].isFinite) {
      failures[b] = 2
      angles[b] = 0
      angles[offset(1) + b] = 0
    }
    let g1 = gradients + offset(1)
    potential.gradients(at: angles + offset(1), batch: batch, into: g1, workspace: workspace)
    for b in 0..<batch {
      momenta[offset(1) + b] =
        hasFailed(b)
        ? 0 : inertia / h * Double.sin(angles[offset(1) + b] - angles[b]) - half * g1[b]
    }
    for k in 1..<steps {
      let (theta, p, g) = (angles + offset(k), momenta + offset(k), gradients + offset(k))
      let (thetaNext, pNext, gNext) = (
        angles + offset(k + 1), momenta + offset(k + 1), gradients + offset(k + 1)
      )
      for b in 0..<batch {
        thetaNext[b] = 0
        guard !hasFailed(b) else { continue }
        let sine = scale * (p[b] - half * g[b])
        let angle = theta[b] + Double.asin(sine)
        if sine.isFinite, sine.magnitude <= 1, angle.isFinite {
          thetaNext[b] = angle
        } else {
          failures[b] = k + 1
        }
      }
      potential.gradients(at: thetaNext, batch: batch, into: gNext, workspace: workspace)
      for b in 0..<batch {
        pNext[b] = 0
        guard !hasFailed(b) else { continue }
        let momentum = p[b] - half * (g[b] + gNext[b])
        if momentum.isFinite {
          pNext[b] = momentum
        } else {
          failures[b] = k + 1
          thetaNext[b] = 0
        }
      }
    }
  }

  /// Whether window b has failed.
  func hasFailed(_ b: Int) -> Bool { failures[b] <= steps }

  /// The window-major output `θ_k`, k = 0…K, the given start at k = 0 and 1, NaN from a failed
  /// window's failing step on.
  func output(from initial: [Double]) -> [Double] {
    var output = [Double](repeating: .nan, count: batch * (steps + 1))
    for b in 0..<batch {
      let row = b * (steps + 1)
      output[row] = initial[2 * b]
      if steps >= 1 { output[row + 1] = initial[2 * b + 1] }
      for k in 2..<max(2, min(failures[b], steps + 1)) { output[row + k] = angles[offset(k) + b] }
    }
    return output
  }

  /// The adjoint of the rollout for the window-major output cotangent `bar`: the potential's
  /// cotangent, `c̄` for `c = h²/J`, and the cotangent of the initial states `(θ₀, θ₁)` (NaN for
  /// a window that failed).
  func adjoint(_ bar: [Double]) -> (Potential.TangentVector, cBar: Double, initialBar: [Double]) {
    let c = stepSize * stepSize / inertia
    let adjoints = workspace.buffer(.adjoints, count: 5 * batch)
    var (upper, lower) = (adjoints, adjoints + batch)  // θ̄_{k+1}, θ̄_k
    let (sBar, gBar, product) = (adjoints + 2 * batch, adjoints + 3 * batch, adjoints + 4 * batch)
    let rows = steps + 1
    // A failed window's states are not a trajectory: it contributes nothing (zero cotangents
    // at finite stand-in angles).
    var observed = bar
    for b in 0..<batch where hasFailed(b) {
      for k in 0...steps {
        angles[offset(k) + b] = 0
        observed[b * rows + k] = 0
      }
    }
    var potentialBar = Potential.TangentVector.zero
    var cBar = 0.0
    sBar.update(repeating: 0, count: batch)
    for b in 0..<batch { upper[b] = observed[b * rows + steps] }
    if steps >= 2 {
      for k in stride(from: steps - 1, through: 1, by: -1) {
        let (theta, thetaNext, g) = (
          angles + offset(k), angles + offset(k + 1), gradients + offset(k)
        )
        for b in 0..<batch {
          lower[b] = observed[b * rows + k] + upper[b]
          guard !hasFailed(b) else {
            gBar[b] = 0
            continue
          }
          sBar[b] += upper[b] / Double.cos(thetaNext[b] - theta[b])
          cBar -= sBar[b] * g[b]
          gBar[b] = -c * sBar[b]
        }
        potential.accumulateGradientPullback(
          at: theta, batch: batch, cotangent: gBar, into: product, tangent: &potentialBar,
          workspace: workspace)
        for b in 0..<batch { lower[b] += product[b] }
        swap(&upper, &lower)
      }
    }
    var initialBar = [Double](repeating: 0, count: 2 * batch)
    for b in 0..<batch {
      guard !hasFailed(b) else {
        initialBar[2 * b] = .nan
        initialBar[2 * b + 1] = .nan
        continue
      }
      guard steps >= 1 else {
        initialBar[2 * b] = upper[b]
        continue
      }
      let cosine = Double.cos(angles[offset(1) + b] - angles[b])
      initialBar[2 * b] = observed[b * rows] - cosine * sBar[b]
      initialBar[2 * b + 1] = upper[b] + cosine * sBar[b]
    }
    return (potentialBar, cBar, initialBar)
  }
}
