import Foundation
import Testing

/// Every bad input of `vin fit`, `vin forecast` and `vin evaluate`: a non-zero exit status,
/// exactly one line on standard error naming the problem, nothing on standard output, and no
/// output file (not even a temporary one) next to the inputs.
@Suite struct LearningBadInputTests {
  struct Case: CustomTestStringConvertible, Sendable {
    var arguments: [String]
    var message: String
    var testDescription: String { arguments.joined(separator: " ") }
  }

  /// Input files of the cases (name, contents).
  static let files: [(String, String)] = [
    ("good.csv", "t,q1,v1,energy\n0,1,0,0\n0.1,0.9,-1,0\n0.2,0.7,-2,0\n0.3,0.5,-2.5,0\n"),
    ("positions.csv", "t,q1\n0,1\n0.1,0.9\n0.2,0.7\n"),
    ("plane.csv", "t,q1,q2,v1,v2\n0,1,0,0,0\n0.1,0.9,0,0,0\n0.2,0.8,0,0,0\n"),
    ("missing.csv", "t,q1,v1\n0,1,0\n0.1,0.9\n"),
    ("text.csv", "t,q1,v1\n0,1,0\n0.1,abc,0\n"),
    ("uneven.csv", "t,q1,v1\n0,1,0\n0.1,0.9,0\n0.25,0.8,0\n"),
    ("slow.csv", "t,q1,v1\n0,1,0\n0.2,0.9,0\n0.4,0.8,0\n"),
    ("header.csv", "time,q1,v1\n0,1,0\n"),
    ("long.csv", "t,q1,v1,energy\n0,1,0,0\n0.1,0.9,-1,0,7\n0.2,0.7,-2,0\n"),
    ("short.csv", "t,q1,v1,energy\n0,1,0,0\n0.1,0.9,-1\n0.2,0.7,-2,0\n"),
    ("nul.csv", "t,q1,v1\n0,1,0\n0.1,-0.810\u{0}garbage,0\n0.2,0.7,0\n"),
    ("badenergy.csv", "t,q1,v1,energy\n0,1,0,0\n0.1,0.9,-1,x\n0.2,0.7,-2,0\n"),
    ("huge.csv", "t,q1,v1,energy\n0,1,0,0\n0.1,0.9,-1,0\n0.2,1e308,-2,0\n0.3,0.5,-2.5,0\n"),
    (
      "truncated.json", "{\"format\": \"vinkit-model\", \"version\": 1, \"kind\": \"vin-vv\", \"dim"
    ),
    ("other.json", "{\"format\": \"something-else\", \"version\": 1}"),
    ("kind.json", "{\"format\": \"vinkit-model\", \"version\": 1, \"kind\": \"vin-xx\"}"),
    ("future.json", "{\"format\": \"vinkit-model\", \"version\": 99}"),
    (
      "model.json",
      """
      {"format": "vinkit-model", "version": 1, "kind": "vin-vv", "dimension": 1, "stepSize": 0.1,
       "potential": {"kind": "quadratic", "parameters": [4]},
       "mass": {"kind": "identity", "parameters": []}}
      """
    ),
    (
      "short.json",
      """
      {"format": "vinkit-model", "version": 1, "kind": "vin-vv", "dimension": 1, "stepSize": 0.1,
       "potential": {"kind": "quadratic", "parameters": [4, 5]},
       "mass": {"kind": "identity", "parameters": []}}
      """
    ),
  ]

  static let fit = ["fit", "--model", "vin-vv", "--steps", "2", "--horizon", "1"]
  static let forecast = ["forecast", "--model", "model.json", "--steps", "3"]

  static let cases: [Case] = [
    Case(arguments: fit + ["--data", "missing.csv"], message: "line 3, column 'v1': missing"),
    Case(arguments: fit + ["--data", "text.csv"], message: "'abc' is not a number"),
    Case(arguments: fit + ["--data", "header.csv"], message: "column 'time'"),
    Case(
      arguments: fit + ["--data", "long.csv"],
      message: "line 3: the row has 5 fields, the header has 4"),
    Case(
      arguments: fit + ["--data", "short.csv"],
      message: "line 3: the row has 3 fields, the header has 4"),
    Case(arguments: fit + ["--data", "nul.csv"], message: "'-0.810\\0garbage' is not a number"),
    Case(arguments: fit + ["--data", "good.csv", "--seed", "-1"], message: "'-1'"),
    Case(arguments: fit + ["--data", "good.csv", "--loss", "l1"], message: "'l1'"),
    Case(arguments: fit + ["--data", "good.csv", "--batch-size", "0"], message: "--batch-size 0"),
    Case(
      arguments: fit + ["--data", "good.csv", "--iterations", "-1"], message: "--iterations -1"),
    Case(
      arguments: ["fit", "--model", "vin-vv"],
      message: "vin fit needs trajectories (--data FILE.csv) or videos (--frames FILE.npy)"),
    Case(
      arguments: ["evaluate", "--model", "model.json", "--truth", "huge.csv"],
      message: "at t = 0.2 is inf"),
    Case(arguments: fit + ["--data", "uneven.csv"], message: "'uneven.csv', line 4: time step"),
    Case(arguments: fit + ["--data", "nowhere.csv"], message: "cannot read 'nowhere.csv'"),
    Case(arguments: fit + ["--data", "positions.csv"], message: "needs velocity columns"),
    Case(
      arguments: fit + ["--data", "good.csv", "--data", "plane.csv"],
      message: "'plane.csv': q columns"),
    Case(
      arguments: fit + ["--data", "good.csv", "--data", "slow.csv"],
      message: "all trajectories need the same step size"),
    Case(
      arguments: ["fit", "--data", "good.csv", "--model", "vin-xyz"],
      message: "The value 'vin-xyz' is invalid for '--model <kind>'"),
    Case(arguments: fit + ["--data", "good.csv", "--width", "0"], message: "--width 0"),
    Case(
      arguments: fit + ["--data", "good.csv", "--learning-rate", "-1"],
      message: "--learning-rate -1.0"),
    Case(
      arguments: fit + ["--data", "good.csv", "--validation-fraction", "1"],
      message: "--validation-fraction 1.0"),
    Case(arguments: fit + ["--data", "good.csv", "--mass", "diagonal"], message: "'diagonal'"),
    Case(arguments: fit + ["--data", "good.csv", "--schedule", "linear"], message: "'linear'"),
    Case(
      arguments: fit + ["--data", "good.csv", "--horizon", "9"],
      message: "a window needs horizon + 1 = 10 samples"),
    Case(arguments: forecast + ["--q0", "1", "--model", "truncated.json"], message: "truncated"),
    Case(
      arguments: forecast + ["--q0", "1", "--model", "other.json"], message: "'something-else'"),
    Case(arguments: forecast + ["--q0", "1", "--model", "kind.json"], message: "'kind'"),
    Case(arguments: forecast + ["--q0", "1", "--model", "future.json"], message: "version 99"),
    Case(
      arguments: forecast + ["--q0", "1", "--model", "short.json"],
      message: "quadratic potential parameters must have 1 entries, got 2"),
    Case(arguments: forecast + ["--q0", "1", "--model", "none.json"], message: "'none.json'"),
    Case(arguments: forecast + ["--q0", "1,2"], message: "--q0 '1,2'"),
    Case(arguments: forecast + ["--q0", "1", "--v0", "x"], message: "'x' is not a number"),
    Case(arguments: forecast + ["--q0", "nan"], message: "--q0 'nan'"),
    Case(arguments: forecast + ["--q0", "-1", "--steps", "-3"], message: "--steps -3"),
    Case(arguments: forecast, message: "--q0 missing is invalid: is needed to forecast"),
    // The truth of `forecast --truth` (the cases get --plot) must be sampled as the model.
    Case(
      arguments: forecast + ["--q0", "1", "--truth", "slow.csv"],
      message: "data file 'slow.csv': trajectory 0 is sampled every 0.2"),
    Case(
      arguments: forecast + ["--q0", "1", "--truth", "plane.csv"],
      message: "data file 'plane.csv': q columns"),
    Case(
      arguments: forecast + ["--q0", "1", "--truth", "badenergy.csv"],
      message: "data file 'badenergy.csv': CSV line 3, column 'energy': 'x' is not a number"),
    Case(arguments: forecast + ["--q0", "1", "--truth", "none.csv"], message: "'none.csv'"),
    Case(
      arguments: ["forecast", "--model", "model.json", "--q0", "1", "--steps", "1000000000000"],
      message: "of memory"),
    Case(
      arguments: ["evaluate", "--model", "model.json", "--truth", "plane.csv"],
      message: "q columns"),
    Case(
      arguments: ["evaluate", "--model", "model.json", "--truth", "slow.csv"],
      message: "sampled every 0.2"),
    Case(
      arguments: ["evaluate", "--model", "model.json", "--truth", "positions.csv"],
      message: "column 'v1'"),
    Case(
      arguments: ["evaluate", "--model", "truncated.json", "--truth", "good.csv"],
      message: "model file 'truncated.json'"),
  ]

  @Test(arguments: cases)
  func failsWithOneLineAndNoFiles(_ bad: Case) throws {
    try withTemporaryDirectory { directory in
      for (name, contents) in Self.files {
        try contents.write(
          to: directory.appendingPathComponent(name), atomically: false, encoding: .utf8)
      }
      let plot = bad.arguments[0] == "forecast" ? ["--plot", "out.svg"] : []
      let run = try VINExecutable.run(
        bad.arguments + ["--output", "out.file"] + plot, in: directory)
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
