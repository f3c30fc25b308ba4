import DiscreteMechanics
import LagrangianLearning
import Testing
import _Differentiation

/// `‖a − b‖ / max(‖a‖, ‖b‖)`.
func relativeError(_ a: [Double], _ b: [Double]) -> Double {
  var difference = 0.0
  var normA = 0.0
  var normB = 0.0
  for i in a.indices {
    difference += (a[i] - b[i]) * (a[i] - b[i])
    normA += a[i] * a[i]
    normB += b[i] * b[i]
  }
  return (difference / max(normA, normB, 1e-300)).squareRoot()
}

/// The central-difference gradient of `f` at `x` with step `epsilon`.
func centralDifference(_ x: [Double], epsilon: Double = 1e-5, _ f: ([Double]) -> Double)
  -> [Double]
{
  var gradient = Array(repeating: 0.0, count: x.count)
  for i in x.indices {
    var plus = x
    var minus = x
    plus[i] += epsilon
    minus[i] -= epsilon
    gradient[i] = (f(plus) - f(minus)) / (2 * epsilon)
  }
  return gradient
}

/// A smooth nonlinear test loss of a rollout: `Σᵢ cᵢ yᵢ + ½ Σᵢ yᵢ²` with fixed weights c.
@differentiable(reverse)
func probeLoss(_ y: [Double]) -> Double {
  var sum = 0.0
  for i in withoutDerivative(at: y.indices) {
    sum += (0.3 + 0.1 * Double(i % 7)) * y[i] + 0.5 * y[i] * y[i]
  }
  return sum
}

/// The relative error between the automatic-differentiation gradient of
/// `probeLoss(model.rollout(from: x0, steps:))` with respect to (parameters, x0) and central
/// differences.
func rolloutGradientError<Model: RolloutModel>(_ model: Model, _ x0: [Double], steps: Int)
  -> Double
{
  let (_, gradients) = valueWithGradient(at: model, x0) { model, x0 in
    probeLoss(model.rollout(from: x0, steps: steps))
  }
  let analytic =
    model.flatten(gradients.0)
    + [Double](gradients.1.base.isEmpty ? Array(repeating: 0, count: x0.count) : gradients.1.base)
  let p = model.parameterCount
  let numeric = centralDifference(model.flatParameters + x0) { values in
    var perturbed = model
    perturbed.flatParameters = Array(values[..<p])
    return probeLoss(perturbed.rollout(from: Array(values[p...]), steps: steps))
  }
  return relativeError(analytic, numeric)
}

/// `steps + 1` samples of `system` by Störmer–Verlet from `(q0, v0)`, with velocities
/// `M⁻¹p`, plus independent N(0, σ²) noise on every q and v entry.
func verletData<System: ConstantMassSystem>(
  _ system: System, q0: [Double], v0: [Double], stepSize h: Double, steps: Int,
  noise sigma: Double = 0, generator: inout SeededGenerator
) throws -> ObservedTrajectory {
  var integrator = try StormerVerlet(system: system, stepSize: h)
  let trajectory = try integrator.integrate(
    from: system.state(position: q0, velocity: v0), steps: steps)
  let positions = trajectory.states.map { $0.q.map { $0 + sigma * generator.nextStandardNormal() } }
  let velocities = trajectory.states.map { state in
    (system.velocity(state) ?? [.nan]).map { $0 + sigma * generator.nextStandardNormal() }
  }
  return try ObservedTrajectory(
    times: trajectory.times, positions: positions, velocities: velocities)
}

/// The relative error between the automatic-differentiation gradient, with respect to
/// (parameters, q), of the smooth probe `Σᵢ wᵢ gᵢ + ½ Σᵢ gᵢ²` of `g = ∇_qV_θ(q)` (weights
/// `wᵢ = 1 − 0.4 i`) and central differences: a check of the potential's hand-written pullback
/// of `(θ, q) ↦ ∇_qV_θ(q)`, the mixed second derivatives.
func potentialGradientPullbackError<Potential: LearnablePotential>(
  _ potential: Potential, at q: [Double]
) -> Double {
  let (_, gradients) = valueWithGradient(at: potential, q) { potential, q in
    gradientProbe(potential.gradient(at: q))
  }
  let analytic = potential.flatten(gradients.0) + gradients.1.base
  let p = potential.parameterCount
  let numeric = centralDifference(potential.flatParameters + q) { values in
    var perturbed = potential
    perturbed.flatParameters = Array(values[..<p])
    return gradientProbe(perturbed.gradient(at: Array(values[p...])))
  }
  return relativeError(analytic, numeric)
}

/// `Σᵢ wᵢ gᵢ + ½ Σᵢ gᵢ²` with `wᵢ = 1 − 0.4 i`.
@differentiable(reverse)
func gradientProbe(_ g: [Double]) -> Double {
  var sum = 0.0
  for i in withoutDerivative(at: g.indices) {
    sum += (1 - 0.4 * Double(i)) * g[i] + 0.5 * g[i] * g[i]
  }
  return sum
}
