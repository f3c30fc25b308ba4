/// An integrator that also steps non-conservative forces: inputs through an input matrix and
/// dissipation (``GeneralisedForce`` on R^n and SO(2), ``RigidBodyTorque`` on SO(3)).
///
/// The input is held over steps (zero-order hold): ``holdInput(_:)`` sets the u that every
/// following ``Integrator/step(_:)`` applies until it is set again, as a digital controller
/// applies its output; ``integrate(from:steps:inputs:stride:)`` holds the samples of a
/// ``ZeroOrderHold`` step by step. Made with ``SystemIntegrator/init(system:stepSize:)`` an
/// integrator has no forces (``inputCount`` 0) and steps exactly as it always has; made with
/// ``init(system:stepSize:forces:)`` and zero inputs and dissipation, each step equals that step
/// bit for bit (tested).
///
/// The variational integrators add the forces through the discrete Lagrange–d'Alembert principle
/// (Marsden and West, *Discrete mechanics and variational integrators*, Acta Numerica 2001, §3),
/// with the discrete forces their `discreteForces(from:to:)` reports (``DiscreteForces``); the
/// baselines add them to the right-hand side of Hamilton's equations, with u constant over the
/// step.
public protocol ForcedIntegrator<State>: SystemIntegrator {
  /// The forces the integrator takes: `any GeneralisedForce` on R^n and SO(2),
  /// `any RigidBodyTorque` on SO(3).
  associatedtype Forces
  /// The method for `system` with step size `stepSize` and the non-conservative `forces`, the
  /// input held at zero until ``holdInput(_:)`` sets it.
  init(system: System, stepSize: Double, forces: Forces) throws(IntegrationError)
  /// The number m of inputs (0 without forces).
  var inputCount: Int { get }
  /// The input u held over the following steps (m numbers).
  var input: [Double] { get }
  /// Holds `u` over the following steps.
  /// - Throws: ``IntegrationError/wrongDimension(name:expected:actual:)`` unless u has
  ///   ``inputCount`` entries; ``IntegrationError/nonFiniteInput(name:index:value:)`` for NaN
  ///   or infinity.
  mutating func holdInput(_ u: [Double]) throws(IntegrationError)
}

extension ForcedIntegrator {
  /// The trajectory of `steps` steps from `initial` with the inputs of `inputs`: step k holds
  /// `inputs.input(atStep: k, stepSize:)`. Records every `stride`-th state (the initial and the
  /// final state always).
  /// - Throws: ``IntegrationError/inputsDoNotCover(first:last:start:end:)`` unless the samples
  ///   cover `[0, steps h]`; ``IntegrationError/wrongDimension(name:expected:actual:)`` unless
  ///   they have ``inputCount`` entries; the steps' errors, with the step number.
  public mutating func integrate(
    from initial: State, steps: Int, inputs: ZeroOrderHold, stride: Int = 1
  ) throws(IntegrationError) -> Trajectory<State> {
    guard steps >= 0 else { throw .invalidStepCount(steps) }
    guard stride >= 1 else { throw .invalidStepCount(stride) }
    guard inputs.inputCount == inputCount else {
      throw .wrongDimension(name: "input u", expected: inputCount, actual: inputs.inputCount)
    }
    try inputs.validateCoverage(steps: steps, stepSize: stepSize)
    var trajectory = Trajectory<State>(times: [0], states: [initial])
    var state = initial
    for k in 0..<steps {
      do throws(IntegrationError) {
        // Covered: every step's sample exists.
        try holdInput(inputs.input(atStep: k, stepSize: stepSize) ?? [])
        try step(&state)
      } catch {
        throw error.at(step: k)
      }
      if (k + 1) % stride == 0 || k + 1 == steps {
        trajectory.times.append(Double(k + 1) * stepSize)
        trajectory.states.append(state)
      }
    }
    return trajectory
  }
}

/// The discrete forces of one step `(q_k, q_{k+1})` of a variational integrator (Marsden and
/// West 2001, §3.2): `f_d⁻` and `f_d⁺` approximate the virtual work of the continuous force,
///
///     f_d⁻ · δq_k + f_d⁺ · δq_{k+1} ≈ ∫_{t_k}^{t_{k+1}} F · δq dt,
///
/// and enter the discrete Legendre transforms as `p_k = −D₁L_d − f_d⁻`, `p_{k+1} = D₂L_d + f_d⁺`.
/// Each integrator evaluates its velocity-dependent forces at the step's discrete velocity,
/// ``velocity``, with u held over the step. On SO(3) the forces are body-frame torque impulses
/// (for variations `δR = R η̂`) and the velocity is the body angular velocity.
///
/// Two balances follow exactly (to round-off and the solver's tolerance), which
/// ``ForcedMomentumBalance`` and ``EnergyBalance`` check:
/// - forced Noether: a momentum map J of a symmetry of `L_d` changes by the impulse of the
///   forces, `J_{k+1} − J_k = f_d⁻ · ξ(q_k) + f_d⁺ · ξ(q_{k+1})` (ibid. Theorem 3.2.1);
/// - the work of the step is ``work`` `= (f_d⁻ + f_d⁺) · v`; the energy changes by it up to the
///   method's O(h³) local error, and the damping part, `−(h/2) vᵀ(D(q_k) + D(q_{k+1}))v`, is
///   never positive.
public struct DiscreteForces: Hashable, Sendable {
  /// `f_d⁻`, at the start of the step.
  public var start: [Double]
  /// `f_d⁺`, at its end.
  public var end: [Double]
  /// The discrete velocity of the step at which the dissipation is evaluated.
  public var velocity: [Double]

  public init(start: [Double], end: [Double], velocity: [Double]) {
    self.start = start
    self.end = end
    self.velocity = velocity
  }

  /// The work of the step, `(f_d⁻ + f_d⁺) · v` (NaN unless the three have one length).
  public var work: Double {
    guard start.count == velocity.count, end.count == velocity.count else { return .nan }
    var w = 0.0
    for i in velocity.indices { w += (start[i] + end[i]) * velocity[i] }
    return w
  }
}
