import Foundation
import Testing
import VINKit

/// `vin fit --model vin-so3` (and `resnet`), `vin forecast` and `vin evaluate` on the SO(3)
/// layout of `vin simulate heavy-top`, end to end, and their bad inputs.
@Suite struct RigidBodyLearningTests {
  static let layout =
    ["t"] + (1...3).flatMap { i in (1...3).map { j in "R\(i)\(j)" } } + ["w1", "w2", "w3"]

  /// Two noisy hanging heavy tops (ρ = (0, 0, −0.3), h = 0.02, 31 samples).
  static func writeTrainingData(in directory: URL) throws {
    for (name, q0, v0, seed) in [
      ("a.csv", "0.3,-0.2,0.4", "1,-2,0.5", "1"), ("b.csv", "-0.4,0.5,0.1", "-1,2,1.5", "2"),
    ] {
      let run = try VINExecutable.run(
        [
          "simulate", "heavy-top", "--param", "rho3=-0.3", "--dt", "0.02", "--steps", "30",
          "--q0", q0, "--v0", v0, "--noise", "0.02", "--seed", seed, "--output", name,
        ], in: directory)
      #expect(run.status == 0, "\(run.standardError)")
    }
  }

  /// `R` and `Ω` of row k of an SO(3) table.
  static func state(_ table: CSVTable, _ k: Int) -> (SO3, Vector3) {
    let x = table.rows[k]
    return (
      SO3(uncheckedMatrix: Matrix3(x[1], x[2], x[3], x[4], x[5], x[6], x[7], x[8], x[9])),
      Vector3(x[10], x[11], x[12])
    )
  }

  /// Simulate → fit (gravity or network potential, inferred starts) → forecast → evaluate: the
  /// forecast has simulate's SO(3) layout and starts at `(exp(q̂0), v0)` with the learned
  /// energy, and evaluate's per-step error is `|log(R̂ᵀR)|² + |Ω̂ − Ω|²` of that forecast.
  @Test(arguments: ["gravity", "mlp"])
  func pipelineFromSimulateToEvaluate(potential: String) throws {
    try withTemporaryDirectory { directory in
      try Self.writeTrainingData(in: directory)
      let fit = try VINExecutable.run(
        [
          "fit", "--data", "a.csv", "--data", "b.csv", "--model", "vin-so3", "--potential",
          potential, "--width", "8", "--steps", "40", "--horizon", "5", "--learning-rate", "0.01",
          "--inertia-scale", "0.2", "--initial-state-learning-rate", "0.003", "--output", "m.json",
        ], in: directory)
      #expect(fit.status == 0, "\(fit.standardError)")
      #expect(fit.standardError.contains("vin-so3: completed after 40 iterations"))
      let data = try Data(contentsOf: directory.appendingPathComponent("m.json"))
      let json = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
      #expect(json["kind"] as? String == "vin-so3")
      #expect((json["potential"] as? [String: Any])?["kind"] as? String == "so3-" + potential)
      try Self.forecastAndEvaluate(in: directory, learnedEnergy: true)
    }
  }

  /// A ResNet fitted to SO(3) data is a map of the 12-vector (R, Ω) with dimension 3, and
  /// forecasts and evaluates in the SO(3) layout (its R̂ projected onto SO(3), no energy).
  @Test func resnetOnRigidBodyData() throws {
    try withTemporaryDirectory { directory in
      try Self.writeTrainingData(in: directory)
      let fit = try VINExecutable.run(
        [
          "fit", "--data", "a.csv", "--data", "b.csv", "--model", "resnet", "--width", "8",
          "--steps", "40", "--horizon", "5", "--output", "m.json",
        ], in: directory)
      #expect(fit.status == 0, "\(fit.standardError)")
      let data = try Data(contentsOf: directory.appendingPathComponent("m.json"))
      let json = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
      #expect(json["kind"] as? String == "resnet")
      #expect(json["dimension"] as? Int == 3)
      #expect((json["network"] as? [String: Any])?["layout"] as? String == "rigidBody")
      try Self.forecastAndEvaluate(in: directory, learnedEnergy: false)
    }
  }

  /// Forecasts the model m.json in `directory` 40 steps from a heavy top's state and evaluates
  /// it against the truth: the forecast has simulate's SO(3) layout, starts at `(exp(q̂0), v0)`,
  /// every R is a rotation, the energy is learned (or NaN), and evaluate's per-step error is
  /// `|log(R̂ᵀR)|² + |Ω̂ − Ω|²` of that forecast.
  static func forecastAndEvaluate(in directory: URL, learnedEnergy: Bool) throws {
    let truthRun = try VINExecutable.run(
      [
        "simulate", "heavy-top", "--param", "rho3=-0.3", "--dt", "0.02", "--steps", "40",
        "--q0", "0.2,-0.1,0.3", "--v0", "0.5,-1,1", "--output", "truth.csv",
      ], in: directory)
    #expect(truthRun.status == 0)
    let truth = try CSVTable(
      String(contentsOf: directory.appendingPathComponent("truth.csv"), encoding: .utf8))
    // The truth's Ω₀ as written (J⁻¹JΩ₀ rounds), so that the forecast is evaluate's.
    let v0 = truth.rows[0][10...12].map { "\($0)" }.joined(separator: ",")
    let forecastRun = try VINExecutable.run(
      [
        "forecast", "--model", "m.json", "--steps", "40", "--plot", "f.svg", "--q0",
        "0.2,-0.1,0.3", "--v0", v0,
      ], in: directory)
    #expect(forecastRun.status == 0, "\(forecastRun.standardError)")
    #expect(
      FileManager.default.fileExists(atPath: directory.appendingPathComponent("f.svg").path))
    let forecast = try CSVTable(forecastRun.standardOutput)
    #expect(forecast.header == Self.layout + ["learned_energy"])
    #expect(forecast.rows.count == 41)
    // The same start as simulate's: R₀ = exp(q̂0) bit for bit, and Ω₀.
    #expect(forecast.rows[0].prefix(10) == truth.rows[0].prefix(10))
    for i in 10...12 { #expect(abs(forecast.rows[0][i] - truth.rows[0][i]) < 1e-15) }
    for k in 0...40 {
      let (r, _) = Self.state(forecast, k)
      let defect = (r.matrix.transpose * r.matrix - Matrix3.identity).entries.map(abs).max()
      #expect(try #require(defect) < 1e-12)
    }
    let energy = try forecast.column("learned_energy")
    #expect(energy.allSatisfy { $0.isFinite == learnedEnergy })

    let evaluate = try VINExecutable.run(
      ["evaluate", "--model", "m.json", "--truth", "truth.csv", "--output", "-"], in: directory)
    #expect(evaluate.status == 0, "\(evaluate.standardError)")
    let errors = try CSVTable(evaluate.standardOutput)
    #expect(errors.header == ["t", "squared_error", "learned_energy"])
    var squared = 0.0
    var geodesic = 0.0
    for k in 0...40 {
      let (predicted, w) = Self.state(forecast, k)
      let (r, trueW) = Self.state(truth, k)
      let distance = (predicted.inverse() * r).log().norm
      let e = distance * distance + (w - trueW).dot(w - trueW)
      #expect(abs(errors.rows[k][1] - e) <= 1e-12 * e + 1e-30)
      #expect(errors.rows[k][2] == energy[k] || !learnedEnergy && errors.rows[k][2].isNaN)
      if k > 0 {
        squared += e
        geodesic += distance
      }
    }
    #expect(errors.rows[0][1] < 1e-30)
    #expect(squared > 0)
    // With --output - the rows are standard output and the summary goes to standard error.
    #expect(evaluate.standardError.contains("mean squared error"))
    #expect(evaluate.standardError.contains("over 40 steps (|log(R̂ᵀR)|² + |Ω̂ − Ω|²)"))
    let line = try #require(
      evaluate.errorLines.first { $0.hasPrefix("mean geodesic attitude error ") })
    let reported = try #require(Double(line.split(separator: " ")[4]))
    #expect(abs(reported - geodesic / 40) <= 1e-9 * geodesic / 40)
    #expect(evaluate.standardError.contains("energy drift"))
    // The JSON summary carries the same mean geodesic error, read back as the same Double.
    let summary = try VINExecutable.run(
      ["evaluate", "--model", "m.json", "--truth", "truth.csv", "--summary", "json"],
      in: directory)
    #expect(summary.status == 0, "\(summary.standardError)")
    let object = try #require(
      try JSONSerialization.jsonObject(with: Data(summary.standardOutput.utf8))
        as? [String: Any])
    #expect(object["steps"] as? Int == 40)
    #expect(object["mean_geodesic_error"] is Double)
    #expect(
      ForecastTruthTests.number("mean_geodesic_error", in: summary.standardOutput) == reported)
  }

  /// Input files of the bad cases: a good SO(3) CSV, one whose R is not a rotation, one
  /// without the w3 column, one with a short row, a q, v CSV and a vin-so3 model.
  static let files: [(String, String)] = [
    ("top.csv", topCSV(r11: "1")),
    ("skewed.csv", topCSV(r11: "1.01")),
    ("nine.csv", "t,R11,R12,R13,R21,R22,R23,R31,R32,R33,w1,w2\n0,1,0,0,0,1,0,0,0,1,0,0\n"),
    ("short.csv", "t,R11,R12,R13,R21,R22,R23,R31,R32,R33,w1,w2,w3\n0,1,0,0,0,1,0,0,0,1,0,0\n"),
    ("plain.csv", "t,q1,v1,energy\n0,1,0,0\n0.1,0.9,-1,0\n0.2,0.7,-2,0\n0.3,0.5,-2.5,0\n"),
    (
      "so3.json",
      """
      {"format": "vinkit-model", "version": 1, "kind": "vin-so3", "dimension": 6,
       "stepSize": 0.1, "potential": {"kind": "gravity", "parameters": [0, 0, -1]},
       "mass": {"kind": "inertia-cholesky", "epsilon": 1e-6,
                "parameters": [1, 0, 1, 0, 0, 1]}}
      """
    ),
  ]

  /// Four samples at h = 0.1 of the identity attitude, R11 of the third set to `r11`.
  static func topCSV(r11: String) -> String {
    let header = layout.joined(separator: ",") + ",energy\n"
    return header
      + (0..<4).map { k in
        "\(Double(k) / 10),\(k == 2 ? r11 : "1"),0,0,0,1,0,0,0,1,0.1,0.2,0.3,0\n"
      }.joined()
  }

  static let fit = ["fit", "--model", "vin-so3", "--steps", "2", "--horizon", "1"]
  static let forecast = ["forecast", "--model", "so3.json", "--steps", "3"]

  static let cases: [LearningBadInputTests.Case] = [
    .init(
      arguments: fit + ["--data", "skewed.csv"],
      message: "'skewed.csv': CSV line 4, column 'R11': R = [1.01, "),
    .init(arguments: fit + ["--data", "nine.csv"], message: "line 1: expected column 'w3'"),
    .init(
      arguments: fit + ["--data", "short.csv"],
      message: "line 2, column 'w3': missing: the row has 12 fields, the header has 13"),
    .init(
      arguments: fit + ["--data", "plain.csv"],
      message: "'plain.csv' has q, v columns, but vin-so3 takes the SO(3) layout"),
    .init(
      arguments: [
        "fit", "--model", "vin-vv", "--steps", "2", "--horizon", "1", "--data", "top.csv",
      ],
      message: "'top.csv' holds a rigid body on SO(3)"),
    .init(
      arguments: [
        "fit", "--model", "resnet", "--steps", "2", "--horizon", "1", "--data", "top.csv",
        "--data", "plain.csv",
      ],
      message:
        "'plain.csv' holds coordinates (q, q̇), but 'top.csv' holds a rigid body's (R, Ω)"),
    .init(
      arguments: [
        "fit", "--model", "resnet", "--steps", "2", "--horizon", "1", "--data", "top.csv",
        "--angles",
      ],
      message: "--angles = set is invalid: does not apply to resnet on SO(3) data"),
    .init(
      arguments: fit + ["--data", "top.csv", "--potential", "cosine"],
      message: "vin-so3 takes gravity"),
    .init(
      arguments: ["fit", "--model", "vin-vv", "--data", "plain.csv", "--potential", "gravity"],
      message: "rigid-body potential of vin-so3"),
    .init(
      arguments: ["fit", "--model", "vin-vv", "--data", "plain.csv", "--inertia-scale", "2"],
      message: "--inertia-scale = 2.0 is invalid: applies to vin-so3 only"),
    .init(
      arguments: fit + ["--data", "top.csv", "--angles"],
      message: "--angles = set is invalid: does not apply to vin-so3"),
    .init(
      arguments: fit + ["--data", "top.csv", "--inertia-scale", "0"],
      message: "--inertia-scale 0.0 is invalid"),
    .init(
      arguments: fit + ["--data", "top.csv", "--initial-state-learning-rate", "-1"],
      message: "--initial-state-learning-rate -1.0 is invalid"),
    .init(arguments: forecast + ["--q0", "1,2"], message: "needs 3 (a rotation vector)"),
    .init(
      arguments: forecast + ["--q0", "1,2,3", "--v0", "1"],
      message: "needs 3 (the body angular velocity Ω)"),
    .init(
      arguments: ["evaluate", "--model", "so3.json", "--truth", "plain.csv"],
      message: "'plain.csv' has q, v columns"),
    .init(
      arguments: ["evaluate", "--model", "so3.json", "--truth", "skewed.csv"],
      message: "is not a rotation"),
  ]

  @Test(arguments: cases)
  func failsWithOneLineAndNoFiles(_ bad: LearningBadInputTests.Case) throws {
    try withTemporaryDirectory { directory in
      for (name, contents) in Self.files {
        try contents.write(
          to: directory.appendingPathComponent(name), atomically: false, encoding: .utf8)
      }
      let run = try VINExecutable.run(bad.arguments + ["--output", "out.file"], in: directory)
      #expect(run.status != 0)
      #expect(run.errorLines.count == 1, "stderr: \(run.standardError)")
      #expect(run.standardError.hasPrefix("Error: "), "stderr: \(run.standardError)")
      #expect(run.standardError.contains(bad.message), "stderr: \(run.standardError)")
      #expect(run.standardOutput.isEmpty)
      let left = try FileManager.default.contentsOfDirectory(atPath: directory.path)
      #expect(Set(left) == Set(Self.files.map(\.0)))
    }
  }
}
