import Plotting
import VINKit

/// The trajectory of a system on R^n or SO(2): columns `t, q1…qn, v1…vn, energy`, with the
/// velocity `v = M(q)⁻¹ p` recovered from the discrete momentum and angles unwrapped.
struct CoordinateTable: TrajectoryTable {
  /// The number n of coordinates.
  let dimension: Int
  /// `t_k`.
  var times: [Double]
  /// `q_k`, row-major (n per row).
  var positions: [Double]
  /// `v_k`, row-major (n per row).
  var velocities: [Double]
  /// `E(q_k, p_k)`, computed before any noise is added.
  var energies: [Double]

  var header: [String] {
    ["t"] + (1...dimension).map { "q\($0)" } + (1...dimension).map { "v\($0)" } + ["energy"]
  }

  var count: Int { times.count }

  func row(_ index: Int) -> [Double] {
    let range = (index * dimension)..<((index + 1) * dimension)
    return [times[index]] + positions[range] + velocities[range] + [energies[index]]
  }

  func addingNoise(standardDeviation sigma: Double, generator: inout SeededGenerator) -> Self {
    var noisy = self
    for k in 0..<count {
      for i in (k * dimension)..<((k + 1) * dimension) {
        noisy.positions[i] += generator.nextNormal(standardDeviation: sigma)
      }
      for i in (k * dimension)..<((k + 1) * dimension) {
        noisy.velocities[i] += generator.nextNormal(standardDeviation: sigma)
      }
    }
    return noisy
  }

  func figure(title: String, subtitle: String) -> Figure {
    let coordinates = (0..<dimension).map { i in
      Series(
        name: "q\(i + 1)", x: times,
        y: stride(from: i, to: positions.count, by: dimension).map { positions[$0] })
    }
    return Figure(
      title: title, subtitle: subtitle,
      panels: [
        Panel(title: "Coordinates", xLabel: "time t", yLabel: "q", series: coordinates),
        EnergyPanel.make(times: times, energies: energies),
      ])
  }
}

extension CoordinateTable {
  /// The trajectory of `integrator` (which steps `system`) from the setup's (q0, v0).
  ///
  /// - Throws: the integrator's errors, or ``IntegrationError/singularMassMatrix(step:)`` when
  ///   `M(q_k)` cannot be inverted to recover `v_k`.
  init<Method: Integrator, System: LagrangianSystem>(
    integrating integrator: inout Method, system: System, setup: SimulationSetup
  ) throws(IntegrationError) where Method.State == PhaseState {
    let initial = try system.state(position: setup.position, velocity: setup.velocity)
    let trajectory = try integrator.integrate(from: initial, steps: setup.steps)
    dimension = system.dimension
    times = trajectory.times
    positions = []
    velocities = []
    energies = []
    positions.reserveCapacity(times.count * dimension)
    velocities.reserveCapacity(times.count * dimension)
    energies.reserveCapacity(times.count)
    for (k, state) in trajectory.states.enumerated() {
      guard let v = system.velocity(state) else { throw .singularMassMatrix(step: k) }
      positions += state.q
      velocities += v
      energies.append(system.energy(state))
    }
  }

  /// The trajectory of a planar rotor stepped on SO(2): `q1 = θ` (unwrapped), `v1 = π/J`.
  init<Method: Integrator, Rotor: PlanarRotor>(
    integrating integrator: inout Method, rotor: Rotor, setup: SimulationSetup
  ) throws(IntegrationError) where Method.State == RotorState {
    try IntegrationError.check(setup.position, name: "q0", dimension: 1)
    try IntegrationError.check(setup.velocity, name: "v0", dimension: 1)
    let initial = try rotor.state(angle: setup.position[0], angularVelocity: setup.velocity[0])
    let trajectory = try integrator.integrate(from: initial, steps: setup.steps)
    dimension = 1
    times = trajectory.times
    positions = trajectory.states.map(\.angle)
    velocities = trajectory.states.map { rotor.angularVelocity(of: $0) }
    energies = trajectory.states.map { rotor.energy($0) }
  }
}
