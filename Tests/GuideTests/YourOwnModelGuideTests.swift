import Foundation
import Testing
import VINKit

/// Docs/YourOwnModel.md: its code is YourOwnModelGuide.swift, and it does what the guide says.
@Suite("Docs/YourOwnModel.md: the guide's code, compiled and run")
struct YourOwnModelGuideTests {
  /// The package directory (three levels above this file).
  static let packageDirectory = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

  /// The text of the ```swift blocks of `markdown`, in order.
  static func swiftBlocks(ofMarkdown markdown: String) -> [String] {
    var blocks: [String] = []
    var current: [Substring]? = nil
    for line in markdown.split(separator: "\n", omittingEmptySubsequences: false) {
      if let lines = current {
        if line == "```" {
          blocks.append(lines.joined(separator: "\n"))
          current = nil
        } else {
          current = lines + [line]
        }
      } else if line == "```swift" {
        current = []
      }
    }
    return blocks
  }

  /// The blocks of the guide's source file: the text between its marker lines, without the
  /// blank lines around each.
  static func blocks(ofSource source: String) -> [String] {
    let marker = "// MARK: - Guide block"
    return source.components(separatedBy: "\n" + marker + "\n").dropFirst().map {
      $0.trimmingCharacters(in: .newlines)
    }
  }

  @Test("the guide's ```swift blocks are YourOwnModelGuide.swift's blocks, in order")
  func guideMatchesSource() throws {
    let guide = try String(
      contentsOf: Self.packageDirectory.appending(path: "Docs/YourOwnModel.md"), encoding: .utf8)
    let source = try String(
      contentsOf: Self.packageDirectory.appending(path: "Tests/GuideTests/YourOwnModelGuide.swift"),
      encoding: .utf8)
    let documented = Self.swiftBlocks(ofMarkdown: guide)
    let compiled = Self.blocks(ofSource: source)
    #expect(compiled.count >= 10, "blocks in the source: \(compiled.count)")
    #expect(
      documented.count == compiled.count, "guide \(documented.count), source \(compiled.count)")
    for (k, (text, code)) in zip(documented, compiled).enumerated() {
      #expect(text == code, "block \(k + 1) of the guide differs from the source")
    }
  }

  @Test("(a) Störmer–Verlet keeps the Duffing oscillator's energy error small and bounded")
  func constantMassSystem() throws {
    let error = try duffingEnergyError()
    #expect(error < 3e-3, "max |ΔE| = \(error)")  // measured 2.1e-3
    #expect(error > 0)
    // The mass matrix is the only mass given; Störmer–Verlet inverts it.
    let heavy = DuffingOscillator(mass: 4)
    var verlet = try StormerVerlet(system: heavy, stepSize: 0.1)
    var state = PhaseState(q: [0], p: [2])
    try verlet.step(&state)
    #expect(abs(state.q[0] - 0.1 * 2 / 4) < 1e-15)
  }

  @Test("(b) the spherical pendulum: ∂M/∂q by central differences, p_φ exact, energy bounded")
  func configurationDependentMass() throws {
    let system = SphericalPendulum()
    let q = [0.7, -0.4]
    for i in 0..<2 {
      let delta = 1e-6
      var plus = q
      var minus = q
      plus[i] += delta
      minus[i] -= delta
      let difference = zip(
        system.massMatrix(at: plus).storage, system.massMatrix(at: minus).storage
      ).map { ($0 - $1) / (2 * delta) }
      let analytic = system.massMatrixDerivative(at: q, coordinate: i).storage
      #expect(zip(difference, analytic).allSatisfy { abs($0 - $1) < 1e-8 }, "coordinate \(i)")
    }
    let errors = try sphericalPendulumErrors()
    #expect(errors.energy < 2e-3, "max |ΔE| = \(errors.energy)")  // measured 7.1e-4
    #expect(errors.verticalMomentum < 1e-10, "max |Δp_φ| = \(errors.verticalMomentum)")
  }

  @Test("(c) the satellite: the moment follows from U, energy bounded, eᵀRΠ conserved")
  func rigidBodySystem() throws {
    let satellite = GravityGradientSatellite(
      inertia: Matrix3(diagonal: Vector3(1, 2, 2.5)), k: 3, direction: Vector3(0, 0, 1))
    var generator = SeededGenerator(seed: 11)
    for _ in 0..<5 {
      let attitude = SO3.exp(
        Vector3(generator.nextUniform(), generator.nextUniform(), generator.nextUniform()) * 2)
      #expect(momentCheck(satellite, at: attitude) < 1e-8)
      // A wrong sign is caught: the check can fail.
      struct WrongSign: RigidBodySystem {
        let body: GravityGradientSatellite
        var inertia: Matrix3 { body.inertia }
        func potential(at attitude: SO3) -> Double { body.potential(at: attitude) }
        func moment(at attitude: SO3) -> Vector3 { -body.moment(at: attitude) }
      }
      #expect(momentCheck(WrongSign(body: satellite), at: attitude) > 1e-3)
    }
    let errors = try satelliteErrors()
    #expect(errors.energy < 5e-4, "max |ΔE| = \(errors.energy)")  // measured 1.9e-4
    #expect(errors.momentumAboutE < 1e-12, "max |Δ eᵀRΠ| = \(errors.momentumAboutE)")
  }

  @Test("(d) a Swift training loop: the fit lowers the loss and the forecast error")
  func trainingLoop() throws {
    let fit = try fitDuffing()
    #expect(fit.losses.count == 300)
    let first = try #require(fit.losses.first)
    let last = try #require(fit.losses.last)
    #expect(last < first, "loss \(first) → \(last)")
    // Measured: 3.1 → 0.0066.
    #expect(fit.after < fit.before / 100, "forecast MSE \(fit.before) → \(fit.after)")
    #expect(fit.after < 0.03, "forecast MSE \(fit.after)")
  }

  @Test("(e) a custom LearnablePotential: the fit recovers k = 1 and λ = 0.5")
  func customPotential() throws {
    let potential = try fitQuartic()  // measured k = 1.008, λ = 0.485
    #expect(abs(potential.stiffness - 1) < 0.05, "k = \(potential.stiffness)")
    #expect(abs(potential.hardening - 0.5) < 0.05, "λ = \(potential.hardening)")
  }

  @Test("a plain `TangentVector` in user code is the model's own tangent type")
  func tangentVectorName() {
    let potential = QuarticPotential(stiffness: 2, hardening: 3)
    let tangent = QuarticPotential.TangentVector(stiffness: 0.25, hardening: -1)
    #expect(potential.flatten(tangent) == [0.25, -1])
    #expect(potential.flatten(.zero) == [0, 0])
  }
}
