import Foundation
import Testing

/// End-to-end runs of `vin forecast` and `vin evaluate` on models fitted by `vin fit`.
@Suite struct ForecastCommandTests {
  /// Simulate → fit → forecast → evaluate: the forecast's layout is simulate's, two forecasts
  /// from the same file agree bit for bit, and evaluate's per-step error is the error of that
  /// forecast against the truth.
  @Test(arguments: ["vin-vv", "resnet"])
  func pipelineFromSimulateToEvaluate(model: String) throws {
    try withTemporaryDirectory { directory in
      try FitCommandTests.writeTrainingData(in: directory)
      let fit = try VINExecutable.run(FitCommandTests.fitArguments(model: model), in: directory)
      #expect(fit.status == 0, "\(fit.standardError)")
      let truthRun = try VINExecutable.run(
        [
          "simulate", "pendulum", "--dt", "0.1", "--steps", "40", "--q0", "-1.2", "--v0", "0.3",
          "--output", "truth.csv",
        ], in: directory)
      #expect(truthRun.status == 0)
      let arguments = [
        "forecast", "--model", "m.json", "--q0", "-1.2", "--v0", "0.3", "--steps", "40",
      ]
      let first = try VINExecutable.run(arguments, in: directory)
      let second = try VINExecutable.run(
        arguments + ["--output", "f.csv", "--plot", "f.svg"], in: directory)
      #expect(first.status == 0, "\(first.standardError)")
      #expect(second.status == 0, "\(second.standardError)")
      #expect(
        try String(contentsOf: directory.appendingPathComponent("f.csv"), encoding: .utf8)
          == first.standardOutput)
      #expect(
        FileManager.default.fileExists(atPath: directory.appendingPathComponent("f.svg").path))
      let forecast = try CSVTable(first.standardOutput)
      #expect(forecast.header == ["t", "q1", "v1", "learned_energy"])
      #expect(forecast.rows.count == 41)
      #expect(forecast.rows[0].prefix(3) == [0, -1.2, 0.3])
      let energy = try forecast.column("learned_energy")
      #expect(energy.allSatisfy { model == "resnet" ? $0.isNaN : $0.isFinite })

      let evaluate = try VINExecutable.run(
        ["evaluate", "--model", "m.json", "--truth", "truth.csv", "--output", "e.csv"],
        in: directory)
      #expect(evaluate.status == 0, "\(evaluate.standardError)")
      #expect(evaluate.standardError.isEmpty)
      let errors = try CSVTable(
        String(contentsOf: directory.appendingPathComponent("e.csv"), encoding: .utf8))
      #expect(errors.header == ["t", "squared_error", "learned_energy"])
      let truth = try CSVTable(
        String(contentsOf: directory.appendingPathComponent("truth.csv"), encoding: .utf8))
      var sum = 0.0
      for k in 0..<41 {
        let dq = forecast.rows[k][1] - truth.rows[k][1]
        let dv = forecast.rows[k][2] - truth.rows[k][2]
        #expect(errors.rows[k][1] == dq * dq + dv * dv)
        if k > 0 { sum += dq * dq + dv * dv }
      }
      #expect(errors.rows[0][1] == 0)
      // The summary, on standard output, names the mean over steps 1…40.
      #expect(evaluate.standardOutput.hasPrefix("mean squared error \(sum / 40) over 40 steps\n"))
      #expect(
        evaluate.standardOutput.contains(
          model == "resnet" ? "energy drift: n/a (the model has no energy)" : "energy drift "))
    }
  }

  /// The energy column is the learned model's: for a cosine potential a(1 − cos q) and the
  /// identity mass it is ½v² + a(1 − cos q) with the a stored in the model file, and a
  /// variational forecast keeps it within O(h²) (no drift) over 2000 steps.
  @Test func energyColumnIsTheLearnedEnergy() throws {
    try withTemporaryDirectory { directory in
      try FitCommandTests.writeTrainingData(in: directory)
      let fit = try VINExecutable.run(
        [
          "fit", "--data", "a.csv", "--model", "vin-vv", "--potential", "cosine", "--mass",
          "identity", "--steps", "30", "--learning-rate", "0.05", "--horizon", "5", "--output",
          "m.json",
        ], in: directory)
      #expect(fit.status == 0, "\(fit.standardError)")
      let data = try Data(contentsOf: directory.appendingPathComponent("m.json"))
      let json = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
      let parameters = try #require(json["parameters"] as? [String: Any])
      let a = try #require((parameters["potential"] as? [Double])?.first)
      #expect(a > 1, "30 steps of Adam at 0.05 move a from 1 towards g = 9.81")
      let run = try VINExecutable.run(
        ["forecast", "--model", "m.json", "--q0", "1", "--steps", "2000"], in: directory)
      #expect(run.status == 0, "\(run.standardError)")
      let table = try CSVTable(run.standardOutput)
      for row in table.rows {
        let expected = 0.5 * row[2] * row[2] + a * (1 - cos(row[1]))
        #expect(abs(row[3] - expected) <= 1e-12 * max(1, abs(expected)))
      }
      let energy = try table.column("learned_energy")
      let spread = (energy.max() ?? 0) - (energy.min() ?? 0)
      #expect(spread < 0.05 * a, "bounded energy error of a variational forecast")
    }
  }
}
