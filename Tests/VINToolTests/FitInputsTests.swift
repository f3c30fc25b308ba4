import Foundation
import Testing

/// `vin fit` and `vin evaluate` on trajectories recorded under inputs (`u1,…,um` columns).
@Suite struct FitInputsTests {
  /// A driven oscillator `q̈ = −q + u`, exactly, with u held over each step of 0.1 (a new value
  /// every 5 samples), as CSV with the input after the state: `t,q1,v1,u1`.
  static func drivenCSV(q0: Double, v0: Double, inputs: [Double]) -> String {
    let h = 0.1
    var (q, v) = (q0, v0)
    var lines = ["t,q1,v1,u1"]
    for (k, u) in inputs.enumerated() {
      lines.append("\(Double(k) * h),\(q),\(v),\(u)")
      let (x, y) = (q - u, v)
      (q, v) = (u + x * cos(h) + y * sin(h), -x * sin(h) + y * cos(h))
    }
    return lines.joined(separator: "\n") + "\n"
  }

  static func writeData(in directory: URL) throws {
    let inputs: [[Double]] = [
      [0.5, 0.5, 0.5, 0.5, 0.5, -1, -1, -1, -1, -1, 0.2, 0.2, 0.2, 0.2, 0.2, 1, 1, 1, 1, 1],
      [
        -0.3, -0.3, -0.3, -0.3, -0.3, 1.2, 1.2, 1.2, 1.2, 1.2, 0, 0, 0, 0, 0, -0.8, -0.8, -0.8,
        -0.8, -0.8,
      ],
    ]
    for (i, u) in inputs.enumerated() {
      try Self.drivenCSV(q0: 0.4 - Double(i), v0: 0.3, inputs: u)
        .write(to: directory.appendingPathComponent("d\(i).csv"), atomically: true, encoding: .utf8)
    }
    try
      "t,q1,v1\n0,1,0\n0.1,0.995,-0.0998\n0.2,0.98,-0.198\n0.3,0.955,-0.295\n0.4,0.92,-0.389\n0.5,0.877,-0.479\n0.6,0.825,-0.565\n"
      .write(to: directory.appendingPathComponent("free.csv"), atomically: true, encoding: .utf8)
  }

  static func fit(_ model: String, _ extra: [String] = [], data: [String] = ["d0.csv", "d1.csv"])
    -> [String]
  {
    [
      "fit", "--model", model, "--width", "8", "--steps", "30", "--horizon", "4", "--output",
      "m.json",
    ]
      + data.flatMap { ["--data", $0] } + extra
  }

  @Test func aResNetLearnsTheInputsAndEvaluateReplaysThem() throws {
    try withTemporaryDirectory { directory in
      try Self.writeData(in: directory)
      let fit = try VINExecutable.run(Self.fit("resnet"), in: directory)
      #expect(fit.status == 0, "\(fit.standardError)")
      let data = try Data(contentsOf: directory.appendingPathComponent("m.json"))
      let json = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
      let network = try #require(json["network"] as? [String: Any])
      #expect(network["inputs"] as? Int == 1)
      let evaluate = try VINExecutable.run(
        ["evaluate", "--model", "m.json", "--truth", "d1.csv"], in: directory)
      #expect(evaluate.status == 0, "\(evaluate.standardError)")
      // A truth without the inputs the model needs: one line, non-zero.
      let blind = try VINExecutable.run(
        ["evaluate", "--model", "m.json", "--truth", "free.csv"], in: directory)
      #expect(blind.status != 0)
      #expect(blind.errorLines.count == 1)
      #expect(blind.standardError.contains("input columns u1"))
      // vin forecast needs the inputs: one line, no output file without --control.
      let forecast = [
        "forecast", "--model", "m.json", "--q0", "0.1", "--steps", "5", "--output", "f.csv",
      ]
      let output = directory.appendingPathComponent("f.csv")
      let missing = try VINExecutable.run(forecast, in: directory)
      #expect(missing.status != 0)
      #expect(missing.errorLines.count == 1)
      #expect(missing.standardError.contains("--control"))
      #expect(!FileManager.default.fileExists(atPath: output.path))
      // With a signal or a file (a data file's u1 column drives it), the rows end with u1.
      for control in ["random:std=1,hold=0.2,seed=3", "d0.csv"] {
        let run = try VINExecutable.run(forecast + ["--control", control], in: directory)
        #expect(run.status == 0, "\(run.standardError)")
        let lines = try String(contentsOf: output, encoding: .utf8).split(separator: "\n")
        #expect(lines.first == "t,q1,v1,learned_energy,u1")
        #expect(lines.count == 7)
        if control == "d0.csv" { #expect(lines[1].hasSuffix(",0.5")) }
      }
      // A control file too short for the run, or an output naming it: one line, nothing written.
      try FileManager.default.removeItem(at: output)
      let base = ["forecast", "--model", "m.json", "--q0", "0.1", "--control", "d0.csv"]
      for extra in [
        ["--steps", "50", "--output", "f.csv"], ["--steps", "5", "--output", "d0.csv"],
      ] {
        let run = try VINExecutable.run(base + extra, in: directory)
        #expect(run.status != 0)
        #expect(run.errorLines.count == 1, "\(run.standardError)")
        #expect(!FileManager.default.fileExists(atPath: output.path))
      }
      let data0 = try String(
        contentsOf: directory.appendingPathComponent("d0.csv"), encoding: .utf8)
      #expect(data0.hasPrefix("t,q1,v1,u1"))
      // --inputs none: an unforced ResNet, whose file has no inputs.
      let none = try VINExecutable.run(Self.fit("resnet", ["--inputs", "none"]), in: directory)
      #expect(none.status == 0, "\(none.standardError)")
      let unforced = try Data(contentsOf: directory.appendingPathComponent("m.json"))
      #expect(!String(decoding: unforced, as: UTF8.self).contains("\"inputs\""))
    }
  }

  @Test func aForcedVINVVLearnsInputsAndDissipation() throws {
    try withTemporaryDirectory { directory in
      try Self.writeData(in: directory)
      let fit = try VINExecutable.run(
        Self.fit("vin-vv", ["--dissipation", "constant"]), in: directory)
      #expect(fit.status == 0, "\(fit.standardError)")
      let data = try Data(contentsOf: directory.appendingPathComponent("m.json"))
      let json = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
      let forces = try #require(json["forces"] as? [String: Any])
      #expect(forces["inputs"] as? Int == 1)
      #expect(forces["dissipation"] as? String == "constant")
      let parameters = try #require(json["parameters"] as? [String: Any])
      #expect((parameters["forces"] as? [Double])?.count == 2)
      let evaluate = try VINExecutable.run(
        ["evaluate", "--model", "m.json", "--truth", "d0.csv"], in: directory)
      #expect(evaluate.status == 0, "\(evaluate.standardError)")
    }
  }

  @Test func aForcedVINSO3LearnsBodyTorquesAndDamping() throws {
    try withTemporaryDirectory { directory in
      let simulate = try VINExecutable.run(
        [
          "simulate", "rigid-body", "--dt", "0.1", "--steps", "20", "--param", "damping=0.1",
          "--control", "random:std=1,hold=0.5,seed=3", "--output", "body.csv",
        ], in: directory)
      #expect(simulate.status == 0, "\(simulate.standardError)")
      let fit = try VINExecutable.run(
        Self.fit("vin-so3", ["--dissipation", "constant"], data: ["body.csv"]), in: directory)
      #expect(fit.status == 0, "\(fit.standardError)")
      let data = try Data(contentsOf: directory.appendingPathComponent("m.json"))
      let json = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
      let forces = try #require(json["forces"] as? [String: Any])
      #expect(forces["inputs"] as? Int == 3)
      #expect(forces["dissipation"] as? String == "constant")
      let parameters = try #require(json["parameters"] as? [String: Any])
      // B is 3×3, L has 6 entries.
      #expect((parameters["forces"] as? [Double])?.count == 15)
      let evaluate = try VINExecutable.run(
        ["evaluate", "--model", "m.json", "--truth", "body.csv"], in: directory)
      #expect(evaluate.status == 0, "\(evaluate.standardError)")
      let forecast = try VINExecutable.run(
        [
          "forecast", "--model", "m.json", "--q0", "0.1,0,0", "--v0", "0.2,1,0", "--steps", "5",
          "--control", "sine:amplitude=1,frequency=0.5",
        ], in: directory)
      #expect(forecast.status == 0, "\(forecast.standardError)")
      #expect(forecast.standardOutput.split(separator: "\n").first?.hasSuffix(",u1,u2,u3") == true)
    }
  }

  /// vin-so3 with `--dissipation configuration --input-matrix configuration`: B(R) and D(R)
  /// from networks of R's nine entries, recorded in the model file, which forecast and evaluate
  /// read.
  @Test func aForcedVINSO3LearnsTorquesOfTheAttitude() throws {
    try withTemporaryDirectory { directory in
      let simulate = try VINExecutable.run(
        [
          "simulate", "rigid-body", "--dt", "0.1", "--steps", "20", "--param", "damping=0.1",
          "--control", "random:std=1,hold=0.5,seed=3", "--output", "body.csv",
        ], in: directory)
      #expect(simulate.status == 0, "\(simulate.standardError)")
      let fit = try VINExecutable.run(
        Self.fit(
          "vin-so3", ["--dissipation", "configuration", "--input-matrix", "configuration"],
          data: ["body.csv"]), in: directory)
      #expect(fit.status == 0, "\(fit.standardError)")
      let data = try Data(contentsOf: directory.appendingPathComponent("m.json"))
      let json = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
      let forces = try #require(json["forces"] as? [String: Any])
      #expect(forces["dissipation"] as? String == "configuration")
      #expect(forces["inputMatrix"] as? String == "configuration")
      #expect(forces["angularInputs"] == nil)
      let parameters = try #require(json["parameters"] as? [String: Any])
      // Networks of R's 9 entries with 8 hidden units: B's 9 outputs (3×3), L's 6.
      let expectedCount: Int = (10 * 8 + 9 * 9) + (10 * 8 + 9 * 6)
      #expect((parameters["forces"] as? [Double])?.count == expectedCount)
      let evaluate = try VINExecutable.run(
        ["evaluate", "--model", "m.json", "--truth", "body.csv"], in: directory)
      #expect(evaluate.status == 0, "\(evaluate.standardError)")
      let forecast = try VINExecutable.run(
        [
          "forecast", "--model", "m.json", "--q0", "0.1,0,0", "--v0", "0.2,1,0", "--steps", "5",
          "--control", "sine:amplitude=1,frequency=0.5",
        ], in: directory)
      #expect(forecast.status == 0, "\(forecast.standardError)")
      #expect(forecast.standardOutput.split(separator: "\n").count == 7)
    }
  }

  /// vin-mq learns the inputs and dissipation like vin-vv.
  @Test func aForcedVINMqLearnsInputsAndDissipation() throws {
    try withTemporaryDirectory { directory in
      try Self.writeData(in: directory)
      let fit = try VINExecutable.run(
        Self.fit("vin-mq", ["--dissipation", "constant"]), in: directory)
      #expect(fit.status == 0, "\(fit.standardError)")
      let data = try Data(contentsOf: directory.appendingPathComponent("m.json"))
      let json = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
      #expect(json["kind"] as? String == "vin-mq")
      let forces = try #require(json["forces"] as? [String: Any])
      #expect(forces["inputs"] as? Int == 1)
      #expect(forces["dissipation"] as? String == "constant")
      let parameters = try #require(json["parameters"] as? [String: Any])
      #expect((parameters["forces"] as? [Double])?.count == 2)
      let evaluate = try VINExecutable.run(
        ["evaluate", "--model", "m.json", "--truth", "d0.csv"], in: directory)
      #expect(evaluate.status == 0, "\(evaluate.standardError)")
      let forecast = try VINExecutable.run(
        [
          "forecast", "--model", "m.json", "--q0", "0.1", "--steps", "5", "--control",
          "random:std=1,hold=0.2,seed=3",
        ], in: directory)
      #expect(forecast.status == 0, "\(forecast.standardError)")
      #expect(forecast.standardOutput.hasPrefix("t,q1,v1,learned_energy,u1\n"))
    }
  }

  /// vin-mq observes velocities when the data have them (the file records it), positions with
  /// `--observe positions` or on data without velocities; `--observe` is vin-mq's alone.
  @Test func vinMqObservesVelocitiesWhenTheDataHaveThem() throws {
    try withTemporaryDirectory { directory in
      try Self.writeData(in: directory)
      try "t,q1\n0,1\n0.1,0.995\n0.2,0.98\n0.3,0.955\n0.4,0.92\n0.5,0.877\n0.6,0.825\n"
        .write(
          to: directory.appendingPathComponent("positions.csv"), atomically: true, encoding: .utf8)
      func observesVelocities(_ extra: [String], data: [String] = ["d0.csv", "d1.csv"]) throws
        -> Bool?
      {
        let fit = try VINExecutable.run(
          Self.fit("vin-mq", ["--dissipation", "constant"] + extra, data: data), in: directory)
        #expect(fit.status == 0, "\(fit.standardError)")
        let data = try Data(contentsOf: directory.appendingPathComponent("m.json"))
        let json = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        return json["velocities"] as? Bool
      }
      #expect(try observesVelocities([]) == true)
      #expect(try observesVelocities(["--observe", "velocities"]) == true)
      #expect(try observesVelocities(["--observe", "positions"]) == nil)
      #expect(try observesVelocities(["--inputs", "none"], data: ["positions.csv"]) == nil)
      try FileManager.default.removeItem(at: directory.appendingPathComponent("m.json"))
      for (model, extra, data, message) in [
        ("vin-vv", ["--observe", "positions"], ["d0.csv"], "applies to vin-mq only"),
        ("vin-mq", ["--observe", "velocities"], ["positions.csv"], "needs data with velocity"),
      ] {
        let run = try VINExecutable.run(Self.fit(model, extra, data: data), in: directory)
        #expect(run.status != 0)
        #expect(run.standardError.split(separator: "\n").count == 1, "\(run.standardError)")
        #expect(run.standardError.contains("--observe") && run.standardError.contains(message))
        #expect(
          !FileManager.default.fileExists(atPath: directory.appendingPathComponent("m.json").path))
      }
    }
  }

  /// `--dissipation configuration --input-matrix configuration`: B(q) and D(q) from networks
  /// of (cos q, sin q), recorded in the model file, which forecast and evaluate read.
  @Test(arguments: ["vin-vv", "vin-mq"])
  func aForcedVINLearnsForcesOfTheConfiguration(model: String) throws {
    try withTemporaryDirectory { directory in
      try Self.writeData(in: directory)
      let fit = try VINExecutable.run(
        Self.fit(
          model,
          ["--dissipation", "configuration", "--input-matrix", "configuration", "--angles"]),
        in: directory)
      #expect(fit.status == 0, "\(fit.standardError)")
      let data = try Data(contentsOf: directory.appendingPathComponent("m.json"))
      let json = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
      let forces = try #require(json["forces"] as? [String: Any])
      #expect(forces["dissipation"] as? String == "configuration")
      #expect(forces["inputMatrix"] as? String == "configuration")
      #expect(forces["angularInputs"] as? Bool == true)
      #expect((forces["network"] as? [String: Any])?["width"] as? Int == 8)
      let parameters = try #require(json["parameters"] as? [String: Any])
      // Two networks of (cos q, sin q) with 8 hidden units and one output: 2 · (3·8 + 9).
      #expect((parameters["forces"] as? [Double])?.count == 66)
      let evaluate = try VINExecutable.run(
        ["evaluate", "--model", "m.json", "--truth", "d0.csv"], in: directory)
      #expect(evaluate.status == 0, "\(evaluate.standardError)")
      let forecast = try VINExecutable.run(
        [
          "forecast", "--model", "m.json", "--q0", "0.1", "--steps", "5", "--control",
          "random:std=1,hold=0.2,seed=3",
        ], in: directory)
      #expect(forecast.status == 0, "\(forecast.standardError)")
      #expect(forecast.standardOutput.split(separator: "\n").count == 7)
    }
  }

  @Test func badInputOptionsAndDataAreOneLineErrorsWithoutAModelFile() throws {
    try withTemporaryDirectory { directory in
      try Self.writeData(in: directory)
      let body = try VINExecutable.run(
        [
          "simulate", "rigid-body", "--dt", "0.1", "--steps", "10", "--control",
          "random:std=1,hold=0.5,seed=3", "--output", "body.csv",
        ], in: directory)
      #expect(body.status == 0, "\(body.standardError)")
      let cases: [([String], String)] = [
        (Self.fit("vin-sv"), "--inputs none"),
        (Self.fit("resnet", ["--dissipation", "constant"]), "is learned by vin-vv"),
        (Self.fit("resnet", ["--inputs", "learned"], data: ["free.csv"]), "needs input columns"),
        (Self.fit("resnet", data: ["d0.csv", "free.csv"]), "free.csv"),
        (
          Self.fit("vin-vv", ["--input-matrix", "configuration", "--inputs", "none"]),
          "--input-matrix"
        ),
        (Self.fit("vin-sv", ["--input-matrix", "configuration"]), "--input-matrix"),
        (
          Self.fit("vin-so3", ["--dissipation", "configuration", "--angles"], data: ["body.csv"]),
          "--angles"
        ),
      ]
      for (arguments, message) in cases {
        let run = try VINExecutable.run(arguments, in: directory)
        #expect(run.status != 0, "\(arguments)")
        #expect(run.errorLines.count == 1, "\(run.standardError)")
        #expect(run.standardError.contains(message), "\(run.standardError)")
        #expect(
          !FileManager.default.fileExists(atPath: directory.appendingPathComponent("m.json").path))
      }
      // A VIN fits the same data without the inputs.
      let vin = try VINExecutable.run(Self.fit("vin-sv", ["--inputs", "none"]), in: directory)
      #expect(vin.status == 0, "\(vin.standardError)")
    }
  }
}
