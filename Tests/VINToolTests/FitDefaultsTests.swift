import Foundation
import Testing
import VINKit

/// `vin fit` trains with the library's defaults: an option left unset keeps the value of
/// `TrainingConfiguration()`, so the CLI and Swift cannot disagree.
@Suite struct FitDefaultsTests {
  @Test func unsetOptionsKeepTheLibraryDefaults() throws {
    try withTemporaryDirectory { directory in
      try FitCommandTests.writeTrainingData(in: directory)
      let run = try VINExecutable.run(
        [
          "fit", "--data", "a.csv", "--model", "vin-vv", "--width", "4", "--iterations", "3",
          "--horizon", "2", "--initial-state", "naive", "--output", "m.json",
        ], in: directory)
      #expect(run.status == 0, "\(run.standardError)")
      let file = try ModelFile(
        json: try Data(contentsOf: directory.appendingPathComponent("m.json")))
      var expected = TrainingConfiguration()
      expected.iterations = 3
      expected.horizon = 2
      expected.initialStates = .firstObservation
      #expect(file.training?.configuration == expected)
    }
  }

  @Test func helpShowsTheLibraryDefaults() throws {
    let help = try VINExecutable.run(["fit", "--help"]).standardOutput
      .split(whereSeparator: \.isWhitespace).joined(separator: " ")
    let defaults = TrainingConfiguration()
    #expect(defaults.batchSize == nil)
    #expect(help.contains("Windows per minibatch (default: all training windows, full batch)."))
    #expect(help.contains("alias. (default: \(defaults.iterations))"))
    #expect(help.contains("monitored). (default: \(defaults.validationFraction))"))
    #expect(help.contains("default: \(defaults.learningRateSchedule.rawValue))"))
  }

  /// With the defaults a run stops by itself at the end of a cycle, says why, and records the
  /// data's noise level (here σ = 0.1 on q and q̇), the true model's residual and every cycle's
  /// residual and gain in the model file.
  @Test func theDefaultRunStopsAtACycleEndAndSaysWhy() throws {
    try withTemporaryDirectory { directory in
      try FitCommandTests.writeTrainingData(in: directory)
      let run = try VINExecutable.run(
        [
          "fit", "--data", "a.csv", "--data", "b.csv", "--model", "vin-vv", "--width", "8",
          "--first-cycle", "50", "--output", "m.json",
        ], in: directory)
      #expect(run.status == 0, "\(run.standardError)")
      let last = try #require(run.standardError.split(separator: "\n").last)
      #expect(last.hasPrefix("vin-vv: converged at iteration "), "\(last)")
      let file = try ModelFile(
        json: try Data(contentsOf: directory.appendingPathComponent("m.json")))
      let summary = try #require(file.training)
      let iteration = try #require(
        { if case .converged(let k, _) = summary.stopReason { return k } else { return nil } }())
      // Cycles of 50, 100, 200, …: the run ends on a cycle boundary 50 (2^c − 1).
      #expect([50, 150, 350, 750, 1550, 3150, 6350, 12750, 25550].contains(iteration))
      let noise = try #require(summary.dataNoiseLevel)
      #expect(abs(noise / 0.1 - 1) < 0.2, "estimated noise level \(noise)")
      let floor = try #require(summary.residualFloor)
      #expect(floor < noise)
      let residuals = try #require(summary.cycleResiduals)
      let gains = try #require(summary.cycleGains)
      #expect(residuals.count == gains.count + 1)
      #expect(gains.count >= 2)
    }
  }
}
