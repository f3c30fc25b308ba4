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
}
