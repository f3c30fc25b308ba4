import Foundation
import Frames
import Testing

/// `vin render`: frames as NumPy files that match the simulated states, and bad inputs that
/// leave no file behind.
@Suite struct RenderCommandTests {
  @Test func pendulumFramesFollowTheTrajectory() throws {
    try withTemporaryDirectory { directory in
      let run = try VINExecutable.run(
        [
          "render", "pendulum", "--q0", "2.5", "--dt", "0.05", "--steps", "30", "--frames",
          "f.npy", "--gif", "f.gif", "--output", "states.csv",
        ], in: directory)
      #expect(run.status == 0, "\(run.standardError)")
      #expect(run.standardOutput.isEmpty && run.standardError.isEmpty)
      let frames = try NPYFile.read(directory.appendingPathComponent("f.npy").path)
      #expect(frames.count == 31 && frames.size == 28)
      #expect(frames.values.allSatisfy { $0 == 0 || $0 == 1 })
      // Frame k is the rod at the CSV's angle of row k (to the matcher's 0.01 rad).
      let states = try CSVTable(
        String(contentsOf: directory.appendingPathComponent("states.csv"), encoding: .utf8))
      let angles = try states.column("q1")
      #expect(angles.count == 31)
      let matches = try RodMatcher(size: 28).match(frames)
      for (angle, match) in zip(angles, matches) {
        #expect(abs((match.angle - angle).remainder(dividingBy: 2 * .pi)) < 0.01)
        #expect(match.squaredDistance == 0)
      }
      let gif = try Data(contentsOf: directory.appendingPathComponent("f.gif"))
      #expect(gif.starts(with: Array("GIF89a".utf8)))
    }
  }

  @Test func sizesSystemsAndAntialiasing() throws {
    try withTemporaryDirectory { directory in
      let cases: [([String], Int, Int)] = [
        (["pendulum", "--steps", "3", "--size", "16", "--antialias"], 4, 16),
        (["double-pendulum", "--steps", "5", "--dt", "0.05"], 6, 28),
        (["harmonic", "--q0", "-1.2", "--steps", "0"], 1, 28),
      ]
      for (arguments, count, size) in cases {
        let run = try VINExecutable.run(
          ["render"] + arguments + ["--frames", "v.npy"], in: directory)
        #expect(run.status == 0, "\(run.standardError)")
        let frames = try NPYFile.read(directory.appendingPathComponent("v.npy").path)
        #expect(frames.count == count && frames.size == size, "\(arguments)")
        #expect(frames.values.contains { $0 > 0 })
        #expect(frames.values.contains { $0 > 0 && $0 < 1 } == arguments.contains("--antialias"))
      }
      // The oscillator's disc at q = −1.2: its centre column is (q + 2.5) · 28 / 5 = 7.28.
      let disc = try NPYFile.read(directory.appendingPathComponent("v.npy").path)
      var (mass, column) = (0.0, 0.0)
      for row in 0..<28 {
        for c in 0..<28 {
          mass += Double(disc[0, row, c])
          column += Double(disc[0, row, c]) * (Double(c) + 0.5)
        }
      }
      #expect(abs(column / mass - 7.28) < 0.5)
    }
  }

  /// The frames are drawn from the noiseless states: --noise changes the CSV, not the frames.
  @Test func noiseAppliesToTheCSVOnly() throws {
    try withTemporaryDirectory { directory in
      for (name, noise) in [("clean", "0"), ("noisy", "0.3")] {
        let run = try VINExecutable.run(
          [
            "render", "pendulum", "--steps", "10", "--noise", noise, "--seed", "3", "--frames",
            "\(name).npy", "--output", "\(name).csv",
          ], in: directory)
        #expect(run.status == 0, "\(run.standardError)")
      }
      func data(_ name: String) throws -> Data {
        try Data(contentsOf: directory.appendingPathComponent(name))
      }
      #expect(try data("clean.npy") == data("noisy.npy"))
      #expect(try data("clean.csv") != data("noisy.csv"))
    }
  }

  /// `vin systems` says which systems `vin render` draws.
  @Test func systemsListsTheDrawableSystems() throws {
    let run = try VINExecutable.run(["systems"])
    #expect(run.status == 0)
    let blocks = run.standardOutput.components(separatedBy: "\n\n")
    for system in ["pendulum", "harmonic", "double-pendulum", "kepler", "rigid-body"] {
      let block = try #require(blocks.first { $0.hasPrefix("\(system):") })
      let drawn = ["pendulum", "harmonic", "double-pendulum"].contains(system)
      #expect(block.contains("  frames:      " + (drawn ? "drawn by vin render" : "none")))
    }
  }

  struct Case: CustomTestStringConvertible, Sendable {
    var arguments: [String]
    var message: String
    var testDescription: String { arguments.joined(separator: " ") }
  }

  static let badInputs: [Case] = [
    Case(
      arguments: ["kepler", "--frames", "f.npy"],
      message:
        "system 'kepler' cannot be drawn as frames (vin render draws pendulum, harmonic, double-pendulum)"
    ),
    Case(
      arguments: ["harmonic", "--q0", "1,2", "--frames", "f.npy"],
      message: "system 'harmonic' is drawn from 1 coordinate, but --q0 has 2"),
    Case(arguments: ["pendulum", "--frames", "f.npy", "--size", "0"], message: "--size 0"),
    Case(arguments: ["pendulum", "--frames", "f.npy", "--size", "-3"], message: "--size -3"),
    Case(arguments: ["pendulum", "--frames", "f.npy", "--size", "5000"], message: "--size 5000"),
    Case(
      arguments: ["pendulum", "--frames", "f.csv"],
      message: "--frames 'f.csv' is invalid: it is written as a NumPy array"),
    Case(arguments: ["pendulum", "--frames", "f.npy", "--gif", "f.png"], message: "--gif 'f.png'"),
    Case(
      arguments: ["pendulum", "--frames", "f.npy", "--plot", "f.png"], message: "--plot 'f.png'"),
    Case(
      arguments: ["pendulum", "--frames", "f.npy", "--output", "f.npy"],
      message: "--frames and --output both name 'f.npy'"),
    Case(
      arguments: ["pendulum", "--frames", "f.npy", "--gif", "./f.gif", "--output", "f.gif"],
      message: "--gif and --output both name 'f.gif'"),
    Case(arguments: ["pendulum", "--frames", "no/such/dir/f.npy"], message: "no/such/dir/f.npy"),
    Case(arguments: ["pendulum", "--frames", "f.npy", "--dt", "-1"], message: "--dt -1.0"),
    Case(
      arguments: ["double-pendulum", "--frames", "f.npy", "--param", "l1=-1"],
      message: "length of rod 1 is -1.0"),
    Case(arguments: ["pendulum", "--output", "s.csv"], message: "--frames <file.npy>"),
    Case(
      arguments: [
        "pendulum", "--integrator", "lgvi", "--dt", "2", "--v0", "10", "--frames", "f.npy",
        "--gif", "f.gif", "--output", "s.csv",
      ], message: "step too large at step 0"),
  ]

  /// One line naming the problem, a failure status, and no file left in the directory.
  @Test(arguments: badInputs) func badInput(_ bad: Case) throws {
    try withTemporaryDirectory { directory in
      let run = try VINExecutable.run(["render"] + bad.arguments, in: directory)
      #expect(run.status != 0)
      #expect(run.errorLines.count == 1, "\(run.standardError)")
      #expect(run.standardError.contains(bad.message), "\(run.standardError)")
      #expect(run.standardOutput.isEmpty)
      let left = try FileManager.default.contentsOfDirectory(atPath: directory.path)
      #expect(left.isEmpty, "files left behind: \(left)")
    }
  }
}
