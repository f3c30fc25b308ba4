import DiscreteMechanics
import Testing

/// `DΦᵀ Ω DΦ = Ω` for the symplectic methods with canonical coordinates, measured by central
/// differences (`SymplecticityDefect`, δ = 1e-5: floor ~1e-9), with RK4 as the negative control on
/// the same problem and step.
@Suite("Symplecticity of the variational integrators")
struct SymplecticityTests {
  let floor = 1e-9

  /// Ten steps of `make()` from the phase-space point `x = (q, p)`.
  func flow<M: Integrator<PhaseState>>(
    dimension n: Int, steps: Int = 10, _ make: @escaping () throws -> M
  ) -> ([Double]) throws -> [Double] {
    { x in
      var method = try make()
      var state = PhaseState(q: Array(x[0..<n]), p: Array(x[n..<(2 * n)]))
      for _ in 0..<steps { try method.step(&state) }
      return state.flattened
    }
  }

  @Test("implicit midpoint and trapezoidal on the double pendulum (M depends on q)")
  func implicitMethods() throws {
    let system = try DoublePendulum()
    let start = try system.state(position: [0.5, 1.0], velocity: [0.3, -0.2]).flattened
    let h = 0.05
    let midpoint = try SymplecticityDefect.of(
      flow(dimension: 2) { try VariationalMidpoint(system: system, stepSize: h) }, at: start)
    let trapezoidal = try SymplecticityDefect.of(
      flow(dimension: 2) { try VariationalTrapezoidal(system: system, stepSize: h) }, at: start)
    let rk4 = try SymplecticityDefect.of(
      flow(dimension: 2) { try ExplicitRungeKutta.classicalRK4(system: system, stepSize: h) },
      at: start)
    #expect(midpoint < floor, "midpoint defect \(midpoint)")
    #expect(trapezoidal < floor, "trapezoidal defect \(trapezoidal)")
    #expect(rk4 > 100 * floor, "rk4 defect \(rk4)")
  }

  @Test("LGVI on SO(2) in the canonical coordinates (θ, π)")
  func planarLGVI() throws {
    let pendulum = try Pendulum()
    let h = 0.1
    let lgvi: ([Double]) throws -> [Double] = { x in
      var method = try SO2LGVI(system: pendulum, stepSize: h)
      var state = RotorState(angle: x[0], momentum: x[1])
      for _ in 0..<10 { try method.step(&state) }
      return [state.angle, state.momentum]
    }
    let defect = try SymplecticityDefect.of(lgvi, at: [2.0, 0.5])
    let rk4 = try SymplecticityDefect.of(
      flow(dimension: 1) { try ExplicitRungeKutta.classicalRK4(system: pendulum, stepSize: h) },
      at: [2.0, 0.5])
    #expect(defect < floor, "SO(2) LGVI defect \(defect)")
    #expect(rk4 > 100 * floor, "rk4 defect \(rk4)")
  }
}
