import DiscreteMechanics
import Foundation
import Manifolds
import _Differentiation

/// VIN-mq: a variational integrator network with a learned configuration-dependent mass matrix
/// ``ConfigurationMassMatrix`` and a learned potential, stepped by DiscreteMechanics' implicit
/// `VariationalMidpoint` on the ``LearnedMassSystem`` (Marsden and West 2001, §2.2.3), on
/// positions only. From two configurations `(q₀, q₁)`: `p₁ = D₂L_d(q₀, q₁)`, then for k ≥ 1
///
///     solve R(q_{k+1}) = −D₁L_d(q_k, q_{k+1}) − p_k = 0,    p_{k+1} = D₂L_d(q_k, q_{k+1}),
///
/// with the midpoint `L_d(q₀, q₁) = h L((q₀ + q₁)/2, (q₁ − q₀)/h)`.
///
/// The gradient through the implicit solve comes from the implicit function theorem: for the
/// cotangent `q̄_{k+1}` of the root, `λ = (∂R/∂q_{k+1})⁻ᵀ q̄_{k+1}` and then
/// `θ̄ −= λᵀ ∂R/∂θ`, `q̄_k −= λᵀ ∂R/∂q_k`, `p̄_k += λ`. The forward pass evaluates the
/// Legendre transforms `−D₁L_d` and `D₂L_d` with DiscreteMechanics'
/// `MidpointDiscreteLagrangian` on the ``LearnedMassSystem``; their products with `λ` (and the
/// rows of `∂R/∂q_{k+1}`, exactly) are a hand-written pullback over the potential's
/// gradient pullback and the ``ConfigurationMassMatrix``'s own
/// (`pullbackTransform(_:sign:cotangent:potentialBar:massBar:)`).
public struct VINMq<Potential: LearnablePotential>: RolloutModel {
  public var potential: Potential
  /// The parameters of the mass network, laid out as ``ConfigurationMassMatrix/parameters``.
  public var massParameters: ParameterVector
  /// The mass network's architecture (its own parameters are replaced by ``massParameters``).
  @noDerivative public let massArchitecture: ConfigurationMassMatrix
  @noDerivative public let stepSize: Double

  /// - Throws: ``LearningError/dimensionMismatch(name:expected:actual:)`` when potential and
  ///   mass dimensions differ; ``LearningError/invalidConfiguration(name:value:requirement:)``
  ///   for a step size that is not positive and finite.
  public init(potential: Potential, mass: ConfigurationMassMatrix, stepSize: Double)
    throws(LearningError)
  {
    _ = try LearnedMassSystem(potential: potential, mass: mass)
    try ModelLimits.checkStepSize(stepSize, field: "step size")
    self.potential = potential
    massParameters = ParameterVector(mass.parameters)
    massArchitecture = mass
    self.stepSize = stepSize
  }

  public var kind: ModelKind { .vinMq }
  public var configurationDimension: Int { potential.dimension }
  public var observesVelocities: Bool { false }
  public var initialStateDimension: Int { 2 * configurationDimension }

  public var parameterCount: Int { potential.parameterCount + massParameters.count }
  public var flatParameters: [Double] {
    get { potential.flatParameters + massParameters.scalars }
    set {
      potential.flatParameters = Array(newValue[..<potential.parameterCount])
      massParameters = ParameterVector(Array(newValue[potential.parameterCount...]))
    }
  }
  public func flatten(_ tangent: Self.TangentVector) -> [Double] {
    potential.flatten(tangent.potential)
      + tangent.massParameters.dense(count: massParameters.count)
  }

  /// The learned mass matrix with the current parameters.
  public var mass: ConfigurationMassMatrix {
    var mass = massArchitecture
    mass.parameters = massParameters.scalars
    return mass
  }

  /// The learned system that `VariationalMidpoint` steps.
  public var system: LearnedMassSystem<Potential> {
    LearnedMassSystem(unchecked: potential, mass)
  }

  /// `(q₀, q₁)`, the first two observed positions.
  public func naiveInitialState(_ observations: [Double]) -> [Double] {
    Array(observations[..<(2 * configurationDimension)])
  }

  /// The midpoint Legendre transforms `P_s(q₀, q₁) = M(q̄)v + s (h/2) ∂_qL(q̄, v)`,
  /// `(∂_qL)ᵢ = ½ vᵀ(∂M/∂qⁱ)v − ∂ᵢV(q̄)`, at one pair `(q₀, q₁)`: `s = −1` is `−D₁L_d`,
  /// `s = +1` is `D₂L_d` (DiscreteMechanics' `MidpointDiscreteLagrangian`, which evaluates
  /// them in the forward pass), with what their pullback needs.
  struct TransformPoint {
    let velocity: [Double]
    let mass: ConfigurationMassMatrix.Evaluation
    let potentialPullback: ([Double], inout Potential.TangentVector) -> [Double]
  }

  func transformPoint(_ q0: [Double], _ q1: [Double]) -> TransformPoint {
    let h = stepSize
    let midpoint = zip(q0, q1).map { 0.5 * ($0 + $1) }
    return TransformPoint(
      velocity: zip(q0, q1).map { ($1 - $0) / h }, mass: mass.evaluation(at: midpoint),
      potentialPullback: potential.gradientsWithPullback(at: midpoint).pullback)
  }

  /// The pullback of `P_s` for the cotangent λ: adds `λᵀ ∂P_s/∂θ` to the tangents and returns
  /// `(λᵀ ∂P_s/∂q₀, λᵀ ∂P_s/∂q₁)`. With `q̄ = (q₀ + q₁)/2` and `v = (q₁ − q₀)/h`:
  /// `M̄ = λvᵀ`, `D̄ᵢ = s (h/4) λᵢ vvᵀ` (the cotangent of `∂M/∂qⁱ`), `ḡ = −s (h/2) λ` for
  /// `g = ∇V(q̄)`, and `v̄ = Mλ + s (h/2) Σᵢ λᵢ (∂M/∂qⁱ) v`; then `q̄₀ = ½ q̄̄ − v̄/h`,
  /// `q̄₁ = ½ q̄̄ + v̄/h` for the cotangent q̄̄ of the midpoint.
  func pullbackTransform(
    _ point: TransformPoint, sign: Double, cotangent lambda: [Double],
    potentialBar: inout Potential.TangentVector, massBar: inout [Double]
  ) -> (start: [Double], end: [Double]) {
    let n = configurationDimension
    let h = stepSize
    let v = point.velocity
    let e = point.mass
    var outer = Array(repeating: 0.0, count: n * n)
    var velocityOuter = outer
    for i in 0..<n {
      for j in 0..<n {
        outer[i * n + j] = lambda[i] * v[j]
        velocityOuter[i * n + j] = v[i] * v[j]
      }
    }
    let derivativeBars = (0..<n).map { i in velocityOuter.map { sign * 0.25 * h * lambda[i] * $0 } }
    var midpointBar = mass.pullback(
      e, massBar: outer, derivativeBars: derivativeBars, into: &massBar)
    let hessianTimes = point.potentialPullback(lambda.map { -sign * 0.5 * h * $0 }, &potentialBar)
    axpy(1, hessianTimes, &midpointBar)
    var velocityBar = Array(repeating: 0.0, count: n)
    for i in 0..<n {
      for j in 0..<n {
        velocityBar[j] += e.mass[i * n + j] * lambda[i]
        var dv = 0.0
        for r in 0..<n { dv += e.massDerivatives[i][j * n + r] * v[r] }
        velocityBar[j] += sign * 0.5 * h * lambda[i] * dv
      }
    }
    return (
      (0..<n).map { 0.5 * midpointBar[$0] - velocityBar[$0] / h },
      (0..<n).map { 0.5 * midpointBar[$0] + velocityBar[$0] / h }
    )
  }

  /// Predicted `q_k`, k = 0…`steps`, for B windows `(q₀, q₁)` back to back (window-major).
  @differentiable(reverse,wrt: (self, initial))
  public func rollout(from initial: [Double], steps: Int) -> [Double] {
    rolloutForward(initial, steps).output
  }

  /// The output and each window's states `(q_k, p_k)`, k = 1…steps.
  func rolloutForward(_ initial: [Double], _ steps: Int) -> (
    output: [Double], states: [[PhaseState]]
  ) {
    let n = configurationDimension
    var output: [Double] = []
    var states: [[PhaseState]] = []
    for b in 0..<(initial.count / (2 * n)) {
      let q0 = Array(initial[(2 * b * n)..<((2 * b + 1) * n)])
      let q1 = Array(initial[((2 * b + 1) * n)..<((2 * b + 2) * n)])
      output += q0
      if steps == 0 {
        states.append([])
        continue
      }
      do {
        var lagrangian = try MidpointDiscreteLagrangian(system: system, stepSize: stepSize)
        var p1 = Array(repeating: 0.0, count: n)
        lagrangian.momentumAtEnd(from: q0, to: q1, into: &p1)
        let start = PhaseState(q: q1, p: p1)
        var integrator = try VariationalMidpoint(system: system, stepSize: stepSize)
        let trajectory = try integrator.integrate(from: start, steps: steps - 1)
        states.append(trajectory.states)
        for state in trajectory.states { output += state.q }
      } catch {
        states.append([])
        output += Array(repeating: .nan, count: steps * n)
      }
    }
    return (output, states)
  }

  @derivative(of: rollout, wrt: (self, initial))
  public func vjpRollout(from initial: [Double], steps: Int) -> (
    value: [Double],
    pullback: ([Double].TangentVector) -> (Self.TangentVector, [Double].TangentVector)
  ) {
    let (output, states) = rolloutForward(initial, steps)
    let n = configurationDimension
    let model = self
    return (
      output,
      { cotangent in
        let bar = [Double](dense: cotangent, count: output.count)
        var potentialBar = Potential.TangentVector.zero
        var massBar = Array(repeating: 0.0, count: model.massParameters.count)
        var initialBar: [Double] = []
        for b in states.indices {
          let window = (b * (steps + 1) * n)
          var qBar = (0...steps).map { Array(bar[(window + $0 * n)..<(window + ($0 + 1) * n)]) }
          let q0 = Array(initial[(2 * b * n)..<((2 * b + 1) * n)])
          if steps == 0 {
            initialBar += qBar[0] + Array(repeating: 0, count: n)
            continue
          }
          guard states[b].count == steps else {
            initialBar += Array(repeating: .nan, count: 2 * n)
            continue
          }
          let q = [q0] + states[b].map(\.q)
          var pBar = Array(repeating: 0.0, count: n)
          for k in stride(from: steps - 1, through: 1, by: -1) {
            let point = model.transformPoint(q[k], q[k + 1])
            // p_{k+1} = D₂L_d(q_k, q_{k+1}).
            let end = model.pullbackTransform(
              point, sign: 1, cotangent: pBar, potentialBar: &potentialBar, massBar: &massBar)
            axpy(1, end.start, &qBar[k])
            axpy(1, end.end, &qBar[k + 1])
            // R(q_{k+1}) = −D₁L_d(q_k, q_{k+1}) − p_k = 0: row i of ∂R/∂q_{k+1} is the q₁ part
            // of the pullback of the unit cotangent eᵢ (exact second derivatives).
            var transposedJacobian = Matrix.zeros(rows: n, columns: n)
            var scratchPotential = Potential.TangentVector.zero
            var scratchMass = Array(repeating: 0.0, count: massBar.count)
            for i in 0..<n {
              var unit = Array(repeating: 0.0, count: n)
              unit[i] = 1
              let row = model.pullbackTransform(
                point, sign: -1, cotangent: unit, potentialBar: &scratchPotential,
                massBar: &scratchMass
              ).end
              for j in 0..<n { transposedJacobian[j, i] = row[j] }
            }
            let lambda =
              transposedJacobian.solve(qBar[k + 1]) ?? Array(repeating: .nan, count: n)
            let residual = model.pullbackTransform(
              point, sign: -1, cotangent: lambda.map { -$0 }, potentialBar: &potentialBar,
              massBar: &massBar)
            axpy(1, residual.start, &qBar[k])
            pBar = lambda
          }
          let first = model.pullbackTransform(
            model.transformPoint(q0, q[1]), sign: 1, cotangent: pBar,
            potentialBar: &potentialBar, massBar: &massBar)
          initialBar += zip(qBar[0], first.start).map(+)
          initialBar += zip(qBar[1], first.end).map(+)
        }
        return (
          Self.TangentVector(potential: potentialBar, massParameters: ParameterVector(massBar)),
          .init(initialBar)
        )
      }
    )
  }

  /// A forecast from `(q₀, q̇₀)` by `VariationalMidpoint` with `p₀ = M(q₀) q̇₀`, velocities
  /// `M(q)⁻¹ p` and the learned energy `½ pᵀ M(q)⁻¹ p + V(q)`.
  public func forecast(from initial: MechanicalState, steps: Int) throws(LearningError)
    -> ForecastTrajectory
  {
    let n = configurationDimension
    let (q0, v0) = try initial.coordinates(dimension: n, model: kind)
    let system = self.system
    do throws(IntegrationError) {
      var integrator = try VariationalMidpoint(system: system, stepSize: stepSize)
      let trajectory = try integrator.integrate(
        from: PhaseState(q: q0, p: system.massMatrix(at: q0) * v0), steps: steps)
      let velocities = trajectory.states.map { state in
        system.massMatrix(at: state.q).solve(state.p) ?? Array(repeating: .nan, count: n)
      }
      let energies = zip(trajectory.states, velocities).map { state, v in
        0.5 * zip(state.p, v).reduce(0) { $0 + $1.0 * $1.1 } + system.potential(at: state.q)
      }
      return .coordinates(
        Forecast(
          times: trajectory.times, positions: trajectory.states.map(\.q), velocities: velocities,
          energies: energies))
    } catch {
      throw .integrationFailed(error)
    }
  }
}
