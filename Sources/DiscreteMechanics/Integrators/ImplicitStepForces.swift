import Manifolds

/// Where a discrete Lagrangian's discrete forces evaluate the continuous force
/// `F(q, q̇, u) = B(q)u − D(q)q̇` over a step, with `v = (q₁ − q₀)/h` and u held over the step:
/// the quadrature of the virtual work `∫ F · δq dt` that matches the quadrature of `L_d`
/// (Marsden and West, *Discrete mechanics and variational integrators*, Acta Numerica 2001,
/// §3.2).
public enum ForceQuadrature: Sendable {
  /// `f_d⁻ = f_d⁺ = (h/2) F((q₀ + q₁)/2, v, u)`: the midpoint rule (``MidpointDiscreteLagrangian``).
  case midpoint
  /// `f_d⁻ = (h/2) F(q₀, v, u)`, `f_d⁺ = (h/2) F(q₁, v, u)`: the trapezoidal rule
  /// (``TrapezoidalDiscreteLagrangian``, and ``StormerVerlet``).
  case endpoints
}

extension DiscreteLagrangian {
  /// The default: ``ForceQuadrature/midpoint``, consistent (second order) for every `L_d`.
  public static var forceQuadrature: ForceQuadrature { .midpoint }
}

/// Forced variational midpoint and trapezoidal integrators: the discrete forces of
/// ``DiscreteLagrangian/forceQuadrature`` are added to the implicit equation and its Jacobian,
///
///     −D₁L_d(q_k, q_{k+1}) − f_d⁻(q_k, q_{k+1}) = p_k,    p_{k+1} = D₂L_d(q_k, q_{k+1}) + f_d⁺,
///
/// solved by the same Newton iteration. The Newton matrix gains `−∂f_d⁻/∂q_{k+1}`: for the
/// midpoint rule `½ D(q̄) − (h/4) ∂F/∂q(q̄, v, u)` (``GeneralisedForce/forceJacobian(at:velocity:input:into:)``),
/// for the endpoints `½ D(q_k)`. With zero inputs and dissipation every residual and Jacobian is
/// the unforced one plus zeros, so the steps agree bit for bit (tested).
extension ImplicitVariationalIntegrator: ForcedIntegrator {
  /// - Throws: as ``init(system:stepSize:)``;
  ///   ``IntegrationError/wrongDimension(name:expected:actual:)`` unless the forces act on the
  ///   system's n coordinates.
  public init(system: System, stepSize: Double, forces: any GeneralisedForce)
    throws(IntegrationError)
  {
    try self.init(system: system, stepSize: stepSize, rootFinder: RootFinder(), forces: forces)
  }

  /// The method with the root finder `rootFinder` and `forces`.
  /// - Throws: as ``init(system:stepSize:forces:)`` and ``init(system:stepSize:rootFinder:)``.
  public init(
    system: System, stepSize: Double, rootFinder: RootFinder, forces: any GeneralisedForce
  ) throws(IntegrationError) {
    try self.init(system: system, stepSize: stepSize, rootFinder: rootFinder)
    guard forces.dimension == system.dimension else {
      throw .wrongDimension(
        name: "generalised force", expected: system.dimension, actual: forces.dimension)
    }
    workspace.step.forced = ImplicitStepForces(
      forces: forces, quadrature: Lagrangian.forceQuadrature)
  }

  /// The non-conservative forces, if any.
  public var forces: (any GeneralisedForce)? { workspace.step.forced?.forces }
  public var inputCount: Int { forces?.inputCount ?? 0 }
  public var input: [Double] { workspace.step.forced?.input ?? [] }

  public mutating func holdInput(_ u: [Double]) throws(IntegrationError) {
    try IntegrationError.check(u, name: "input u", dimension: inputCount)
    guard workspace.step.forced != nil else { return }
    if !isKnownUniquelyReferenced(&workspace) { workspace = try workspace.copy() }
    workspace.step.forced?.input = u
  }

  /// The discrete forces of the step from `state` to `next` under ``input``, by the discrete
  /// Lagrangian's ``DiscreteLagrangian/forceQuadrature`` (zeros without forces).
  /// - Throws: ``IntegrationError/wrongDimension(name:expected:actual:)`` unless both states
  ///   have the system's n coordinates.
  public func discreteForces(from state: PhaseState, to next: PhaseState)
    throws(IntegrationError) -> DiscreteForces
  {
    let n = system.dimension
    for q in [state.q, next.q] where q.count != n {
      throw .wrongDimension(name: "q", expected: n, actual: q.count)
    }
    let h = stepSize
    let v = zip(state.q, next.q).map { ($1 - $0) / h }
    guard let forced = workspace.step.forced else {
      let zero = Array(repeating: 0.0, count: v.count)
      return DiscreteForces(start: zero, end: zero, velocity: v)
    }
    let u = forced.input
    let (start, end): ([Double], [Double])
    switch forced.quadrature {
    case .midpoint:
      let midpoint = zip(state.q, next.q).map { 0.5 * ($0 + $1) }
      start = forced.forces.force(at: midpoint, velocity: v, input: u)
      end = start
    case .endpoints:
      start = forced.forces.force(at: state.q, velocity: v, input: u)
      end = forced.forces.force(at: next.q, velocity: v, input: u)
    }
    return DiscreteForces(
      start: start.map { 0.5 * h * $0 }, end: end.map { 0.5 * h * $0 }, velocity: v)
  }
}

/// The forces of an ``ImplicitStep``: the force model, the held input, the quadrature, and the
/// buffers of `f_d^±` and `∂f_d⁻/∂q₁`, allocated once. A class, so that the unforced Newton
/// iteration tests for it by one comparison of a reference (an optional struct of arrays was
/// copied to be tested); the workspace's `copy()` copies it.
@usableFromInline
final class ImplicitStepForces {
  let forces: any GeneralisedForce
  let quadrature: ForceQuadrature
  /// u, held over the following steps.
  var input: [Double]
  /// The point where F is evaluated and `v = (q₁ − q₀)/h`.
  var point: [Double]
  var velocity: [Double]
  /// `F(point, v, u)`.
  var force: [Double]
  /// `D(point)` and `∂F/∂q(point, v, u)`.
  var dissipation: Matrix
  var jacobian: Matrix

  init(forces: any GeneralisedForce, quadrature: ForceQuadrature) {
    let n = forces.dimension
    self.forces = forces
    self.quadrature = quadrature
    input = Array(repeating: 0, count: forces.inputCount)
    point = Array(repeating: 0, count: n)
    velocity = point
    force = point
    dissipation = .zeros(rows: n, columns: n)
    jacobian = dissipation
  }

  /// The same forces, quadrature and input, with buffers of its own.
  func copy() -> ImplicitStepForces {
    let copy = ImplicitStepForces(forces: forces, quadrature: quadrature)
    copy.input = input
    return copy
  }

  /// Sets `v` and the point of `f_d⁻` (q̄ or q₀), or of `f_d⁺` (q̄ or q₁) when `atEnd`.
  func locate(from q0: [Double], to q1: [Double], stepSize h: Double, atEnd: Bool) {
    for i in q0.indices {
      velocity[i] = (q1[i] - q0[i]) / h
      switch quadrature {
      case .midpoint: point[i] = 0.5 * (q0[i] + q1[i])
      case .endpoints: point[i] = atEnd ? q1[i] : q0[i]
      }
    }
  }

  /// `momentum −= f_d⁻(q₀, q₁)`.
  @usableFromInline
  func subtractStartForce(
    from q0: [Double], to q1: [Double], stepSize h: Double, from momentum: inout [Double]
  ) {
    locate(from: q0, to: q1, stepSize: h, atEnd: false)
    forces.writeForce(
      at: point, velocity: velocity, input: input, into: &force, dissipation: &dissipation)
    for i in momentum.indices { momentum[i] -= 0.5 * h * force[i] }
  }

  /// `momentum += f_d⁺(q₀, q₁)`.
  @usableFromInline
  func addEndForce(
    from q0: [Double], to q1: [Double], stepSize h: Double, to momentum: inout [Double]
  ) {
    locate(from: q0, to: q1, stepSize: h, atEnd: true)
    forces.writeForce(
      at: point, velocity: velocity, input: input, into: &force, dissipation: &dissipation)
    for i in momentum.indices { momentum[i] += 0.5 * h * force[i] }
  }

  /// `jacobian −= ∂f_d⁻/∂q₁`: `+ ½ D(q̄) − (h/4) ∂F/∂q(q̄)` (midpoint), `+ ½ D(q₀)` (endpoints).
  @usableFromInline
  func subtractStartForceJacobian(
    from q0: [Double], to q1: [Double], stepSize h: Double, from jacobian: inout Matrix
  ) {
    locate(from: q0, to: q1, stepSize: h, atEnd: false)
    forces.dissipation(at: point, into: &dissipation)
    let n = point.count
    switch quadrature {
    case .midpoint:
      forces.forceJacobian(at: point, velocity: velocity, input: input, into: &self.jacobian)
      for i in 0..<n {
        for j in 0..<n {
          jacobian[i, j] += 0.5 * dissipation[i, j] - 0.25 * h * self.jacobian[i, j]
        }
      }
    case .endpoints:
      for i in 0..<n {
        for j in 0..<n { jacobian[i, j] += 0.5 * dissipation[i, j] }
      }
    }
  }
}
