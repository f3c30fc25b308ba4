import Foundation
import Testing

/// Every bad input: a non-zero exit status, exactly one line on standard error that names the
/// bad value, nothing on standard output, and no file left behind (not even a temporary one).
@Suite struct BadInputTests {
  struct Case: CustomTestStringConvertible, Sendable {
    var arguments: [String]
    var message: String
    var testDescription: String { arguments.joined(separator: " ") }
  }

  static let cases: [Case] = [
    Case(arguments: ["pendulum", "--dt", "-1"], message: "--dt -1.0"),
    Case(arguments: ["pendulum", "--dt", "0"], message: "--dt 0.0"),
    Case(arguments: ["pendulum", "--dt", "nan"], message: "--dt nan"),
    Case(arguments: ["pendulum", "--dt", "inf"], message: "--dt inf"),
    Case(arguments: ["pendulum", "--steps", "-5"], message: "--steps -5"),
    Case(arguments: ["pendulum", "--q0", "nan"], message: "--q0 'nan'"),
    Case(arguments: ["harmonic", "--q0", "1,inf"], message: "--q0 '1,inf'"),
    Case(arguments: ["pendulum", "--v0", "1,x"], message: "'x' is not a number"),
    Case(arguments: ["kepler", "--q0", "1,2,3"], message: "--q0 '1,2,3' has 3 entries"),
    Case(arguments: ["rigid-body", "--v0", "1,2"], message: "--v0 '1,2' has 2 entries"),
    Case(arguments: ["harmonic", "--q0", "1,2", "--v0", "1"], message: "--v0 '1'"),
    Case(arguments: ["double-pendulumm"], message: "unknown system 'double-pendulumm'"),
    Case(arguments: ["double-pendulum", "--param", "l2=0"], message: "l2 = 0.0"),
    Case(arguments: ["pendulum", "--integrator", "leapfrog"], message: "'leapfrog'"),
    Case(
      arguments: ["kepler", "--integrator", "lgvi"],
      message: "integrator 'lgvi' does not apply to system 'kepler'"),
    Case(
      arguments: ["rigid-body", "--integrator", "verlet"],
      message: "integrator 'verlet' does not apply to system 'rigid-body'"),
    Case(
      arguments: ["double-pendulum", "--integrator", "verlet"],
      message: "integrator 'verlet' does not apply to system 'double-pendulum'"),
    Case(arguments: ["pendulum", "--param", "mass=2"], message: "unknown parameter 'mass'"),
    Case(arguments: ["pendulum", "--param", "m"], message: "--param 'm'"),
    Case(arguments: ["pendulum", "--param", "m=-1"], message: "m = -1.0"),
    Case(arguments: ["heavy-top", "--param", "J2=0"], message: "J"),
    Case(arguments: ["pendulum", "--noise", "-0.1", "--seed", "1"], message: "--noise -0.1"),
    Case(
      arguments: ["heavy-top", "--dt", "1000", "--steps", "3"],
      message: "root finder did not converge"),
    Case(
      arguments: ["double-pendulum", "--dt", "1e6", "--steps", "2"],
      message: "implicit step failed at step 0"),
    Case(
      arguments: ["pendulum", "--integrator", "lgvi", "--dt", "2", "--v0", "10"],
      message: "step too large at step 0"),
    Case(
      arguments: ["pendulum", "--integrator", "rk8pd", "--dt", "1e300", "--steps", "2"],
      message: "needs more than 100000 adaptive rk8pd sub-steps"),
    Case(
      arguments: ["pendulum", "--dt", "1e308", "--steps", "3"],
      message: "--dt 1e+308 with --steps 3 is invalid: the final time N h = inf"),
    Case(arguments: ["pendulum", "--v0", "1e308"], message: "energy = inf at t = 0.0"),
    Case(arguments: ["pendulum", "--noise", "1e308"], message: "--noise 1e+308 is invalid"),
    Case(
      arguments: ["rigid-body", "--param", "J1=1", "--param", "J2=1", "--param", "J3=3"],
      message: "triangle inequality 3 ≤ 1 + 1"),
    Case(
      arguments: ["heavy-top", "--param", "J1=1", "--param", "J2=1", "--param", "J3=3"],
      message: "triangle inequality 3 ≤ 1 + 1"),
    Case(
      arguments: ["pendulum", "--steps", "1000000000000"],
      message: "1000000000001 rows would need about"),
    Case(
      arguments: ["pendulum", "--seed", "-1"], message: "The value '-1' is invalid for '--seed"),
    Case(arguments: ["pendulum", "--steps", "x"], message: "The value 'x' is invalid"),
  ]

  @Test(arguments: cases)
  func failsWithOneLineAndNoFiles(_ bad: Case) throws {
    try withTemporaryDirectory { directory in
      let run = try VINExecutable.run(
        ["simulate"] + bad.arguments + ["--output", "out.csv", "--plot", "out.svg"],
        in: directory)
      try expectCleanFailure(run, naming: bad.message, in: directory)
    }
  }

  @Test func unwritableOutputNamesThePath() throws {
    try withTemporaryDirectory { directory in
      let run = try VINExecutable.run(
        ["simulate", "pendulum", "--output", "missing/out.csv"], in: directory)
      try expectCleanFailure(run, naming: "'missing/out.csv'", in: directory)
    }
  }

  /// The CSV could be written but the plot cannot: neither is left behind.
  @Test func unwritablePlotLeavesNoCSVEither() throws {
    try withTemporaryDirectory { directory in
      let run = try VINExecutable.run(
        ["simulate", "pendulum", "--output", "out.csv", "--plot", "missing/plot.svg"],
        in: directory)
      try expectCleanFailure(run, naming: "'missing/plot.svg'", in: directory)
    }
  }

  /// A failed run leaves an existing output file as it was.
  @Test func failureKeepsAnExistingOutputUnchanged() throws {
    try withTemporaryDirectory { directory in
      let file = directory.appendingPathComponent("out.csv")
      try "previous\n".write(to: file, atomically: false, encoding: .utf8)
      let run = try VINExecutable.run(
        ["simulate", "pendulum", "--dt", "-1", "--output", "out.csv"], in: directory)
      #expect(run.status != 0)
      #expect(try String(contentsOf: file, encoding: .utf8) == "previous\n")
    }
  }

  func expectCleanFailure(_ run: VINRun, naming value: String, in directory: URL) throws {
    #expect(run.status != 0)
    #expect(run.errorLines.count == 1, "stderr: \(run.standardError)")
    #expect(run.standardError.hasPrefix("Error: "))
    #expect(run.standardError.contains(value), "stderr: \(run.standardError)")
    #expect(run.standardOutput.isEmpty)
    #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path).isEmpty)
  }
}
