import Foundation
import Testing

@testable import vin

/// `vin forecast --truth FILE --plot`: the truth drawn beside the forecast, and `vin evaluate`'s
/// summary (text or JSON) and per-step rows.
@Suite struct ForecastTruthTests {
  /// A pendulum truth, a small fitted vin-vv model, and a forecast from the truth's start.
  static func prepare(in directory: URL, model: String = "vin-vv") throws {
    try FitCommandTests.writeTrainingData(in: directory)
    let fit = try VINExecutable.run(FitCommandTests.fitArguments(model: model), in: directory)
    #expect(fit.status == 0, "\(fit.standardError)")
    let truth = try VINExecutable.run(
      [
        "simulate", "pendulum", "--dt", "0.1", "--steps", "60", "--q0", "1.2", "--output",
        "truth.csv",
      ], in: directory)
    #expect(truth.status == 0, "\(truth.standardError)")
  }

  /// The number of `"key":` in a one-line JSON object, read with `Double(_:)`.
  static func number(_ key: String, in json: String) -> Double? {
    guard let start = json.range(of: "\"\(key)\":")?.upperBound else { return nil }
    let text = json[start...].prefix { $0 != "," && $0 != "}" }
    return Double(text)
  }

  static func read(_ name: String, in directory: URL) throws -> String {
    try String(contentsOf: directory.appendingPathComponent(name), encoding: .utf8)
  }

  /// The plot holds the truth (dashed, legend `q1 (truth)`) and the true energy beside the
  /// learned one; the CSV is the forecast's alone, byte for byte the one without --truth.
  @Test func truthIsDrawnBesideTheForecastAndLeavesTheCSVAlone() throws {
    try withTemporaryDirectory { directory in
      try Self.prepare(in: directory)
      let forecast = ["forecast", "--model", "m.json", "--q0", "1.2", "--steps", "40"]
      let plain = try VINExecutable.run(forecast + ["--output", "plain.csv"], in: directory)
      let run = try VINExecutable.run(
        forecast + ["--truth", "truth.csv", "--plot", "f.svg", "--output", "f.csv"],
        in: directory)
      #expect(plain.status == 0, "\(plain.standardError)")
      #expect(run.status == 0, "\(run.standardError)")
      #expect(try Self.read("f.csv", in: directory) == Self.read("plain.csv", in: directory))
      let svg = try Self.read("f.svg", in: directory)
      for name in [
        "q1 (truth)", "E − E(0) (truth)", "Ê − Ê(0) (learned)", "truth (dashed): truth.csv",
      ] {
        #expect(svg.contains(name), "\(name)")
      }
      // Two dashed lines (q1 and the energy), each with a dashed legend sample.
      #expect(svg.components(separatedBy: "stroke-dasharray").count - 1 == 4)
    }
  }

  /// `--truth` adds nothing without a plot: refused in one line, before anything is written.
  @Test func truthWithoutPlotIsRefused() throws {
    try withTemporaryDirectory { directory in
      try Self.prepare(in: directory)
      let run = try VINExecutable.run(
        [
          "forecast", "--model", "m.json", "--q0", "1.2", "--steps", "40", "--truth", "truth.csv",
          "--output", "f.csv",
        ], in: directory)
      #expect(run.status != 0)
      #expect(run.errorLines.count == 1, "\(run.standardError)")
      #expect(run.standardError.contains("--truth 'truth.csv' is invalid: needs --plot"))
      #expect(run.standardOutput.isEmpty)
      #expect(
        !FileManager.default.fileExists(atPath: directory.appendingPathComponent("f.csv").path))
    }
  }

  /// An output that names an input (the truth or the model) would replace it: refused in one
  /// line, the input unchanged.
  @Test(arguments: [
    [
      "forecast", "--q0", "1.2", "--steps", "4", "--truth", "truth.csv", "--plot", "f.svg",
      "--output", "./truth.csv",
    ],
    ["forecast", "--q0", "1.2", "--steps", "4", "--output", "m.json"],
    ["evaluate", "--truth", "truth.csv", "--output", "truth.csv"],
    ["evaluate", "--truth", "truth.csv", "--output", "m.json"],
  ])
  func outputThatNamesAnInputIsRefused(_ arguments: [String]) throws {
    try withTemporaryDirectory { directory in
      try Self.prepare(in: directory)
      let truth = try Self.read("truth.csv", in: directory)
      let model = try Self.read("m.json", in: directory)
      let run = try VINExecutable.run(
        [arguments[0], "--model", "m.json"] + arguments.dropFirst(), in: directory)
      #expect(run.status != 0)
      #expect(run.errorLines.count == 1, "\(run.standardError)")
      #expect(run.standardError.contains("which writing it would replace"), "\(run.standardError)")
      #expect(run.standardOutput.isEmpty)
      #expect(try Self.read("truth.csv", in: directory) == truth)
      #expect(try Self.read("m.json", in: directory) == model)
    }
  }

  /// evaluate checks --output before it reads anything: an unwritable one fails in one line
  /// and prints no summary.
  @Test(arguments: ["text", "json"])
  func evaluateChecksTheOutputFirst(summary: String) throws {
    try withTemporaryDirectory { directory in
      try Self.prepare(in: directory)
      let run = try VINExecutable.run(
        [
          "evaluate", "--model", "m.json", "--truth", "truth.csv", "--summary", summary,
          "--output", "missing/e.csv",
        ], in: directory)
      #expect(run.status != 0)
      #expect(run.errorLines.count == 1, "\(run.standardError)")
      #expect(run.standardError.contains("missing/e.csv"), "\(run.standardError)")
      #expect(run.standardOutput.isEmpty)
    }
  }

  /// An SO(3) truth for a model on coordinates: one line naming the file, no plot.
  @Test func truthInAnotherLayoutIsRefused() throws {
    try withTemporaryDirectory { directory in
      try Self.prepare(in: directory)
      let top = try VINExecutable.run(
        ["simulate", "heavy-top", "--dt", "0.01", "--steps", "5", "--output", "top.csv"],
        in: directory)
      #expect(top.status == 0, "\(top.standardError)")
      let run = try VINExecutable.run(
        [
          "forecast", "--model", "m.json", "--q0", "1.2", "--steps", "4", "--truth", "top.csv",
          "--plot", "f.svg",
        ], in: directory)
      #expect(run.status != 0)
      #expect(run.errorLines.count == 1, "\(run.standardError)")
      #expect(run.standardError.contains("'top.csv'"), "\(run.standardError)")
      #expect(
        !FileManager.default.fileExists(atPath: directory.appendingPathComponent("f.svg").path))
    }
  }

  /// The figure's truth series are the file's values up to the forecast's last time, and its
  /// energy series are each energy minus its own value at t = 0.
  @Test func figureSeriesAreTheTruthsValues() throws {
    try withTemporaryDirectory { directory in
      let text = "t,q1,v1,energy\n0,1,0,-5\n0.1,0.9,-1,-4.5\n0.2,0.7,-2,-5.25\n0.3,0.5,-2.5,-5\n"
      let url = directory.appendingPathComponent("truth.csv")
      try text.write(to: url, atomically: false, encoding: .utf8)
      let truth = try TrajectoryFile(path: url.path)
      let forecast = CoordinateTable(
        dimension: 1, times: [0, 0.1, 0.2], positions: [1, 0.8, 0.6], velocities: [0, -1, -2],
        energies: [2, 2.5, 1.5], energyColumn: .learned)
      #expect(forecast.header == ["t", "q1", "v1", "learned_energy"])
      let figure = ForecastFigure.make(
        forecast, hasEnergy: true, truth: truth, title: "", subtitle: "")
      #expect(figure.panels.count == 2)
      let q = figure.panels[0].series
      #expect(q.map(\.name) == ["q1", "q1 (truth)"])
      #expect(q[1].x == [0, 0.1, 0.2] && q[1].y == [1, 0.9, 0.7] && q[1].isDashed)
      #expect(q[0].color == q[1].color)
      let energy = figure.panels[1].series
      #expect(energy.map(\.y) == [[0, 0.5, -0.5], [0, 0.5, -0.25]])
      #expect(energy[1].name == "E − E(0) (truth)")
      // A baseline has no learned energy: the panel shows the truth's alone.
      let baseline = ForecastFigure.make(
        forecast, hasEnergy: false, truth: truth, title: "", subtitle: "")
      #expect(baseline.panels[1].series.map(\.name) == ["E − E(0) (truth)"])
    }
  }

  /// Without --output, evaluate prints only its summary; `--summary json` is one object whose
  /// numbers are the text summary's and the mean of the per-step rows, read back exactly.
  @Test(arguments: ["vin-vv", "resnet"])
  func evaluateSummaryAsTextAndJSON(model: String) throws {
    try withTemporaryDirectory { directory in
      try Self.prepare(in: directory, model: model)
      let evaluate = ["evaluate", "--model", "m.json", "--truth", "truth.csv"]
      let text = try VINExecutable.run(evaluate, in: directory)
      #expect(text.status == 0, "\(text.standardError)")
      #expect(text.standardError.isEmpty)
      let lines = text.standardOutput.split(separator: "\n")
      #expect(lines.count == 2, "\(text.standardOutput)")
      let json = try VINExecutable.run(
        evaluate + ["--summary", "json", "--output", "e.csv"], in: directory)
      #expect(json.status == 0, "\(json.standardError)")
      #expect(json.standardOutput.split(separator: "\n").count == 1)
      let object = try #require(
        try JSONSerialization.jsonObject(with: Data(json.standardOutput.utf8)) as? [String: Any])
      let rows = try CSVTable(Self.read("e.csv", in: directory))
      #expect(rows.header == ["t", "squared_error", "learned_energy"])
      let errors = try rows.column("squared_error")
      let mean = errors.dropFirst().reduce(0, +) / 60
      #expect(object["steps"] as? Int == 60)
      #expect(object["mean_squared_error"] is Double)
      // Foundation's JSON parser may round the last digit; the text reads back exactly.
      let mse = try #require(Self.number("mean_squared_error", in: json.standardOutput))
      #expect(mse == mean)
      #expect(lines[0] == "mean squared error \(mse) over 60 steps")
      if model == "resnet" {
        #expect(object["energy_drift"] is NSNull)
      } else {
        #expect(object["energy_drift"] is Double)
        let drift = try #require(Self.number("energy_drift", in: json.standardOutput))
        #expect(lines[1].hasPrefix("energy drift \(drift) per unit time"))
      }
    }
  }

  /// Readers take a forecast's `learned_energy` file: evaluating a model against its own
  /// forecast gives zero error, and `vin fit` trains on it.
  @Test func readersAcceptLearnedEnergy() throws {
    try withTemporaryDirectory { directory in
      try Self.prepare(in: directory)
      let written = try VINExecutable.run(
        [
          "forecast", "--model", "m.json", "--q0", "1.2", "--v0", "0.5", "--steps", "30",
          "--output", "f.csv",
        ], in: directory)
      #expect(written.status == 0, "\(written.standardError)")
      let evaluate = try VINExecutable.run(
        ["evaluate", "--model", "m.json", "--truth", "f.csv", "--summary", "json"], in: directory)
      #expect(evaluate.status == 0, "\(evaluate.standardError)")
      #expect(evaluate.standardOutput.hasPrefix("{\"steps\":30,\"mean_squared_error\":0.0,"))
      let plot = try VINExecutable.run(
        [
          "forecast", "--model", "m.json", "--q0", "1.2", "--steps", "30", "--truth", "f.csv",
          "--plot", "g.svg", "--output", "g.csv",
        ], in: directory)
      #expect(plot.status == 0, "\(plot.standardError)")
      #expect(try Self.read("g.svg", in: directory).contains("truth file's learned_energy"))
      let fit = try VINExecutable.run(
        [
          "fit", "--data", "f.csv", "--model", "vin-vv", "--width", "8", "--steps", "5",
          "--horizon", "5", "--output", "n.json",
        ], in: directory)
      #expect(fit.status == 0, "\(fit.standardError)")
    }
  }
}
