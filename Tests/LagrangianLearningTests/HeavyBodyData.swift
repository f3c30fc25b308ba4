import DiscreteMechanics
import Foundation
import LagrangianLearning
import Manifolds

/// Issue 4's heavy-body setting: the heavy top of `vin simulate heavy-top` hanging, centre of
/// mass ρ = (0, 0, −0.3) below the pivot, J = diag(0.13, 0.28, 0.17), m = 1, g = 9.81, stepped
/// by `SO3LGVI`; initial states with rotation-vector entries in (−0.8, 0.8) and Ω entries in
/// (−3, 3); observations `R exp(ξ̂)`, ξ ~ N(0, σ²I), and `Ω + η`, η ~ N(0, σ²I).
struct HeavyBodyData {
  let truth: HeavyTop
  let stepSize: Double

  init(stepSize: Double = 0.02) throws {
    truth = try HeavyTop(centreOfMass: Vector3(0, 0, -0.3))
    self.stepSize = stepSize
  }

  /// A random initial state (rotation vector, Ω).
  static func randomStart(_ generator: inout SeededGenerator) -> (Vector3, Vector3) {
    func uniform(_ a: Double) -> Double { a * (2 * generator.nextUniform() - 1) }
    return (
      Vector3(uniform(0.8), uniform(0.8), uniform(0.8)),
      Vector3(uniform(3), uniform(3), uniform(3))
    )
  }

  /// The true states at k = 0…steps.
  func states(from start: (Vector3, Vector3), steps: Int) throws -> [RigidBodyState] {
    var integrator = try SO3LGVI(system: truth, stepSize: stepSize)
    let initial = try truth.state(rotationVector: start.0, angularVelocity: start.1)
    return try integrator.integrate(from: initial, steps: steps).states
  }

  /// `count` noisy trajectories of `samples` samples (noise σ on the attitude in radians and on Ω).
  func noisyTrajectories(
    count: Int, samples: Int, noise: Double, generator: inout SeededGenerator
  ) throws -> [ObservedTrajectory] {
    func draw() -> Vector3 {
      Vector3(
        generator.nextNormal(standardDeviation: noise),
        generator.nextNormal(standardDeviation: noise),
        generator.nextNormal(standardDeviation: noise))
    }
    return try (0..<count).map { _ in
      let states = try states(from: Self.randomStart(&generator), steps: samples - 1)
      var attitudes: [SO3] = []
      var angularVelocities: [Vector3] = []
      for state in states {
        attitudes.append(state.attitude * SO3.exp(draw()))
        angularVelocities.append(truth.angularVelocity(of: state) + draw())
      }
      return try ObservedTrajectory(
        times: states.indices.map { Double($0) * stepSize }, attitudes: attitudes,
        angularVelocities: angularVelocities)
    }
  }

  /// The true energy `½ΩᵀJΩ + m g e_zᵀRρ` of a forecast row `(R, Ω)` (R as forecast, not
  /// projected).
  func energy(_ r: Matrix3, _ w: Vector3) -> Double {
    0.5 * w.dot(truth.inertia * w) + truth.m * truth.gravity * r.row2.dot(truth.centreOfMass)
  }

  /// Forecast quality from the true initial states `starts`, over `steps` steps, averaged over
  /// the starts, of the rows `x̂_k = (R̂_k, Ω̂_k)` that the model predicts
  /// (``RolloutModel/rollout(from:steps:)``, the rows it was trained on): the mean over steps
  /// 1…N of the geodesic attitude error `|log(R̂ᵀR)|` (an R̂ that is not a rotation, a
  /// baseline's, is projected onto SO(3) first, and counts as π where it has no projection),
  /// and the energy drift `max_k |E(x̂_k) − E(x₀)|` with the true energy.
  func score(_ model: some RolloutModel, starts: [(Vector3, Vector3)], steps: Int) throws
    -> (geodesicError: Double, energyDrift: Double)
  {
    var geodesic = 0.0
    var drift = 0.0
    for start in starts {
      let states = try states(from: start, steps: steps)
      let w0 = truth.angularVelocity(of: states[0])
      let rows = model.rollout(
        from: states[0].attitude.matrix.entries + w0.components, steps: steps)
      let e0 = energy(states[0].attitude.matrix, w0)
      var largest = 0.0
      for k in 0...steps {
        let x = Array(rows[(12 * k)..<(12 * k + 12)])
        let matrix = Matrix3(x[0], x[1], x[2], x[3], x[4], x[5], x[6], x[7], x[8])
        let e = energy(matrix, Vector3(x[9], x[10], x[11]))
        largest = max(largest, e.isFinite ? abs(e - e0) : .infinity)
        guard k > 0 else { continue }
        let distance: Double
        do {
          distance = (try SO3(projecting: matrix).inverse() * states[k].attitude).log().norm
        } catch {
          distance = Double.pi
        }
        geodesic += (distance.isFinite ? distance : .pi) / Double(steps * starts.count)
      }
      drift += largest / Double(starts.count)
    }
    return (geodesic, drift)
  }
}
