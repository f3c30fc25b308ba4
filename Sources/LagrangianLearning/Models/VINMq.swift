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
/// `θ̄ −= λᵀ ∂R/∂θ`, `q̄_k −= λᵀ ∂R/∂q_k`, `p̄_k += λ`. The Legendre transforms
/// `−D₁L_d` and `D₂L_d` are written once as differentiable Swift
/// (`legendreTransform(_:_:sign:)`) and their products with `λ` (and the rows of
/// `∂R/∂q_{k+1}`, exactly) come from reverse-mode AD of that explicit code.
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

  /// The midpoint Legendre transform `M(q̄) v + sign (h/2) ∂_qL(q̄, v)` with
  /// `(∂_qL)ᵢ = ½ vᵀ (∂M/∂qⁱ) v − ∂ᵢV(q̄)`: `sign = −1` gives `−D₁L_d(q₀, q₁)`, `+1` gives
  /// `D₂L_d(q₀, q₁)` (as DiscreteMechanics' `MidpointDiscreteLagrangian`).
  @differentiable(reverse)
  func legendreTransform(_ q0: [Double], _ q1: [Double], sign: Double) -> [Double] {
    let n = withoutDerivative(at: q0.count)
    let h = withoutDerivative(at: stepSize)
    var midpoint: [Double] = []
    var v: [Double] = []
    for i in 0..<n {
      midpoint.append(0.5 * (q0[i] + q1[i]))
      v.append((q1[i] - q0[i]) / h)
    }
    let gradient = potential.gradient(at: midpoint)
    let (m, dm) = massAndDerivatives(at: midpoint)
    var p: [Double] = []
    for i in 0..<n {
      var mv = 0.0
      var dl = 0.0 - gradient[i]
      for j in 0..<n {
        mv = mv + m[i * n + j] * v[j]
        for r in 0..<n { dl = dl + 0.5 * v[j] * dm[(i * n + j) * n + r] * v[r] }
      }
      p.append(mv + sign * 0.5 * h * dl)
    }
    return p
  }

  /// `M(q)` (n² entries) and `∂M/∂qᵏ` (n³ entries, block k) as differentiable code: the
  /// same formulas as ``ConfigurationMassMatrix/matrix(at:)`` and
  /// ``ConfigurationMassMatrix/derivative(at:coordinate:)``.
  @differentiable(reverse)
  func massAndDerivatives(at q: [Double]) -> ([Double], [Double]) {
    let architecture = withoutDerivative(at: massArchitecture)
    let n = architecture.dimension
    let width = architecture.width
    let outputs = n * (n + 1) / 2
    let tanh = architecture.activation == .tanh
    let w1 = massParameters.slice(from: 0, count: width * n)
    let b1 = massParameters.slice(from: width * n, count: width)
    let w2 = massParameters.slice(from: width * (n + 1), count: outputs * width)
    let b2 = massParameters.slice(from: width * (n + 1) + outputs * width, count: outputs)
    var hidden: [Double] = []
    var slope: [Double] = []
    for r in 0..<width {
      var z = b1[r]
      for k in 0..<n { z = z + w1[r * n + k] * q[k] }
      if tanh {
        let t = Foundation.tanh(z)
        hidden.append(t)
        slope.append(1 - t * t)
      } else {
        let e = exp(-z)
        hidden.append(z + log(1 + e))
        slope.append(1 / (1 + e))
      }
    }
    var o: [Double] = []
    var jacobian: [Double] = []  // outputs × n
    for i in 0..<outputs {
      var value = b2[i]
      for r in 0..<width { value = value + w2[i * width + r] * hidden[r] }
      o.append(value)
      for k in 0..<n {
        var d = 0.0
        for r in 0..<width { d = d + w2[i * width + r] * slope[r] * w1[r * n + k] }
        jacobian.append(d)
      }
    }
    // L and ∂L/∂qᵏ, row-major; the strictly lower outputs follow the n diagonal ones.
    var l: [Double] = []
    var dl: [Double] = []  // block k: ∂L/∂qᵏ
    for k in 0..<n {
      for i in 0..<n {
        for j in 0..<n {
          let index = j < i ? n + i * (i - 1) / 2 + j : i
          if j > i {
            dl.append(0)
          } else if j == i {
            dl.append(jacobian[index * n + k] / (1 + exp(-o[index])))
          } else {
            dl.append(jacobian[index * n + k])
          }
          if k == 0 {
            if j > i {
              l.append(0)
            } else if j == i {
              l.append(o[index] + log(1 + exp(-o[index])))
            } else {
              l.append(o[index])
            }
          }
        }
      }
    }
    var m: [Double] = []
    for i in 0..<n {
      for j in 0..<n {
        var sum = i == j ? architecture.epsilon : 0
        for r in 0..<n { sum = sum + l[i * n + r] * l[j * n + r] }
        m.append(sum)
      }
    }
    var dm: [Double] = []
    for k in 0..<n {
      for i in 0..<n {
        for j in 0..<n {
          var sum = 0.0
          for r in 0..<n {
            sum =
              sum + dl[(k * n + i) * n + r] * l[j * n + r] + l[i * n + r] * dl[(k * n + j) * n + r]
          }
          dm.append(sum)
        }
      }
    }
    return (m, dm)
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
      let start = PhaseState(q: q1, p: legendreTransform(q0, q1, sign: 1))
      do {
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
        var modelBar = Self.TangentVector.zero
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
            // p_{k+1} = D₂L_d(q_k, q_{k+1}).
            let end = valueWithPullback(at: model, q[k], q[k + 1]) {
              $0.legendreTransform($1, $2, sign: 1)
            }
            let (endModel, endStart, endEnd) = end.pullback(.init(pBar))
            modelBar += endModel
            axpy(1, [Double](dense: endStart, count: n), &qBar[k])
            axpy(1, [Double](dense: endEnd, count: n), &qBar[k + 1])
            // R(q_{k+1}) = −D₁L_d(q_k, q_{k+1}) − p_k = 0.
            let residual = valueWithPullback(at: model, q[k], q[k + 1]) {
              $0.legendreTransform($1, $2, sign: -1)
            }
            var transposedJacobian = Matrix.zeros(rows: n, columns: n)
            for i in 0..<n {
              var unit = Array(repeating: 0.0, count: n)
              unit[i] = 1
              let row = [Double](dense: residual.pullback(.init(unit)).2, count: n)
              for j in 0..<n { transposedJacobian[j, i] = row[j] }
            }
            let lambda =
              transposedJacobian.solve(qBar[k + 1]) ?? Array(repeating: .nan, count: n)
            let (residualModel, residualStart, _) = residual.pullback(.init(lambda.map { -$0 }))
            modelBar += residualModel
            axpy(1, [Double](dense: residualStart, count: n), &qBar[k])
            pBar = lambda
          }
          let first = valueWithPullback(at: model, q0, q[1]) {
            $0.legendreTransform($1, $2, sign: 1)
          }
          let (firstModel, firstStart, firstEnd) = first.pullback(.init(pBar))
          modelBar += firstModel
          initialBar += zip(qBar[0], [Double](dense: firstStart, count: n)).map(+)
          initialBar += zip(qBar[1], [Double](dense: firstEnd, count: n)).map(+)
        }
        return (modelBar, .init(initialBar))
      }
    )
  }

  /// A forecast from `(q₀, q̇₀)` by `VariationalMidpoint` with `p₀ = M(q₀) q̇₀`, velocities
  /// `M(q)⁻¹ p` and the learned energy `½ pᵀ M(q)⁻¹ p + V(q)`.
  public func forecast(position q0: [Double], velocity v0: [Double], steps: Int)
    throws(LearningError) -> Forecast
  {
    let n = configurationDimension
    guard q0.count == n else { throw .dimensionMismatch(name: "q0", expected: n, actual: q0.count) }
    guard v0.count == n else { throw .dimensionMismatch(name: "v0", expected: n, actual: v0.count) }
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
      return Forecast(
        times: trajectory.times, positions: trajectory.states.map(\.q), velocities: velocities,
        energies: energies)
    } catch {
      throw .integrationFailed(error)
    }
  }
}
