import Foundation
import Testing
import VINKit

/// `vin simulate --control` and `--param damping=…`: the inputs reach the integrator held over
/// each step and are written after the energy, a damped run dissipates, and every bad control or
/// damping is one error line with nothing written.
@Suite struct ControlTests {
  /// A control file for the pendulum: u1 on [0, 0.25), [0.25, 0.5), …, up to t = 1.
  static let pendulumControl = "t,u1\n0,1.5\n0.25,-2\n0.5,0.5\n0.75,3\n1,0\n"

  @Test func controlFileInputsAreHeldAndWrittenAfterTheEnergy() throws {
    try withTemporaryDirectory { directory in
      try Self.pendulumControl.write(
        to: directory.appendingPathComponent("u.csv"), atomically: true, encoding: .utf8)
      let run = try VINExecutable.run(
        [
          "simulate", "pendulum", "--dt", "0.05", "--steps", "20", "--param", "damping=0.3",
          "--control", "u.csv",
        ], in: directory)
      #expect(run.status == 0, "\(run.standardError)")
      let table = try CSVTable(run.standardOutput)
      #expect(table.header == ["t", "q1", "v1", "energy", "u1"])
      let expected = (0...20).map { k in [1.5, -2, 0.5, 3, 0][min(k / 5, 4)] }
      #expect(try table.column("u1") == expected)

      // The same run in the library: forced Verlet with the same held inputs, bit for bit.
      let pendulum = try Pendulum(damping: 0.3)
      var verlet = try StormerVerlet(system: pendulum, stepSize: 0.05, forces: pendulum.forces)
      let hold = try ZeroOrderHold(
        times: [0, 0.25, 0.5, 0.75, 1], values: [[1.5], [-2], [0.5], [3], [0]])
      let states = try verlet.integrate(
        from: pendulum.state(position: [1], velocity: [0]), steps: 20, inputs: hold
      ).states
      #expect(try table.column("q1") == states.map { $0.q[0] })
      #expect(try table.column("v1") == states.map { $0.p[0] })
    }
  }

  /// A simulation written with its inputs drives the same run again (its other columns are
  /// ignored), for a system with three inputs.
  @Test func aWrittenRunReplaysAsAControlFile() throws {
    try withTemporaryDirectory { directory in
      let arguments = [
        "simulate", "heavy-top", "--dt", "0.02", "--steps", "30", "--param", "damping=0.1",
      ]
      let first = try VINExecutable.run(
        arguments + ["--control", "random:std=0.5,hold=0.1,seed=3", "--output", "a.csv"],
        in: directory)
      #expect(first.status == 0, "\(first.standardError)")
      let second = try VINExecutable.run(
        arguments + ["--control", "a.csv", "--output", "b.csv"], in: directory)
      #expect(second.status == 0, "\(second.standardError)")
      let a = try String(contentsOf: directory.appendingPathComponent("a.csv"), encoding: .utf8)
      let b = try String(contentsOf: directory.appendingPathComponent("b.csv"), encoding: .utf8)
      #expect(a == b)
      let table = try CSVTable(a)
      #expect(table.header.suffix(4) == ["energy", "u1", "u2", "u3"])
    }
  }

  /// `random:` holds each value for `hold` time units (5 steps of 0.02 for hold 0.1), the same
  /// for the same seed and different for another; `sine:` is `A sin(2πF t_k)` on every input.
  @Test func signals() throws {
    func inputs(_ control: String, _ system: String = "double-pendulum") throws -> [[Double]] {
      let run = try VINExecutable.run([
        "simulate", system, "--dt", "0.02", "--steps", "40", "--control", control,
      ])
      #expect(run.status == 0, "\(run.standardError)")
      let table = try CSVTable(run.standardOutput)
      return try [table.column("u1"), table.column("u2")]
    }
    let random = try inputs("random:std=2,hold=0.1,seed=7")
    for u in random {
      for k in 1..<u.count where k % 5 != 0 { #expect(u[k] == u[k - 1], "k = \(k)") }
      #expect(Set(u).count == 9)
    }
    #expect(random[0] != random[1])
    #expect(try inputs("random:std=2,hold=0.1,seed=7") == random)
    #expect(try inputs("random:std=2,hold=0.1,seed=8") != random)
    let sine = try inputs("sine:amplitude=0.5,frequency=2")
    for (k, value) in sine[0].enumerated() {
      #expect(abs(value - 0.5 * sin(2 * Double.pi * 2 * 0.02 * Double(k))) < 1e-15)
    }
    #expect(sine[1] == sine[0])
  }

  /// Damping alone: no input columns, and the energy falls at every step.
  @Test func dampingWithoutControlDissipates() throws {
    for (system, damping) in [
      ("pendulum", ["damping=0.5"]), ("cart-pole", ["friction=0.4", "damping=0.05"]),
      ("rigid-body", ["damping=0.2"]),
    ] {
      let run = try VINExecutable.run(
        ["simulate", system, "--dt", "0.005", "--steps", "400"]
          + damping.flatMap { ["--param", $0] })
      #expect(run.status == 0, "\(system): \(run.standardError)")
      let table = try CSVTable(run.standardOutput)
      #expect(table.header.last == "energy")
      let energy = try table.column("energy")
      for k in 1..<energy.count { #expect(energy[k] < energy[k - 1], "\(system), row \(k)") }
    }
  }

  @Test func systemsListsInputsAndTheCartPole() throws {
    let run = try VINExecutable.run(["systems"])
    #expect(run.status == 0)
    #expect(run.standardOutput.contains("cart-pole: cart position x and pole angle θ"))
    #expect(run.standardOutput.contains("u1  horizontal force on the cart (N)"))
    #expect(run.standardOutput.contains("u2  torque at the elbow"))
    #expect(run.standardOutput.contains("damping = 0.0  viscous damping at the pivot (N m s)"))
  }

  // MARK: Bad input

  struct Case: CustomTestStringConvertible, Sendable {
    var arguments: [String]
    /// The control file written as `u.csv`, if any.
    var file: String?
    var message: String
    var testDescription: String { arguments.joined(separator: " ") }
  }

  static let badCases: [Case] = [
    Case(
      arguments: ["pendulum", "--control", "u.csv"], file: "t,u1,u2\n0,1,2\n1,1,2\n",
      message: "--control 'u.csv': the file has 2 input columns, system 'pendulum' has 1 input"),
    Case(
      arguments: ["pendulum", "--dt", "0.01", "--steps", "200", "--control", "u.csv"],
      file: "t,u1\n0,1\n1,2\n",
      message: "which does not cover the run from t = 0 to t = 2.0"),
    Case(
      arguments: ["pendulum", "--steps", "10", "--control", "u.csv"], file: "t,u1\n0.05,1\n1,2\n",
      message: "its times run from 0.05 to 1.0"),
    Case(
      arguments: ["pendulum", "--control", "u.csv"], file: "t,u1\n0,1\n0.5,nan\n20,2\n",
      message: "line 3, column u1: nan is not finite"),
    Case(
      arguments: ["pendulum", "--control", "u.csv"], file: "t,u1\n0,1\ninf,2\n",
      message: "line 3, column t: inf is not finite"),
    Case(
      arguments: ["pendulum", "--control", "u.csv"], file: "t,u1\n0,1\n0,2\n20,2\n",
      message: "line 3: t = 0.0 is not after the previous time 0.0"),
    Case(
      arguments: ["pendulum", "--control", "u.csv"], file: "t,u1\n0,1\n20\n",
      message: "line 3: the row has 1 fields, the header has 2"),
    Case(
      arguments: ["pendulum", "--control", "u.csv"], file: "t,x1\n0,1\n",
      message: "no input column u1"),
    Case(arguments: ["pendulum", "--control", "missing.csv"], message: "cannot read it"),
    Case(
      arguments: ["kepler", "--control", "sine:amplitude=1,frequency=1"],
      message: "system 'kepler' has no inputs"),
    Case(
      arguments: ["pendulum", "--control", "random:std=1"],
      message: "--control 'random:std=1': missing hold=…"),
    Case(
      arguments: ["pendulum", "--control", "random:std=-1,hold=1"],
      message: "std = -1.0 must be non-negative"),
    Case(
      arguments: ["pendulum", "--control", "random:std=1,hold=0.001"],
      message: "hold = 0.001 is shorter than the step --dt 0.01"),
    Case(
      arguments: ["pendulum", "--control", "random:std=1,hold=1,seed=-2"],
      message: "seed = '-2' must be an integer"),
    Case(
      arguments: ["pendulum", "--control", "sine:amplitude=1,frequency=inf"],
      message: "frequency = inf must be finite"),
    Case(
      arguments: ["pendulum", "--control", "sine:amplitude=1,period=2"],
      message: "unknown setting 'period'"),
    Case(arguments: ["pendulum", "--param", "damping=-1"], message: "damping = -1.0"),
    Case(arguments: ["double-pendulum", "--param", "damping=-0.1"], message: "damping = -0.1"),
    Case(arguments: ["heavy-top", "--param", "damping=-2"], message: "damping = -2.0"),
    Case(arguments: ["cart-pole", "--param", "friction=-1"], message: "friction = -1.0"),
    Case(arguments: ["kepler", "--param", "damping=1"], message: "unknown parameter 'damping'"),
  ]

  @Test(arguments: badCases)
  func badControlOrDampingFailsWithOneLineAndNoFiles(_ bad: Case) throws {
    try withTemporaryDirectory { directory in
      let control = directory.appendingPathComponent("u.csv")
      if let file = bad.file { try file.write(to: control, atomically: true, encoding: .utf8) }
      let run = try VINExecutable.run(
        ["simulate"] + bad.arguments + ["--output", "out.csv", "--plot", "out.svg"],
        in: directory)
      #expect(run.status != 0)
      #expect(run.errorLines.count == 1, "stderr: \(run.standardError)")
      #expect(run.standardError.hasPrefix("Error: "))
      #expect(run.standardError.contains(bad.message), "stderr: \(run.standardError)")
      #expect(run.standardOutput.isEmpty)
      let left = try FileManager.default.contentsOfDirectory(atPath: directory.path)
      #expect(left == (bad.file == nil ? [] : ["u.csv"]), "left behind: \(left)")
    }
  }
}
