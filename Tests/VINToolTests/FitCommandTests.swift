import Foundation
import Testing

/// End-to-end runs of `vin fit`: simulate noisy data, fit a small model in seconds, and check
/// the model file, the stop on Ctrl-C and every bad input.
@Suite struct FitCommandTests {
  /// Writes two noisy pendulum trajectories (h = 0.1, 31 samples) into `directory`.
  static func writeTrainingData(in directory: URL) throws {
    for (name, q0, seed) in [("a.csv", "2", "1"), ("b.csv", "-1.5", "2")] {
      let run = try VINExecutable.run(
        [
          "simulate", "pendulum", "--dt", "0.1", "--steps", "30", "--q0", q0, "--noise", "0.1",
          "--seed", seed, "--output", name,
        ], in: directory)
      #expect(run.status == 0, "\(run.standardError)")
    }
  }

  /// A small, fast fit: width 8, 40 iterations.
  static func fitArguments(model: String, output: String = "m.json") -> [String] {
    [
      "fit", "--data", "a.csv", "--data", "b.csv", "--model", model, "--width", "8", "--steps",
      "40", "--horizon", "5", "--output", output,
    ]
  }

  @Test(arguments: ["vin-vv", "vin-sv", "resnet", "feedforward"])
  func fitWritesAVersionedModelFileAndReportsOnStandardError(model: String) throws {
    try withTemporaryDirectory { directory in
      try Self.writeTrainingData(in: directory)
      let run = try VINExecutable.run(Self.fitArguments(model: model), in: directory)
      #expect(run.status == 0, "\(run.standardError)")
      #expect(run.standardOutput.isEmpty)
      // Not a terminal: a progress line every tenth of the run, then the summary.
      #expect(run.standardError.contains("iteration 40/40"))
      #expect(run.standardError.contains("\(model): completed after 40 iterations"))
      let data = try Data(contentsOf: directory.appendingPathComponent("m.json"))
      let json = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
      #expect(json["format"] as? String == "vinkit-model")
      #expect(json["kind"] as? String == model)
      #expect(json["dimension"] as? Int == 1)
      #expect(json["stepSize"] as? Double == 0.1)
    }
  }

  /// The same seed gives the same file, byte for byte; without --output it goes to stdout.
  @Test func fitIsDeterministicAndWritesToStandardOutputWithoutOutput() throws {
    try withTemporaryDirectory { directory in
      try Self.writeTrainingData(in: directory)
      let first = try VINExecutable.run(Self.fitArguments(model: "vin-vv"), in: directory)
      #expect(first.status == 0)
      let toStdout = try VINExecutable.run(
        Array(Self.fitArguments(model: "vin-vv").dropLast(2)), in: directory)
      #expect(toStdout.status == 0)
      let file = try String(
        contentsOf: directory.appendingPathComponent("m.json"), encoding: .utf8)
      #expect(toStdout.standardOutput == file)
    }
  }

  /// SIGINT during a long fit stops it and writes the best model so far, a valid model file.
  @Test func interruptWritesTheBestModelSoFar() throws {
    try withTemporaryDirectory { directory in
      try Self.writeTrainingData(in: directory)
      let executable = try #require(VINExecutable.url)
      let process = Process()
      process.executableURL = executable
      process.arguments = [
        "fit", "--data", "a.csv", "--model", "vin-vv", "--width", "8", "--horizon", "5",
        "--steps", "100000000", "--output", "m.json",
      ]
      process.currentDirectoryURL = directory
      let errorPipe = Pipe()
      process.standardError = errorPipe
      process.standardOutput = FileHandle.nullDevice
      try process.run()
      // The first progress line comes at once (then every 5 s): training has started, and the
      // handler is installed before it.
      var seen = Data()
      while !String(decoding: seen, as: UTF8.self).contains("iteration") {
        let chunk = errorPipe.fileHandleForReading.availableData
        if chunk.isEmpty { break }
        seen += chunk
      }
      process.interrupt()
      seen += errorPipe.fileHandleForReading.readDataToEndOfFile()
      process.waitUntilExit()
      let message = String(decoding: seen, as: UTF8.self)
      #expect(process.terminationStatus == 0, "\(message)")
      #expect(message.contains("on request"), "\(message)")
      let check = try VINExecutable.run(
        ["forecast", "--model", "m.json", "--q0", "1", "--steps", "3"], in: directory)
      #expect(check.status == 0, "\(check.standardError)")
    }
  }

  /// A learning rate of 1e200 makes the quadratic potential's stiffness overflow: training
  /// stops, the best model is still written, a warning is printed and the status is 2. For a
  /// model with implicit steps (vin-mq) the warning names the likely cause and what to try.
  @Test(arguments: ["vin-vv", "vin-mq"])
  func divergenceKeepsTheBestModelAndExitsWithStatusTwo(kind: String) throws {
    try withTemporaryDirectory { directory in
      try Self.writeTrainingData(in: directory)
      let run = try VINExecutable.run(
        [
          "fit", "--data", "a.csv", "--model", kind, "--potential", "quadratic",
          "--learning-rate", "1e200", "--steps", "50", "--horizon", "5", "--output", "m.json",
        ], in: directory)
      #expect(run.status == 2, "\(run.standardError)")
      #expect(run.standardError.contains("warning: training diverged"), "\(run.standardError)")
      #expect(
        run.standardError.contains("found no root in some window") == (kind == "vin-mq"),
        "\(run.standardError)")
      let data = try Data(contentsOf: directory.appendingPathComponent("m.json"))
      #expect(try JSONSerialization.jsonObject(with: data) is [String: Any])
    }
  }
}
