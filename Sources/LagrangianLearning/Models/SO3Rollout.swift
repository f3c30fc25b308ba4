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
/// **Forces.** With a learned body torque `τ = B(R) u − D(R) Ω` (``LearnableForce`` of
/// dimension 3, ``LearnedBodyTorque``) every window is stepped by the forced phases,
/// `advanceAttitude(of:moment:torque:)` and `completeStep(_:nextMoment:nextTorque:)`, with the
/// terms `B u_k` and D of its input `u_k` held over the step at R_k and at R_{k+1}: the forced
/// `SO3LGVI.step`'s arithmetic, with `B± , D±` the values at R_k (−) and R_{k+1} (+),
///
///     μ₀ = Π_k + (h/2)(M_k + B⁻ u_k),   a J f + b f × Jf + a (h/2) D⁻ f = h μ₀,
///     ω_k = a f/h,   μ = μ₀ − (h/2) D⁻ ω_k,   R_{k+1} = R_k F,
///     Π_{k+1} = Fᵀμ + (h/2)(M_{k+1} + B⁺ u_k − D⁺ ω_k),
///
/// with `a = sin|f|/|f|`, `b = (1 − cos|f|)/|f|²` (DiscreteMechanics' `SO3LGVIEquation`; the
/// damping is evaluated at the step's discrete angular velocity ω_k, which keeps the step second
/// order and its implicit equation a 3-vector one). B and D live in ``HeldForces``' slots, slot
/// `k B + b` holding window b's at R_k, evaluated for all windows in one call per step; constant
/// B and D (``ConstantForce``) once, every slot being slot 0.
///
/// The states live in a ``RolloutWorkspace``, step-major and contiguous: `R_k` (9 numbers,
/// row-major), `Π_k` and `M_k = M(R_k)` (3 each) of window b at `(k B + b)` blocks, for each
/// step the root f of its implicit equation and `E = F − I` (12 numbers), and with forces ω_k
/// (3 numbers). A window whose step fails (non-finite, or no root) is NaN from that step on, so
/// that training stops on the non-finite loss and says so.
struct SO3Rollout<Potential: LearnableRigidBodyPotential, Forces: LearnableForce> {
  let body: LearnedRigidBody<Potential>
  /// The learned body torque.
  let forces: Forces
  /// Whether the forces act (else the step is the conservative one).
  let forced: Bool
  /// Their B and D at the attitudes, with the inputs.
  let held: HeldForces
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
  /// `ω_k`, k = 0…K−1, with forces.
  let velocities: UnsafeMutablePointer<Double>?

  /// The rollout of `body` with the torque `forces` driven by `inputs` (window-major: window b's
  /// `u_0, …, u_{K−1}`, m each; empty: all zero).
  init(
    body: LearnedRigidBody<Potential>, forces: Forces, inputs: [Double] = [],
    stepSize: Double, batch: Int, steps: Int, workspace: RolloutWorkspace
  ) {
    self.body = body
    self.forces = forces
    forced = !forces.vanishes
    held = HeldForces(
      forces, dimension: 3, steps: steps, inputs: inputs, slots: (steps + 1) * batch,
      derivatives: false, workspace: workspace)
    self.stepSize = stepSize
    self.batch = batch
    self.steps = steps
    self.workspace = workspace
    let states = (steps + 1) * batch
    attitudes = workspace.buffer(.positions, count: 9 * states)
    momenta = workspace.buffer(.momenta, count: 3 * states)
    moments = workspace.buffer(.gradients, count: 3 * states)
    increments = workspace.buffer(.jacobians, count: 12 * steps * batch)
    velocities =
      forced ? workspace.buffer(.discreteVelocities, count: 3 * steps * batch) : nil
  }

  /// The index of window b's block at step k.
  func block(_ k: Int, _ b: Int) -> Int { k * batch + b }

  /// `J⁻¹`, NaN when J is singular (a learned J never is: it is `LLᵀ + εI`).
  var inverseInertia: Matrix3 {
    body.inertia.inverse ?? Matrix3(diagonal: Vector3(repeating: .nan))
  }

  /// `B u_k` and D of window b at step k with the B and D of `slot` (`B u_k = 0` without
  /// inputs).
  func torqueTerms(slot: Int, window b: Int, step k: Int) -> BodyTorqueTerms {
    let m = held.inputCount
    return BodyTorqueTerms(
      inputTorque: m > 0 && !held.inputs.isEmpty
        ? LearnedBodyTorque<Forces>.inputTorque(
          held.inputMatrix(slot: slot), held.inputs, from: (b * steps + k) * m, inputCount: m)
        : .zero,
      dissipation: Matrix3(held.dissipation(slot: slot)))
  }

  /// B and D at the attitudes of step k, all windows (nothing for constant forces).
  private func evaluateForces(step k: Int) {
    guard forced else { return }
    held.evaluate(
      forces, at: attitudes + 9 * block(k, 0), batch: batch, slot: block(k, 0),
      derivatives: false)
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
    evaluateForces(step: 0)
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
        let moment = vector(moments + 3 * current)
        if forced {
          advances[b] = try? integrators[b]?.advanceAttitude(
            of: state, moment: moment, torque: torqueTerms(slot: current, window: b, step: k))
        } else {
          advances[b] = try? integrators[b]?.advanceAttitude(of: state, moment: moment)
        }
        if let advance = advances[b], let integrator = integrators[b] {
          advance.attitude.matrix.store(to: attitudes + 9 * next)
          let record = increments + 12 * current
          store(advance.root, at: record)
          advance.increment.store(to: record + 3)
          if let velocities {
            store(integrator.angularVelocity(of: advance), at: velocities + 3 * current)
          }
        } else {
          integrators[b] = nil
          for i in 0..<9 { attitudes[9 * next + i] = .nan }
        }
      }
      body.potentialModel.moments(
        at: attitudes + 9 * block(k + 1, 0), batch: batch, into: moments + 3 * block(k + 1, 0),
        workspace: workspace)
      evaluateForces(step: k + 1)
      for b in 0..<batch {
        let next = block(k + 1, b)
        let nextMoment = vector(moments + 3 * next)
        var state: RigidBodyState?
        if let advance = advances[b] {
          if forced {
            state = try? integrators[b]?.completeStep(
              advance, nextMoment: nextMoment,
              nextTorque: torqueTerms(slot: next, window: b, step: k))
          } else {
            state = try? integrators[b]?.completeStep(advance, nextMoment: nextMoment)
          }
        }
        if let state {
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
  /// potential, of the inertia J, of the forces' parameters (zero without forces) and of the B
  /// initial rows. The discrete adjoint of the three
  /// equations of a step, window by window, with the moments' pullbacks batched over the
  /// windows: `M_k` enters both `Π_k = F_{k−1}ᵀμ_{k−1} + (h/2)M_k` and
  /// `μ_k = Π_k + (h/2)M_k`, so its cotangent is `(h/2)(Π̄_k + μ̄_k)`, pulled back once per
  /// step (``VINSO3`` documents the equations).
  ///
  /// With forces, for the cotangents `Π̄_{k+1}` and `μ̄ = FΠ̄_{k+1}` of the damped μ: the
  /// discrete velocity's `ω̄ = −(h/2)(D⁺ᵀΠ̄_{k+1} + D⁻ᵀμ̄)` adds `(∂ω/∂f)ᵀω̄` to f̄
  /// (DiscreteMechanics' `SO3LGVIEquation.angularVelocityJacobian(at:stepSize:)`), the implicit
  /// equation's Jacobian has its damping term `a(h/2)D⁻`, and with `μ̄₀ = μ̄ + hλ`
  /// (λ = DG⁻ᵀf̄) the values at R_{k+1} get `B̄⁺ += (h/2) Π̄_{k+1} u_kᵀ`,
  /// `D̄⁺ −= (h/2) Π̄_{k+1} ω_kᵀ` and those at R_k `B̄⁻ += (h/2) μ̄₀ u_kᵀ`,
  /// `D̄⁻ −= (h/2) μ̄₀ ω_kᵀ` (the equation's `a(h/2)D⁻f` gives `D̄⁻ −= (h/2) λ (af)ᵀ =
  /// (h²/2) λ ω_kᵀ`, μ the rest). Constant B and D sum the two (`t = Π̄_{k+1} + μ̄₀`, one
  /// `ω̄ = −(h/2)Dᵀ(Π̄_{k+1} + μ̄)`) and are pulled back once. B(R) and D(R) are pulled back
  /// for all windows at each R_k once its slots are complete, before R̄_k goes back a step:
  /// ``LearnableForce/accumulatePullback(at:batch:inputMatrixCotangents:dissipationCotangents:into:pointCotangents:workspace:)``
  /// gives the parameters' cotangent and the attitudes' `R̄_k`, added to the step's.
  func adjoint(_ bar: [Double]) -> (
    potential: Potential.TangentVector, inertia: Matrix3, forces: Forces.TangentVector,
    initial: [Double]
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
    let m = held.inputCount
    let configurationDependent = forced && held.dependsOnConfiguration
    // Constant forces' B̄ and D̄; those of B(R), D(R) are in the slots.
    var inputMatrixBar = Array(repeating: 0.0, count: 3 * m)
    var dissipationBar = Matrix3.zero
    var forcesBar = Forces.TangentVector.zero
    if forced { held.clearCotangents(slot: 0, batch: (steps + 1) * batch) }

    /// Adds `B̄ += (h/2) c u_kᵀ`, `D̄ −= (h/2) c ω_kᵀ` of window b's step k to a slot.
    func accumulate(slot: Int, window b: Int, step k: Int, _ c: Vector3, _ omega: Vector3) {
      let (bBar, dBar) = (held.inputMatrixBars + slot * 3 * m, held.dissipationBars + slot * 9)
      for i in 0..<3 {
        let weight = 0.5 * h * c[i]
        if m > 0, !held.inputs.isEmpty {
          let u = (b * steps + k) * m
          for j in 0..<m { bBar[i * m + j] += weight * held.inputs[u + j] }
        }
        for j in 0..<3 { dBar[i * 3 + j] -= weight * omega[j] }
      }
    }

    /// The pullback of B(R_k), D(R_k) of all windows: the parameters' cotangent and R̄_k.
    func pullBackForces(step k: Int) {
      guard configurationDependent else { return }
      held.pullback(
        forces, at: attitudes + 9 * block(k, 0), batch: batch, slot: block(k, 0),
        into: &forcesBar)
      let pointBars = held.pointBars + 9 * block(k, 0)
      for i in 0..<(9 * batch) { rBar[i] += pointBars[i] }
    }

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
      // τ⁺ of step k − 1 → k at R_k: its B̄, D̄ are then complete.
      if configurationDependent, let velocities {
        for b in 0..<batch {
          accumulate(
            slot: block(k, b), window: b, step: k - 1, vector(piBar + 3 * b),
            vector(velocities + 3 * block(k - 1, b)))
        }
        pullBackForces(step: k)
      }
      // Step k − 1 → k, window by window.
      for b in 0..<batch {
        let (previous, next) = (block(k - 1, b), block(k, b))
        let r = Matrix3(attitudes + 9 * previous)
        let record = increments + 12 * previous
        let fVector = vector(record)
        let f = Matrix3.identity + Matrix3(record + 3)
        // μ₀ = Π_{k−1} + (h/2)(M_{k−1} + B⁻u), μ = μ₀ − (h/2)D⁻ω (μ = μ₀ without forces).
        let pi = vector(piBar + 3 * b)
        let rNextBar = Matrix3(rBar + 9 * b)
        let forcing = forced ? torqueTerms(slot: previous, window: b, step: k - 1) : nil
        let nextDissipation = forced ? Matrix3(held.dissipation(slot: next)) : nil
        let omega = velocities.map { vector($0 + 3 * previous) } ?? .zero
        var mu = vector(momenta + 3 * previous)
        var target: Vector3
        if let forcing {
          target = mu + (0.5 * h) * (vector(moments + 3 * previous) + forcing.inputTorque)
          mu = target - (0.5 * h) * (forcing.dissipation * omega)
        } else {
          mu = mu + (0.5 * h) * vector(moments + 3 * previous)
          target = mu
        }
        // Π_k = Fᵀμ + (h/2)(M_k + τ⁺), R_k = R_{k−1}F.
        var muBar = f * pi
        let fBar = Matrix3.outer(mu, pi) + r.transpose * rNextBar
        let rBarPrevious = rNextBar * f.transpose
        // F = exp(f̂) and G(f; J, g) = 0 with g = hμ₀.
        var fVectorBar = SO3.rightJacobian(fVector).transposeTimes(axial(f.transpose * fBar))
        if let forcing, let nextDissipation {
          // ω = a f/h in μ and in τ⁺.
          let omegaBar =
            configurationDependent
            ? (-0.5 * h)
              * (nextDissipation.transposeTimes(pi) + forcing.dissipation.transposeTimes(muBar))
            : (-0.5 * h) * forcing.dissipation.transposeTimes(pi + muBar)
          fVectorBar +=
            SO3LGVIEquation.angularVelocityJacobian(at: fVector, stepSize: h) * omegaBar
        }
        let equation = SO3LGVIEquation(
          inertia: j, target: h * target, dissipation: forcing.map { (0.5 * h) * $0.dissipation })
        let dg = equation.residualAndJacobian(at: fVector).jacobian
        let lambda =
          (dg.transpose.inverse ?? Matrix3(diagonal: Vector3(repeating: .nan))) * fVectorBar
        muBar += h * lambda
        let lambdaHat = SO3.hat(lambda)
        let jdBar = 0.5 * (f.transpose * lambdaHat - lambdaHat * f)
        jBar = jBar - (0.5 * jdBar.trace * Matrix3.identity - jdBar)
        if configurationDependent {
          accumulate(slot: previous, window: b, step: k - 1, muBar, omega)
        } else if forced {
          let t = pi + muBar
          dissipationBar = dissipationBar - (0.5 * h) * Matrix3.outer(t, omega)
          if m > 0, !held.inputs.isEmpty {
            let u = (b * steps + k - 1) * m
            for i in 0..<3 {
              for c in 0..<m { inputMatrixBar[i * m + c] += 0.5 * h * t[i] * held.inputs[u + c] }
            }
          }
        }
        // μ₀ = Π_{k−1} + (h/2)(M_{k−1} + B⁻u): Π̄_{k−1} = μ̄₀, M̄_{k−1} gets (h/2)μ̄₀.
        rBarPrevious.store(to: rBar + 9 * b)
        store(muBar, at: piBar + 3 * b)
        store((0.5 * h) * muBar, at: pending + 3 * b)
      }
    }
    observe(0)
    potential.accumulateMomentPullback(
      at: attitudes, batch: batch, cotangent: pending, attitudeBar: rBar,
      parameterBar: &potentialBar, workspace: workspace)
    pullBackForces(step: 0)
    if forced, !configurationDependent {
      forcesBar = held.constantPullback(
        forces, inputMatrixBar: inputMatrixBar, dissipationBar: dissipationBar.entries)
    }
    // Π₀ = JΩ₀.
    var initialBar = Array(repeating: 0.0, count: 12 * batch)
    for b in 0..<batch {
      for i in 0..<9 { initialBar[12 * b + i] = rBar[9 * b + i] }
      let pi = vector(piBar + 3 * b)
      let wBar = j * pi
      for i in 0..<3 { initialBar[12 * b + 9 + i] = wBar[i] }
      jBar = jBar + Matrix3.outer(pi, inverse * vector(momenta + 3 * b))
    }
    return (potentialBar, jBar, forcesBar, initialBar)
  }

  private func vector(_ p: UnsafePointer<Double>) -> Vector3 { Vector3(p[0], p[1], p[2]) }

  private func store(_ v: Vector3, at p: UnsafeMutablePointer<Double>) {
    for i in 0..<3 { p[i] = v[i] }
  }
}
