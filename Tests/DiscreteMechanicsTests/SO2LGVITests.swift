import Testing

@testable import DiscreteMechanics

/// The Lie group variational integrator on SO(2) for the planar pendulum.
@Suite("SO(2) Lie group variational integrator")
struct SO2LGVITests {
  let pendulum: Pendulum

  init() throws { pendulum = try Pendulum() }

  @Test("pendulum at θ0 = 2: observed order 2 ± 0.1 against rk8pd at 1e-12")
  func order() throws {
    let finalTime = 2.0
    let initial = try pendulum.state(angle: 2, angularVelocity: 0.5)
    var reference = try ReferenceSolver(system: pendulum, stepSize: finalTime)
    let exact = try solve(
      &reference, from: PhaseState(q: [initial.angle], p: [initial.momentum]), to: finalTime)
    let stepSizes = [0.04, 0.02, 0.01, 0.005, 0.0025]
    var errors: [Double] = []
    for h in stepSizes {
      var lgvi = try SO2LGVI(system: pendulum, stepSize: h)
      let state = try solve(&lgvi, from: initial, to: finalTime)
      errors.append(maxDifference([state.angle, state.momentum], exact.flattened))
    }
    let p = try #require(ConvergenceOrder.fit(stepSizes: stepSizes, errors: errors))
    #expect(abs(p - 2) < 0.1, "observed order \(p), errors \(errors)")
    #expect(errors.last! > 1e-8)
  }

  @Test("1000 steps, π → −π, 1000 steps, π → −π returns to the start to 1e-12")
  func reversibility() throws {
    var lgvi = try SO2LGVI(system: pendulum, stepSize: 0.01)
    let initial = try pendulum.state(angle: 1, angularVelocity: 0)
    let back = try Reversibility.roundTrip(&lgvi, from: initial, steps: 1000) { $0.reversed }
    #expect(
      abs(back.angle - initial.angle) < 1e-12 && abs(back.momentum - initial.momentum) < 1e-12)
  }

  @Test("energy error stays bounded (O(h²), no drift) over 10⁵ steps")
  func energy() throws {
    var lgvi = try SO2LGVI(system: pendulum, stepSize: 0.01)
    var state = try pendulum.state(angle: 1, angularVelocity: 0)
    let e0 = pendulum.energy(state)
    var firstHalf = 0.0
    var secondHalf = 0.0
    for k in 0..<100_000 {
      try lgvi.step(&state)
      let error = abs(pendulum.energy(state) - e0)
      if k < 50_000 {
        firstHalf = max(firstHalf, error)
      } else {
        secondHalf = max(secondHalf, error)
      }
    }
    #expect(firstHalf < 1.5e-3 && secondHalf < 1.05 * firstHalf, "\(firstHalf), \(secondHalf)")
  }

  @Test("the angle is unwrapped: a rotating pendulum accumulates full turns continuously")
  func unwrappedAngle() throws {
    var lgvi = try SO2LGVI(system: pendulum, stepSize: 0.01)
    var state = try pendulum.state(angle: 0, angularVelocity: 7)  // above the separatrix 2√(g/l)
    var largestIncrement = 0.0
    for _ in 0..<1000 {
      let previous = state.angle
      try lgvi.step(&state)
      largestIncrement = max(largestIncrement, abs(state.angle - previous))
    }
    #expect(state.angle > 4 * Double.pi && largestIncrement < 0.1, "θ = \(state.angle)")
  }

  @Test("a step with |sin Δ| > 1 throws stepTooLarge naming the value")
  func stepTooLarge() throws {
    var lgvi = try SO2LGVI(system: pendulum, stepSize: 1)
    var state = try pendulum.state(angle: 0.1, angularVelocity: 5)
    #expect {
      try lgvi.step(&state)
    } throws: { error in
      guard case .stepTooLarge(_, let detail)? = error as? IntegrationError else { return false }
      return detail.contains("4.510")  // (h/J)(π − (h/2)U′(θ)) = 5 − 0.5·9.81·sin 0.1 ≈ 4.5103
    }
  }

  @Test("non-finite data and invalid inertia throw")
  func invalidInput() throws {
    #expect(throws: IntegrationError.self) {
      _ = try self.pendulum.state(angle: .nan, angularVelocity: 0)
    }
    #expect(throws: IntegrationError.self) {
      _ = try self.pendulum.state(angle: 0, angularVelocity: .infinity)
    }
    var lgvi = try SO2LGVI(system: pendulum, stepSize: 0.01)
    var state = RotorState(angle: .infinity, momentum: 0)
    #expect(throws: IntegrationError.nonFiniteState(step: nil)) { try lgvi.step(&state) }
    #expect(throws: IntegrationError.self) { _ = try Pendulum(mass: -1) }
    #expect {
      _ = try SO2LGVI(system: MasslessRotor(), stepSize: 0.01)
    } throws: { error in
      guard case .invalidParameter("J", 0, _)? = error as? IntegrationError else { return false }
      return true
    }
    #expect(throws: IntegrationError.self) {
      _ = try SO2LGVI(system: self.pendulum, stepSize: .nan)
    }
  }
}

/// A user-defined rotor with zero inertia.
private struct MasslessRotor: PlanarRotor {
  var inertia: Double { 0 }
  func potential(atAngle angle: Double) -> Double { 0 }
  func potentialDerivative(atAngle angle: Double) -> Double { 0 }
}
