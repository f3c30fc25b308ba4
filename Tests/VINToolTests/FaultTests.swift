import Foundation
import Testing
import VINKit

/// Faults that used to crash `vin`, lose its output or replace the wrong file (issue 9 §4),
/// each through the built executable.
@Suite struct FaultTests {
  func names(in directory: URL) throws -> [String] {
    try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted()
  }

  /// A training loss above 9.2e14 (one velocity of 1e8) used to trap in the progress
  /// formatter, losing the model.
  @Test func fitWithAHugeLossWritesTheModel() throws {
    try withTemporaryDirectory { directory in
      var csv = "t,q1,v1\n"
      for k in 0..<12 { csv += "\(Double(k) / 10),\(1 - Double(k) / 100),\(k == 3 ? 1e8 : 0)\n" }
      try csv.write(
        to: directory.appendingPathComponent("big.csv"), atomically: false, encoding: .utf8)
      let run = try VINExecutable.run(
        [
          "fit", "--model", "vin-vv", "--data", "big.csv", "--iterations", "3", "--horizon",
          "2", "--output", "model.json",
        ], in: directory)
      #expect(run.status == 0, "stderr: \(run.standardError)")
      #expect(run.standardError.contains("e+"), "stderr: \(run.standardError)")
      #expect(
        FileManager.default.fileExists(atPath: directory.appendingPathComponent("model.json").path))
    }
  }

  /// Writing into a full disk is one line and a non-zero status, for every command.
  @Test(arguments: [
    ["simulate", "pendulum", "--steps", "10"], ["systems"],
    ["simulate", "heavy-top", "--steps", "5000"],
  ])
  func fullStandardOutputIsAnError(_ arguments: [String]) throws {
    let run = try VINExecutable.run(arguments, standardOutput: "/dev/full")
    #expect(run.status == 1)
    #expect(run.errorLines == ["Error: cannot write 'standard output': No space left on device"])
  }

  /// An error with standard error on a full disk still exits with status 1 (it used to trap
  /// in `FileHandle`).
  @Test func fullStandardErrorDoesNotCrash() throws {
    let run = try VINExecutable.run(
      ["simulate", "pendulum", "--dt", "-1"], standardError: "/dev/full")
    #expect(run.status == 1)
    #expect(run.standardOutput.isEmpty)
  }

  @Test func fullDeviceAsOutputIsAnError() throws {
    try withTemporaryDirectory { directory in
      let run = try VINExecutable.run(
        ["simulate", "pendulum", "--output", "/dev/full"], in: directory)
      #expect(run.status == 1)
      #expect(run.errorLines == ["Error: cannot write '/dev/full': No space left on device"])
      #expect(try names(in: directory).isEmpty)
    }
  }

  /// `vin fit` whose model cannot be written saves it elsewhere and says where.
  @Test func fitIntoAFullDiskKeepsTheModel() throws {
    try withTemporaryDirectory { directory in
      try "t,q1,v1\n0,1,0\n0.1,0.9,-1\n0.2,0.7,-2\n0.3,0.5,-2.5\n".write(
        to: directory.appendingPathComponent("good.csv"), atomically: false, encoding: .utf8)
      let run = try VINExecutable.run(
        ["fit", "--model", "vin-vv", "--data", "good.csv", "--iterations", "2", "--horizon", "1"],
        in: directory, standardOutput: "/dev/full")
      #expect(run.status == 1)
      let line = try #require(run.errorLines.last)
      #expect(line.hasPrefix("Error: cannot write 'standard output': No space left on device"))
      let quoted = try #require(
        line.split(separator: "saved to '").last?.split(separator: "'").first)
      let rescued = try Data(contentsOf: URL(fileURLWithPath: String(quoted)))
      defer { try? FileManager.default.removeItem(atPath: String(quoted)) }
      #expect(try ModelFile(json: rescued).specification.kind == .vinVelocityVerlet)
    }
  }

  /// The free space is checked before the run: 10¹² rows do not fit anywhere here.
  @Test func outputLargerThanTheFreeSpaceIsRefusedUpFront() throws {
    try withTemporaryDirectory { directory in
      let run = try VINExecutable.run(
        ["simulate", "pendulum", "--steps", "1000000000000", "--output", "big.csv"],
        in: directory)
      #expect(run.status == 1)
      #expect(run.errorLines.count == 1)
      #expect(run.standardError.contains("the output to 'big.csv' would take about"))
      #expect(try names(in: directory).isEmpty)
    }
  }

  /// A plot that cannot be written (a directory) leaves the existing CSV as it was.
  @Test func failedPlotKeepsTheExistingCSV() throws {
    try withTemporaryDirectory { directory in
      let csv = directory.appendingPathComponent("o.csv")
      try "previous\n".write(to: csv, atomically: false, encoding: .utf8)
      try FileManager.default.createDirectory(
        at: directory.appendingPathComponent("adir.svg"), withIntermediateDirectories: false)
      let run = try VINExecutable.run(
        ["simulate", "pendulum", "--output", "o.csv", "--plot", "adir.svg"], in: directory)
      #expect(run.status == 1)
      #expect(run.errorLines == ["Error: cannot write 'adir.svg': it is a directory"])
      #expect(try String(contentsOf: csv, encoding: .utf8) == "previous\n")
      #expect(try names(in: directory) == ["adir.svg", "o.csv"])
    }
  }

  @Test(arguments: [["same.svg", "same.svg"], ["x.svg", "./x.svg"]])
  func sameFileForCSVAndPlotIsRefused(_ paths: [String]) throws {
    try withTemporaryDirectory { directory in
      let run = try VINExecutable.run(
        ["simulate", "pendulum", "--output", paths[0], "--plot", paths[1]], in: directory)
      #expect(run.status == 1)
      #expect(run.errorLines.count == 1)
      #expect(run.standardError.contains("--output and --plot both name"))
      #expect(try names(in: directory).isEmpty)
    }
  }

  /// A symbolic link is written through (the link stays, its target is replaced); a device is
  /// written in place.
  @Test func symbolicLinksAndDevicesAreWrittenThrough() throws {
    try withTemporaryDirectory { directory in
      let target = directory.appendingPathComponent("target.csv")
      try "old\n".write(to: target, atomically: false, encoding: .utf8)
      try FileManager.default.createSymbolicLink(
        atPath: directory.appendingPathComponent("link.csv").path, withDestinationPath: "target.csv"
      )
      let run = try VINExecutable.run(
        ["simulate", "pendulum", "--steps", "2", "--output", "link.csv"], in: directory)
      #expect(run.status == 0, "stderr: \(run.standardError)")
      #expect(
        try FileManager.default.destinationOfSymbolicLink(
          atPath: directory.appendingPathComponent("link.csv").path) == "target.csv")
      #expect(try String(contentsOf: target, encoding: .utf8).hasPrefix("t,q1,v1,energy\n"))
      #expect(try names(in: directory) == ["link.csv", "target.csv"])
      let null = try VINExecutable.run(
        ["simulate", "pendulum", "--steps", "2", "--output", "/dev/null"], in: directory)
      #expect(null.status == 0)
      #expect(null.standardOutput.isEmpty)
    }
  }

  @Test func plotsAreSVGOnly() throws {
    try withTemporaryDirectory { directory in
      let run = try VINExecutable.run(["simulate", "pendulum", "--plot", "x.png"], in: directory)
      #expect(run.status == 1)
      #expect(
        run.errorLines == [
          "Error: --plot 'x.png' is invalid: plots are written as SVG only, so the name must end in .svg"
        ])
      #expect(run.standardOutput.isEmpty)
      #expect(try names(in: directory).isEmpty)
    }
  }

  @Test func dashIsStandardOutput() throws {
    try withTemporaryDirectory { directory in
      let run = try VINExecutable.run(
        ["simulate", "pendulum", "--steps", "2", "--output", "-"], in: directory)
      #expect(run.status == 0)
      #expect(run.standardOutput.hasPrefix("t,q1,v1,energy\n0.0,"))
      #expect(try names(in: directory).isEmpty)
    }
  }

  /// SIGTERM and SIGINT while the CSV is being written remove the temporary file.
  @Test(arguments: [SIGTERM, SIGINT])
  func signalsRemoveTheTemporaryFile(_ signalNumber: Int32) throws {
    try withTemporaryDirectory { directory in
      let executable = try #require(VINExecutable.url)
      let process = Process()
      process.executableURL = executable
      process.arguments = ["simulate", "heavy-top", "--steps", "100000000", "--output", "o.csv"]
      process.currentDirectoryURL = directory
      process.standardError = FileHandle.nullDevice
      try process.run()
      defer {
        if process.isRunning {
          kill(process.processIdentifier, SIGKILL)
          process.waitUntilExit()
        }
      }
      let deadline = Date().addingTimeInterval(60)
      while try names(in: directory).isEmpty, Date() < deadline, process.isRunning {
        usleep(20_000)
      }
      #expect(try names(in: directory).first?.hasPrefix(".o.csv.") == true)
      kill(process.processIdentifier, signalNumber)
      let exitDeadline = Date().addingTimeInterval(20)
      while process.isRunning, Date() < exitDeadline { usleep(20_000) }
      #expect(!process.isRunning, "vin did not end on signal \(signalNumber)")
      guard !process.isRunning else { return }
      #expect(process.terminationReason == .uncaughtSignal)
      #expect(process.terminationStatus == signalNumber)
      #expect(try names(in: directory).isEmpty)
    }
  }

  @Test func versionIsPrinted() throws {
    let run = try VINExecutable.run(["--version"])
    #expect(run.status == 0)
    #expect(run.standardOutput.split(separator: ".").count == 3)
  }
}
