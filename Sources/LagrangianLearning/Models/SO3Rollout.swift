import DiscreteMechanics
import Manifolds

/// The batched rollout of ``VINSO3`` and its pullback: B windows stepped together by
/// DiscreteMechanics' `SO3LGVI` on the ``LearnedRigidBody``, one integrator per window (each
/// keeps its own Newton predictor), with the potential's moments evaluated for all windows in
/// one call per step
/// (``LearnableRigidBodyPotential/moments(at:batch:into:workspace:)``): each step is the
/// integrator's `advanceAttitude(of:moment:)` for every window, the moments at the new
/// attitudes, then `completeStep(_:nextMoment:)` for every window, the arithmetic of
/// `SO3LGVI.step` (tests compare the two).
///
/// The states live in a ``RolloutWorkspace``, step-major and contiguous: `R_k` (9 numbers,
/// row-major), `Π_k` and `M_k = M(R_k)` (3 each) of window b at `(k B + b)` blocks, and for each
/// step the root f of its implicit equation and `E = F − I` (12 numbers). A window whose step
/// fails (non-finite, or no root) is NaN from that step on, so that training stops on the
/// non-finite loss and says so.
struct SO3Rollout<Potential: LearnableRigidBodyPotential> {
  let body: LearnedRigidBody<Potential>
  let stepSize: Double
  /// The number B of windows.
  let batch: Int
  /// The number of steps K.
  let steps: Int
  let workspace: RolloutWorkspace
  /// `R_k`, `Π_k`, `M_k`, k = 0…K; then `(f_k, E_k)`, k = 0…K−1.
  let attitudes: UnsafeMutablePointer<Double>
  let momenta: UnsafeMutablePointer<Double>
  let moments: UnsafeMutablePointer<Double>
  let increments: UnsafeMutablePointer<Double>

  init(
    body: LearnedRigidBody<Potential>, stepSize: Double, batch: Int, steps: Int,
    workspace: RolloutWorkspace
  ) {
    self.body = body
    self.stepSize = stepSize
    self.batch = batch
    self.steps = steps
    self.workspace = workspace
    let states = (steps + 1) * batch
    attitudes = workspace.buffer(.positions, count: 9 * states)
    momenta = workspace.buffer(.momenta, count: 3 * states)
    moments = workspace.buffer(.gradients, count: 3 * states)
    increments = workspace.buffer(.jacobians, count: 12 * steps * batch)
  }

  /// The index of window b's block at step k.
  func block(_ k: Int, _ b: Int) -> Int { k * batch + b }

  /// `J⁻¹`, NaN when J is singular (a learned J never is: it is `LLᵀ + εI`).
  var inverseInertia: Matrix3 {
    body.inertia.inverse ?? Matrix3(diagonal: Vector3(repeating: .nan))
  }

  /// Runs the K steps from the B initial rows `(R₀, Ω₀)` (12 numbers each) with `Π₀ = JΩ₀`.
  func run(from initial: [Double]) {
    let j = body.inertia
    for b in 0..<batch {
      for i in 0..<9 { attitudes[9 * b + i] = initial[12 * b + i] }
      let w = Vector3(initial[12 * b + 9], initial[12 * b + 10], initial[12 * b + 11])
      store(j * w, at: momenta + 3 * b)
    }
    body.potentialModel.moments(at: attitudes, batch: batch, into: moments, workspace: workspace)
    guard steps > 0 else { return }
    var integrators: [SO3LGVI<LearnedRigidBody<Potential>>?] = Array(
      repeating: try? SO3LGVI(system: body, stepSize: stepSize), count: batch)
    var advances: [SO3LGVIAdvance?] = Array(repeating: nil, count: batch)
    for k in 0..<steps {
      for b in 0..<batch {
        let current = block(k, b)
        let next = block(k + 1, b)
        let state = RigidBodyState(
          attitude: SO3(uncheckedMatrix: Matrix3(attitudes + 9 * current)),
          angularMomentum: vector(momenta + 3 * current))
        advances[b] = try? integrators[b]?.advanceAttitude(
          of: state, moment: vector(moments + 3 * current))
        if let advance = advances[b] {
          advance.attitude.matrix.store(to: attitudes + 9 * next)
          let record = increments + 12 * current
          store(advance.root, at: record)
          advance.increment.store(to: record + 3)
        } else {
          integrators[b] = nil
          for i in 0..<9 { attitudes[9 * next + i] = .nan }
        }
      }
      body.potentialModel.moments(
        at: attitudes + 9 * block(k + 1, 0), batch: batch, into: moments + 3 * block(k + 1, 0),
        workspace: workspace)
      for b in 0..<batch {
        let next = block(k + 1, b)
        if let advance = advances[b],
          let state = try? integrators[b]?.completeStep(
            advance, nextMoment: vector(moments + 3 * next))
        {
          store(state.angularMomentum, at: momenta + 3 * next)
        } else {
          integrators[b] = nil
          for i in 0..<9 { attitudes[9 * next + i] = .nan }
          store(Vector3(repeating: .nan), at: momenta + 3 * next)
        }
      }
    }
  }

  /// The observation rows `(R_k, Ω_k)`, `Ω_k = J⁻¹Π_k`, window-major (window b's K + 1 rows
  /// back to back).
  func output() -> [Double] {
    let inverse = inverseInertia
    var rows = Array(repeating: 0.0, count: 12 * batch * (steps + 1))
    for b in 0..<batch {
      for k in 0...steps {
        let o = 12 * (b * (steps + 1) + k)
        for i in 0..<9 { rows[o + i] = attitudes[9 * block(k, b) + i] }
        let w = inverse * vector(momenta + 3 * block(k, b))
        for i in 0..<3 { rows[o + 9 + i] = w[i] }
      }
    }
    return rows
  }

  /// The pullback of ``output()`` for the cotangent `bar` (same layout): the cotangents of the
  /// potential, of the inertia J and of the B initial rows. The discrete adjoint of the three
  /// equations of a step, window by window, with the moments' pullbacks batched over the
  /// windows: `M_k` enters both `Π_k = F_{k−1}ᵀμ_{k−1} + (h/2)M_k` and
  /// `μ_k = Π_k + (h/2)M_k`, so its cotangent is `(h/2)(Π̄_k + μ̄_k)`, pulled back once per
  /// step (``VINSO3`` documents the equations).
  func adjoint(_ bar: [Double]) -> (
    potential: Potential.TangentVector, inertia: Matrix3, initial: [Double]
  ) {
    let h = stepSize
    let j = body.inertia
    let inverse = inverseInertia
    let potential = body.potentialModel
    let adjoints = workspace.buffer(.adjoints, count: 18 * batch)
    // R̄ (9), Π̄ (3), the pending cotangent (h/2)μ̄ of the moment (3), the moment cotangent (3).
    let (rBar, piBar, pending, momentBar) = (
      adjoints, adjoints + 9 * batch, adjoints + 12 * batch, adjoints + 15 * batch
    )
    adjoints.update(repeating: 0, count: 18 * batch)
    var jBar = Matrix3.zero
    var potentialBar = Potential.TangentVector.zero

    /// Observation k: `R_k` and `Ω_k = J⁻¹Π_k`.
    func observe(_ k: Int) {
      for b in 0..<batch {
        let o = 12 * (b * (steps + 1) + k)
        for i in 0..<9 { rBar[9 * b + i] += bar[o + i] }
        let wBar = inverse * Vector3(bar[o + 9], bar[o + 10], bar[o + 11])
        store(vector(piBar + 3 * b) + wBar, at: piBar + 3 * b)
        let w = inverse * vector(momenta + 3 * block(k, b))
        jBar = jBar - Matrix3.outer(wBar, w)
      }
    }

    for k in stride(from: steps, through: 1, by: -1) {
      observe(k)
      for b in 0..<batch {
        store(vector(pending + 3 * b) + (0.5 * h) * vector(piBar + 3 * b), at: momentBar + 3 * b)
      }
      potential.accumulateMomentPullback(
        at: attitudes + 9 * block(k, 0), batch: batch, cotangent: momentBar, attitudeBar: rBar,
        parameterBar: &potentialBar, workspace: workspace)
      // Step k − 1 → k, window by window.
      for b in 0..<batch {
        let previous = block(k - 1, b)
        let r = Matrix3(attitudes + 9 * previous)
        let record = increments + 12 * previous
        let fVector = vector(record)
        let f = Matrix3.identity + Matrix3(record + 3)
        let mu = vector(momenta + 3 * previous) + (0.5 * h) * vector(moments + 3 * previous)
        let pi = vector(piBar + 3 * b)
        let rNextBar = Matrix3(rBar + 9 * b)
        // Π_k = Fᵀμ + (h/2)M_k, R_k = R_{k−1}F.
        var muBar = f * pi
        let fBar = Matrix3.outer(mu, pi) + r.transpose * rNextBar
        let rBarPrevious = rNextBar * f.transpose
        // F = exp(f̂) and G(f; J, g) = 0 with g = hμ.
        let fVectorBar = SO3.rightJacobian(fVector).transposeTimes(axial(f.transpose * fBar))
        let equation = SO3LGVIEquation(inertia: j, target: h * mu)
        let dg = equation.residualAndJacobian(at: fVector).jacobian
        let lambda =
          (dg.transpose.inverse ?? Matrix3(diagonal: Vector3(repeating: .nan))) * fVectorBar
        muBar += h * lambda
        let lambdaHat = SO3.hat(lambda)
        let jdBar = 0.5 * (f.transpose * lambdaHat - lambdaHat * f)
        jBar = jBar - (0.5 * jdBar.trace * Matrix3.identity - jdBar)
        // μ = Π_{k−1} + (h/2)M_{k−1}.
        rBarPrevious.store(to: rBar + 9 * b)
        store(muBar, at: piBar + 3 * b)
        store((0.5 * h) * muBar, at: pending + 3 * b)
      }
    }
    observe(0)
    potential.accumulateMomentPullback(
      at: attitudes, batch: batch, cotangent: pending, attitudeBar: rBar,
      parameterBar: &potentialBar, workspace: workspace)
    // Π₀ = JΩ₀.
    var initialBar = Array(repeating: 0.0, count: 12 * batch)
    for b in 0..<batch {
      for i in 0..<9 { initialBar[12 * b + i] = rBar[9 * b + i] }
      let pi = vector(piBar + 3 * b)
      let wBar = j * pi
      for i in 0..<3 { initialBar[12 * b + 9 + i] = wBar[i] }
      jBar = jBar + Matrix3.outer(pi, inverse * vector(momenta + 3 * b))
    }
    return (potentialBar, jBar, initialBar)
  }

  private func vector(_ p: UnsafePointer<Double>) -> Vector3 { Vector3(p[0], p[1], p[2]) }

  private func store(_ v: Vector3, at p: UnsafeMutablePointer<Double>) {
    for i in 0..<3 { p[i] = v[i] }
  }
}
