import Foundation
import Testing
import VINKit

/// End-to-end runs of `vin simulate` that succeed: the CSV layout of DESIGN §4, the defaults of
/// its table of systems, and values that only a correct simulation produces.
@Suite struct SimulateCommandTests {
  @Test func pendulumDefaultsWriteHeaderAndOneRowPerStepIncludingTheStart() throws {
    let run = try VINExecutable.run(["simulate", "pendulum", "--dt", "0.05", "--steps", "40"])
    #expect(run.status == 0)
    #expect(run.standardError.isEmpty)
    let table = try CSVTable(run.standardOutput)
    #expect(table.header == ["t", "q1", "v1", "energy"])
    #expect(table.rows.count == 41)
    // Defaults: θ0 = 1, θ̇0 = 0, m = l = 1, g = 9.81, so E = −g cos 1.
    #expect(table.rows[0] == [0, 1, 0, -9.81 * cos(1.0)])
    for (k, t) in try table.column("t").enumerated() {
      #expect(abs(t - Double(k) * 0.05) <= 1e-12)
    }
  }

  @Test func zeroStepsWriteTheInitialRowOnly() throws {
    let run = try VINExecutable.run(["simulate", "henon-heiles", "--steps", "0"])
    #expect(run.status == 0)
    #expect(try CSVTable(run.standardOutput).rows.count == 1)
  }

  @Test func defaultStepCountIsAThousand() throws {
    let run = try VINExecutable.run(["simulate", "kepler"])
    #expect(run.status == 0)
    let table = try CSVTable(run.standardOutput)
    #expect(table.rows.count == 1001)
    #expect(table.header == ["t", "q1", "q2", "v1", "v2", "energy"])
    // q0 = (0.4, 0), v0 = (0, 2): E = ½·4 − 1/0.4.
    #expect(table.rows[0] == [0, 0.4, 0, 0, 2, 2 - 2.5])
  }

  @Test(arguments: [
    ("henon-heiles", [0.1, -0.1, 0.25, 0.1]),
    ("harmonic", [1.0, 0.0]),
  ])
  func defaultInitialConditions(system: String, expected: [Double]) throws {
    let run = try VINExecutable.run(["simulate", system, "--steps", "1"])
    #expect(run.status == 0)
    let table = try CSVTable(run.standardOutput)
    #expect(Array(table.rows[0].dropFirst().dropLast()) == expected)
  }

  @Test func negativeNumbersAreValuesAndHarmonicDimensionComesFromQ0() throws {
    let run = try VINExecutable.run([
      "simulate", "harmonic", "--q0", "-0.1,0.1,-2e-1", "--v0", "-1,0,0.5", "--steps", "3",
    ])
    #expect(run.status == 0, "\(run.standardError)")
    let table = try CSVTable(run.standardOutput)
    #expect(table.header == ["t", "q1", "q2", "q3", "v1", "v2", "v3", "energy"])
    #expect(table.rows[0] == [0, -0.1, 0.1, -0.2, -1, 0, 0.5, 0.5 * (0.06 + 1.25)])
  }

  /// `--param k=4` must reach the system: with rk8pd, q(t) = cos 2t to the solver's accuracy.
  @Test func parametersReachTheSystem() throws {
    let run = try VINExecutable.run([
      "simulate", "harmonic", "--integrator", "rk8pd", "--param", "k=4", "--param", "m=1",
      "--dt", "0.1", "--steps", "50",
    ])
    #expect(run.status == 0, "\(run.standardError)")
    let table = try CSVTable(run.standardOutput)
    for row in table.rows {
      #expect(abs(row[1] - cos(2 * row[0])) < 1e-9)
      #expect(abs(row[2] + 2 * sin(2 * row[0])) < 1e-9)
      #expect(abs(row[3] - 2) < 1e-9)  // E = ½ m v² + ½ k q² = ½·4
    }
  }

  /// The SO(2) LGVI writes the unwrapped angle: a pendulum spun over the top keeps turning.
  @Test func pendulumLGVIWritesTheUnwrappedAngle() throws {
    let run = try VINExecutable.run([
      "simulate", "pendulum", "--integrator", "lgvi", "--v0", "10", "--dt", "0.01",
      "--steps", "500",
    ])
    #expect(run.status == 0, "\(run.standardError)")
    let table = try CSVTable(run.standardOutput)
    let angle = try table.column("q1")
    #expect(zip(angle, angle.dropFirst()).allSatisfy { $0 < $1 })
    #expect(angle.last! > 6 * Double.pi)
    let energy = try table.column("energy")
    #expect(energy.allSatisfy { abs($0 - energy[0]) < 1e-2 * abs(energy[0]) })
  }

  /// The velocity columns hold v = M(q)⁻¹p, not the momentum: on the double pendulum (M ≠ I)
  /// they agree with central differences of the q columns to O(h²).
  @Test(arguments: ["midpoint", "trapezoidal"])
  func doublePendulumWritesVelocitiesAndKeepsEnergyBounded(integrator: String) throws {
    let h = 0.002
    let run = try VINExecutable.run([
      "simulate", "double-pendulum", "--integrator", integrator, "--dt", "\(h)", "--steps", "5000",
    ])
    #expect(run.status == 0, "\(run.standardError)")
    let table = try CSVTable(run.standardOutput)
    #expect(table.header == ["t", "q1", "q2", "v1", "v2", "energy"])
    #expect(table.rows[0] == [0, 0.5, 1, 0, 0, -2 * 9.81 * cos(0.5) - 9.81 * cos(1.0)])
    var largest = 0.0
    for k in 1..<(table.rows.count - 1) {
      for i in 1...2 {
        let difference = (table.rows[k + 1][i] - table.rows[k - 1][i]) / (2 * h)
        largest = max(largest, abs(difference - table.rows[k][i + 2]))
      }
    }
    #expect(largest < 1e-3)
    let energy = try table.column("energy")
    #expect(energy.allSatisfy { abs($0 - energy[0]) < 1e-4 })
  }

  @Test func rigidBodyRowsHoldTheAttitudeAngularVelocityAndEnergy() throws {
    let run = try VINExecutable.run(["simulate", "rigid-body", "--dt", "0.01", "--steps", "200"])
    #expect(run.status == 0, "\(run.standardError)")
    let table = try CSVTable(run.standardOutput)
    #expect(
      table.header == [
        "t", "R11", "R12", "R13", "R21", "R22", "R23", "R31", "R32", "R33", "w1", "w2", "w3",
        "energy",
      ])
    #expect(table.rows.count == 201)
    // R0 = I, Ω0 = (0.05, 1, 0.05), J = diag(1, 2, 3).
    #expect(table.rows[0] == [0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0.05, 1, 0.05, 1.005])
    for row in table.rows {
      #expect(orthogonalityDefect(Array(row[1...9])) < 1e-13)
      #expect(abs(row[13] - 1.005) < 1e-12)  // the free-body LGVI conserves energy
    }
  }

  @Test func heavyTopStartsFromTheRotationVector() throws {
    let run = try VINExecutable.run(["simulate", "heavy-top", "--steps", "2"])
    #expect(run.status == 0, "\(run.standardError)")
    let row = try CSVTable(run.standardOutput).rows[0]
    // exp(0.5 ê₁): rotation by 0.5 about the first axis.
    let (c, s) = (cos(0.5), sin(0.5))
    let expected = [1, 0, 0, 0, c, -s, 0, s, c]
    for (value, reference) in zip(row[1...9], expected) { #expect(abs(value - reference) < 1e-15) }
    // Ω = J⁻¹(JΩ₀) is Ω₀ up to rounding.
    for (value, reference) in zip(row[10...12], [0.0, 0, 10]) {
      #expect(abs(value - reference) <= 1e-14)
    }
    // E = ½ Ωᵀ J Ω + m g e_zᵀ R ρ = ½·0.17·100 + 9.81·0.3·cos 0.5.
    #expect(abs(row[13] - (8.5 + 9.81 * 0.3 * c)) < 1e-12)
  }

  @Test func outputFileHoldsWhatStandardOutputWouldAndThePlotIsAnSVG() throws {
    try withTemporaryDirectory { directory in
      let arguments = ["simulate", "henon-heiles", "--integrator", "rk4", "--steps", "30"]
      let printed = try VINExecutable.run(arguments)
      let written = try VINExecutable.run(
        arguments + ["--output", "run.csv", "--plot", "run.svg"], in: directory)
      #expect(written.status == 0, "\(written.standardError)")
      #expect(written.standardOutput.isEmpty)
      let file = try String(
        contentsOf: directory.appendingPathComponent("run.csv"), encoding: .utf8)
      #expect(file == printed.standardOutput)
      let svg = try String(contentsOf: directory.appendingPathComponent("run.svg"), encoding: .utf8)
      #expect(svg.hasPrefix("<?xml"))
      #expect(svg.contains("<svg") && svg.hasSuffix("</svg>\n"))
      #expect(svg.contains(">q1</text>") && svg.contains(">q2</text>"))
      #expect(svg.contains("Energy error"))
      let names = try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted()
      #expect(names == ["run.csv", "run.svg"])
    }
  }

  @Test func systemsListsEverySystemWithParametersDefaultsAndIntegrators() throws {
    let run = try VINExecutable.run(["systems"])
    #expect(run.status == 0)
    let text = run.standardOutput
    for (system, integrator) in [
      ("pendulum", "verlet"), ("harmonic", "verlet"), ("kepler", "verlet"),
      ("henon-heiles", "verlet"), ("double-pendulum", "midpoint"), ("rigid-body", "lgvi"),
      ("heavy-top", "lgvi"),
    ] {
      let block = try #require(
        text.components(separatedBy: "\n\n").first { $0.hasPrefix("\(system):") },
        "\(system) is not listed")
      #expect(block.contains("integrators: \(integrator) (default)"))
    }
    for parameter in ["g = 9.81", "k = 1.0", "J3 = 3.0", "rho3 = 0.3", "J1 = 0.13"] {
      #expect(text.contains(parameter))
    }
    #expect(text.contains("--q0 0.1,-0.1  --v0 0.25,0.1"))
  }

  /// The integrators' lines are the library's traits, so they cannot drift from them (the
  /// midpoint rule's once omitted "symmetric").
  @Test func systemsListsEachIntegratorWithTheTraitsOfItsType() throws {
    let run = try VINExecutable.run(["systems"])
    #expect(run.status == 0)
    let section = try #require(run.standardOutput.components(separatedBy: "\nintegrators:\n").last)
    let lines = section.split(separator: "\n").map(String.init)
    func line(_ name: String) -> String? { lines.first { $0.hasPrefix("  \(name) ") } }
    let single: [(String, IntegratorTraits)] = [
      ("verlet", StormerVerlet<Pendulum>.methodTraits),
      ("midpoint", VariationalMidpoint<Pendulum>.methodTraits),
      ("trapezoidal", VariationalTrapezoidal<Pendulum>.methodTraits),
      ("euler", ExplicitEuler<Pendulum>.methodTraits),
      ("rk4", ClassicalRK4<Pendulum>.methodTraits),
      ("rk8pd", ReferenceSolver<Pendulum>.methodTraits),
    ]
    for (name, traits) in single {
      let text = try #require(line(name), "\(name) is not listed")
      #expect(text.hasSuffix(": " + traits.properties), "\(text)")
    }
    #expect(try #require(line("midpoint")).contains("symplectic, symmetric"))
    #expect(
      RigidBodyReferenceSolver<HeavyTop>.methodTraits == ReferenceSolver<Pendulum>.methodTraits)
    // The LGVI is explicit on SO(2) and implicit on SO(3): one line for each, naming the systems.
    #expect(
      lines.contains("    on pendulum: " + SO2LGVI<Pendulum>.methodTraits.properties))
    #expect(
      lines.contains("    on rigid-body, heavy-top: " + SO3LGVI<HeavyTop>.methodTraits.properties))
  }

  /// The (integrator, system) pairs `vin` offers are the 39 that DiscreteMechanicsTests'
  /// `IntegratorTraitsBattery` checks the traits on: a pair added here must be added there.
  @Test func systemsOffersThePairsTheTraitsBatteryChecks() throws {
    let run = try VINExecutable.run(["systems"])
    let pairs = run.standardOutput.split(separator: "\n").filter {
      $0.hasPrefix("  integrators: ")
    }.map { $0.dropFirst("  integrators: ".count).split(separator: ",").count }
    #expect(pairs == [7, 6, 6, 6, 5, 5, 2, 2])
    #expect(pairs.reduce(0, +) == 39)
  }
}

/// `max |RᵀR − I|` for a row-major 3×3 matrix.
func orthogonalityDefect(_ r: [Double]) -> Double {
  var defect = 0.0
  for i in 0..<3 {
    for j in 0..<3 {
      var dot = 0.0
      for k in 0..<3 { dot += r[3 * k + i] * r[3 * k + j] }
      defect = max(defect, abs(dot - (i == j ? 1 : 0)))
    }
  }
  return defect
}
