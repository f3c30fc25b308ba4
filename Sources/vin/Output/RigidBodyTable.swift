import Plotting
import VINKit

/// The trajectory of a rigid body on SO(3): columns
/// `t, R11, R12, R13, R21, R22, R23, R31, R32, R33, w1, w2, w3, energy` with the attitude R
/// row by row and the body angular velocity `w = Ω = J⁻¹Π`.
struct RigidBodyTable: TrajectoryTable {
  /// `t_k`.
  var times: [Double]
  /// `R_k`.
  var attitudes: [SO3]
  /// `Ω_k`.
  var angularVelocities: [Vector3]
  /// `E(R_k, Π_k)`, computed before any noise is added.
  var energies: [Double]

  var header: [String] {
    ["t"] + (1...3).flatMap { i in (1...3).map { j in "R\(i)\(j)" } } + [
      "w1", "w2", "w3", "energy",
    ]
  }

  var count: Int { times.count }

  func row(_ index: Int) -> [Double] {
    let w = angularVelocities[index]
    return [times[index]] + attitudes[index].matrix.entries + [w.x, w.y, w.z, energies[index]]
  }

  /// The trajectory of `integrator` (which steps `system`) from the rotation vector q0 and the
  /// body angular velocity v0 of the setup.
  init<Method: Integrator, System: RigidBodySystem>(
    integrating integrator: inout Method, system: System, setup: SimulationSetup
  ) throws(IntegrationError) where Method.State == RigidBodyState {
    let (rotationVector, angularVelocity) = try setup.rigidBodyInitialCondition()
    let initial = try system.state(rotationVector: rotationVector, angularVelocity: angularVelocity)
    let trajectory = try integrator.integrate(from: initial, steps: setup.steps)
    times = trajectory.times
    attitudes = trajectory.states.map(\.attitude)
    angularVelocities = trajectory.states.map { system.angularVelocity(of: $0) }
    energies = trajectory.states.map { system.energy($0) }
  }

  /// Noise on SO(3) as a right perturbation `R ← R exp(ξ̂)`, ξ ~ N(0, σ²I), so the noisy
  /// attitude is still a rotation, and `w ← w + η`, η ~ N(0, σ²I) (drawn in the order ξ, η).
  func addingNoise(standardDeviation sigma: Double, generator: inout SeededGenerator) -> Self {
    var noisy = self
    func draw() -> Vector3 {
      Vector3(
        generator.nextNormal(standardDeviation: sigma),
        generator.nextNormal(standardDeviation: sigma),
        generator.nextNormal(standardDeviation: sigma))
    }
    for k in 0..<count {
      noisy.attitudes[k] = attitudes[k] * SO3.exp(draw())
      noisy.angularVelocities[k] += draw()
    }
    return noisy
  }

  func figure(title: String, subtitle: String) -> Figure {
    let components = ["Ω₁", "Ω₂", "Ω₃"].enumerated().map { i, name in
      Series(name: name, x: times, y: angularVelocities.map { $0[i] })
    }
    return Figure(
      title: title, subtitle: subtitle,
      panels: [
        Panel(
          title: "Body angular velocity", xLabel: "time t", yLabel: "Ω (rad per unit time)",
          series: components),
        EnergyPanel.make(times: times, energies: energies),
      ])
  }
}
