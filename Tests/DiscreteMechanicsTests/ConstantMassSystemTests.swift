import DiscreteMechanics
import Manifolds
import Testing

/// A ``ConstantMassSystem`` gives M only; ``StormerVerlet`` derives `M⁻¹` from it once.
@Suite("ConstantMassSystem: the mass matrix only, M⁻¹ derived by Störmer–Verlet")
struct ConstantMassSystemTests {
  /// A free particle on R^n with the given mass matrix (V = 0, so a step is the drift).
  struct FreeParticle: ConstantMassSystem {
    let mass: Matrix
    var dimension: Int
    func potential(at q: [Double]) -> Double { 0 }
    func potentialGradient(at q: Span<Double>, into gradient: inout MutableSpan<Double>) {
      for i in 0..<dimension { gradient[i] = 0 }
    }
  }

  @Test("a free step moves q by h M⁻¹ p, with M⁻¹ formed from M (full and diagonal M)")
  func driftUsesTheInverseOfM() throws {
    // M = [[2, 1], [1, 3]], M⁻¹ = [[3, −1], [−1, 2]] / 5.
    let full = try Matrix(rows: 2, columns: 2, storage: [2, 1, 1, 3])
    var verlet = try StormerVerlet(system: FreeParticle(mass: full, dimension: 2), stepSize: 0.5)
    var state = PhaseState(q: [1, -1], p: [5, 10])
    try verlet.step(&state)
    #expect(maxDifference(state.q, [1 + 0.5 * 1, -1 + 0.5 * 3]) < 1e-15, "q \(state.q)")
    #expect(state.p == [5, 10])

    // A diagonal M: exactly q + h p / mᵢ, the bits of the former stored 1/mᵢ.
    let masses = [3.0, 0.7]
    var diagonal = try StormerVerlet(
      system: FreeParticle(mass: .diagonal(masses), dimension: 2), stepSize: 0.1)
    var moved = PhaseState(q: [0.2, 0.4], p: [1.3, -0.9])
    try diagonal.step(&moved)
    #expect(moved.q == [0.2 + 0.1 * ((1 / 3.0) * 1.3), 0.4 + 0.1 * ((1 / 0.7) * -0.9)])
  }

  @Test("a singular or wrongly sized mass matrix is refused when the integrator is made")
  func badMassMatrices() throws {
    let singular = try Matrix(rows: 2, columns: 2, storage: [1, 2, 2, 4])
    #expect(throws: IntegrationError.singularMassMatrix(step: nil)) {
      try StormerVerlet(system: FreeParticle(mass: singular, dimension: 2), stepSize: 0.1)
    }
    #expect(
      throws: IntegrationError.wrongDimension(name: "mass matrix columns", expected: 3, actual: 2)
    ) {
      try StormerVerlet(system: FreeParticle(mass: .identity(2), dimension: 3), stepSize: 0.1)
    }
    let wide = try Matrix(rows: 2, columns: 3, storage: [1, 0, 0, 0, 1, 0])
    #expect(
      throws: IntegrationError.wrongDimension(name: "mass matrix rows", expected: 2, actual: 3)
    ) {
      try StormerVerlet(system: FreeParticle(mass: wide, dimension: 2), stepSize: 0.1)
    }
  }

  @Test("the built-in systems' M(q) is their constant mass matrix, with zero derivatives")
  func builtInMassMatrices() throws {
    let pendulum = try Pendulum(mass: 2, length: 0.5)
    #expect(pendulum.massMatrix(at: [0.3]) == .diagonal([0.5]))
    #expect(pendulum.massMatrixDerivative(at: [0.3], coordinate: 0) == .zeros(rows: 1, columns: 1))
    let oscillator = try HarmonicOscillator(dimension: 3, mass: 4)
    #expect(oscillator.mass == .diagonal([4, 4, 4]))
    #expect(Kepler().mass == .identity(2))
  }
}
