import DiscreteMechanics
import Foundation
import Testing

/// Störmer–Verlet and the Runge–Kutta baselines, checked against the mathematics they promise
/// beyond their traits (orders, reversibility and symplecticity are the laws of
/// `IntegratorTraitsBattery`, run on every pair).
@Suite("Explicit methods on R^n")
struct ExplicitMethodsTests {
  let pendulum: Pendulum

  init() throws { pendulum = try Pendulum() }

  @Test("10⁶ Verlet steps of the pendulum: energy error bounded by 1.1e-3 and without drift")
  func verletLongRunEnergy() throws {
    var verlet = try StormerVerlet(system: pendulum, stepSize: 0.01)
    var state = try pendulum.state(position: [1.0], velocity: [0.0])
    let e0 = pendulum.energy(state)
    let steps = 1_000_000
    let blocks = 10
    var blockMaxima = Array(repeating: 0.0, count: blocks)
    for k in 0..<steps {
      try verlet.step(&state)
      let error = abs(pendulum.energy(state) - e0)
      blockMaxima[k * blocks / steps] = max(blockMaxima[k * blocks / steps], error)
    }
    let maxError = blockMaxima.max() ?? .infinity
    // Backward error analysis: |ΔE| ≤ (h²/24)|…| ≈ 1.02e-3 for θ₀ = 1, h = 0.01.
    #expect(maxError <= 1.1e-3, "max |ΔE| = \(maxError)")
    #expect(maxError > 5e-4, "the bound should be nearly attained, got \(maxError)")
    let ratio = blockMaxima[blocks - 1] / blockMaxima[0]
    #expect(
      abs(ratio - 1) < 0.2,
      "first and last tenth maxima \(blockMaxima[0]), \(blockMaxima[blocks - 1])")
  }

  @Test("Kepler angular momentum is conserved by Verlet to 1e-13 relative over 10⁵ steps")
  func keplerAngularMomentum() throws {
    let kepler = Kepler()
    var verlet = try StormerVerlet(system: kepler, stepSize: 0.001)
    var state = try kepler.state(position: [0.4, 0], velocity: [0, 2])
    let angularMomentum = MomentumMap.rotation(plane: 0, 1)
    let l0 = angularMomentum(state)
    #expect(abs(l0 - kepler.angularMomentum(state)) == 0)
    var worst = 0.0
    for _ in 0..<100_000 {
      try verlet.step(&state)
      worst = max(worst, abs(angularMomentum(state) - l0) / abs(l0))
    }
    #expect(worst < 1e-13, "relative angular momentum error \(worst)")
    // The negative control: RK4 at the same step does not conserve it to that level.
    var rk4 = try ExplicitRungeKutta.classicalRK4(system: kepler, stepSize: 0.01)
    var rkState = try kepler.state(position: [0.4, 0], velocity: [0, 2])
    for _ in 0..<10_000 { try rk4.step(&rkState) }
    #expect(abs(angularMomentum(rkState) - l0) / abs(l0) > 1e-12)
  }

  @Test(
    "symplecticity defect at the finite-difference floor for Verlet, above it for Euler and RK4")
  func symplecticity() throws {
    let henon = HenonHeiles()
    let x = [0.1, -0.1, 0.25, 0.1]
    func flow<M: Integrator<PhaseState>>(_ make: @escaping () throws -> M) -> ([Double]) throws ->
      [Double]
    {
      { x in
        var method = try make()
        var state = PhaseState(q: Array(x[0..<2]), p: Array(x[2..<4]))
        for _ in 0..<10 { try method.step(&state) }
        return state.flattened
      }
    }
    let h = 0.1
    let verlet = try SymplecticityDefect.of(
      flow { try StormerVerlet(system: henon, stepSize: h) }, at: x)
    let euler = try SymplecticityDefect.of(
      flow { try ExplicitRungeKutta.explicitEuler(system: henon, stepSize: h) }, at: x)
    let rk4 = try SymplecticityDefect.of(
      flow { try ExplicitRungeKutta.classicalRK4(system: henon, stepSize: h) }, at: x)
    let floor = 1e-9
    #expect(verlet < floor, "verlet defect \(verlet)")
    #expect(euler > 100 * floor, "euler defect \(euler)")
    #expect(rk4 > 100 * floor, "rk4 defect \(rk4)")
  }

  @Test("Verlet is time-reversible to 1e-12; RK4 is not")
  func reversibility() throws {
    let kepler = Kepler()
    let start = try kepler.state(position: [0.4, 0], velocity: [0, 2])
    var verlet = try StormerVerlet(system: kepler, stepSize: 0.001)
    let back = try Reversibility.roundTrip(&verlet, from: start, steps: 1000) { $0.reversed }
    #expect(maxDifference(back.flattened, start.flattened) < 1e-12)
    var rk4 = try ExplicitRungeKutta.classicalRK4(system: kepler, stepSize: 0.01)
    let rkBack = try Reversibility.roundTrip(&rk4, from: start, steps: 100) { $0.reversed }
    #expect(maxDifference(rkBack.flattened, start.flattened) > 1e-10)
  }

  @Test("bad input is a typed error naming the value")
  func badInput() throws {
    #expect(throws: IntegrationError.invalidStepSize(0)) {
      try StormerVerlet(system: pendulum, stepSize: 0)
    }
    #expect(throws: IntegrationError.invalidStepSize(-1)) {
      try ExplicitRungeKutta.classicalRK4(system: pendulum, stepSize: -1)
    }
    #expect(throws: IntegrationError.self) { try StormerVerlet(system: pendulum, stepSize: .nan) }
    #expect(throws: IntegrationError.nonFiniteInput(name: "q0", index: 0, value: .infinity)) {
      try pendulum.state(position: [.infinity], velocity: [0])
    }
    #expect(throws: IntegrationError.wrongDimension(name: "q0", expected: 2, actual: 1)) {
      try Kepler().state(position: [1], velocity: [0, 1])
    }
    #expect(
      throws: IntegrationError.invalidParameter(
        name: "m", value: -1, requirement: "must be positive and finite")
    ) {
      try Pendulum(mass: -1)
    }
    var verlet = try StormerVerlet(system: Kepler(), stepSize: 0.1)
    #expect(throws: IntegrationError.nonFiniteState(step: 0)) {
      _ = try verlet.integrate(from: PhaseState(q: [0, 0], p: [0, 0]), steps: 3)
    }
    #expect(throws: IntegrationError.invalidStepCount(-1)) {
      _ = try verlet.integrate(from: PhaseState(q: [1, 0], p: [0, 1]), steps: -1)
    }
  }
}
