import Foundation
import Testing

/// The model files of issue 9 §4 that crashed, hung, grew memory or forecast `nan` through
/// `vin forecast` and `vin evaluate`: each is now one line on standard error naming the field
/// and its value, a non-zero exit status and no output file.
@Suite struct ModelFileBadInputTests {
  static func vinVV(
    dimension: String = "1", stepSize: String = "0.1", width: String = "2", depth: String = "1",
    parameters: String = "[0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7]"
  ) -> String {
    """
    {"format": "vinkit-model", "version": 2, "kind": "vin-vv", "dimension": \(dimension),
     "stepSize": \(stepSize),
     "potential": {"kind": "mlp", "width": \(width), "depth": \(depth), "activation": "tanh"},
     "mass": {"kind": "identity"}, "parameters": {"potential": \(parameters)}}
    """
  }

  static let files: [(String, String)] = [
    ("truth.csv", "t,q1,v1,energy\n0,1,0,0\n0.1,0.9,-1,0\n0.2,0.7,-2,0\n"),
    ("depth0.json", vinVV(depth: "0")),
    ("depth-1.json", vinVV(depth: "-1")),
    ("width0.json", vinVV(width: "0")),
    ("widthmax.json", vinVV(width: "\(Int.max)")),
    ("dimension2e62.json", vinVV(dimension: "4611686018427387904")),
    ("dimension5e9.json", vinVV(dimension: "5000000000")),
    ("dimension5e9-exponent.json", vinVV(dimension: "5e9")),
    ("nanbias.json", vinVV(parameters: "[0.1, 0.2, 0.3, 0.4, 0.5, 0.6, \"nan\"]")),
    ("step1e308.json", vinVV(stepSize: "1e308")),
    (
      "so3dimension.json",
      """
      {"format": "vinkit-model", "version": 2, "kind": "vin-so3", "dimension": 6,
       "stepSize": 0.1, "potential": {"kind": "so3-gravity"}, "mass": {"kind": "so3-inertia"},
       "parameters": {"potential": [0, 0, -1], "mass": [1, 0, 1, 0, 0, 1]}}
      """
    ),
    (
      "so3dimension-v1.json",
      """
      {"format": "vinkit-model", "version": 1, "kind": "vin-so3", "dimension": 7,
       "stepSize": 0.1, "potential": {"kind": "gravity", "parameters": [0, 0, -1]},
       "mass": {"kind": "inertia-cholesky", "parameters": [1, 0, 1, 0, 0, 1]}}
      """
    ),
    (
      "so3depth.json",
      """
      {"format": "vinkit-model", "version": 2, "kind": "vin-so3", "dimension": 3,
       "stepSize": 0.1, "mass": {"kind": "so3-inertia"},
       "potential": {"kind": "so3-mlp", "width": 1, "depth": 1000000000, "activation": "tanh"},
       "parameters": {"potential": [], "mass": [1, 0, 1, 0, 0, 1]}}
      """
    ),
    (
      "mqdimension.json",
      """
      {"format": "vinkit-model", "version": 2, "kind": "vin-mq", "dimension": 1000000000,
       "stepSize": 0.1, "potential": {"kind": "quadratic"},
       "mass": {"kind": "configuration", "width": 4, "activation": "tanh"},
       "parameters": {"potential": [1], "mass": []}}
      """
    ),
    (
      "depth0-v1.json",
      """
      {"format": "vinkit-model", "version": 1, "kind": "vin-vv", "dimension": 1, "stepSize": 0.1,
       "potential": {"kind": "mlp", "parameters": [1, 2],
         "shape": {"inputDimension": 1, "width": 5, "depth": 0, "outputDimension": 1,
                   "activation": "tanh"}},
       "mass": {"kind": "identity", "parameters": []}}
      """
    ),
  ]

  static let forecast = ["forecast", "--q0", "1", "--steps", "3", "--model"]
  static let cases: [LearningBadInputTests.Case] = [
    .init(arguments: forecast + ["depth0.json"], message: "potential.depth = 0 is invalid"),
    .init(arguments: forecast + ["depth-1.json"], message: "potential.depth = -1 is invalid"),
    .init(arguments: forecast + ["width0.json"], message: "potential.width = 0 is invalid"),
    .init(
      arguments: forecast + ["widthmax.json"],
      message: "potential.width = 9223372036854775807 is invalid: must be in 1…1000000"),
    .init(
      arguments: forecast + ["dimension2e62.json"],
      message: "dimension = 4611686018427387904 is invalid"),
    .init(
      arguments: forecast + ["dimension5e9.json"], message: "dimension = 5000000000 is invalid"),
    .init(
      arguments: forecast + ["dimension5e9-exponent.json"],
      message: "dimension = 5000000000 is invalid"),
    .init(
      arguments: forecast + ["nanbias.json"],
      message: "parameters.potential[6] = nan is invalid: must be finite"),
    .init(
      arguments: ["evaluate", "--truth", "truth.csv", "--model", "nanbias.json"],
      message: "parameters.potential[6] = nan is invalid: must be finite"),
    .init(
      arguments: forecast + ["step1e308.json"],
      message: "stepSize = 1e+308 is invalid: must be at most 1000000.0"),
    .init(
      arguments: forecast + ["so3dimension.json"],
      message: "dimension = 6 is invalid: must be 3 for vin-so3"),
    .init(
      arguments: ["evaluate", "--truth", "truth.csv", "--model", "so3dimension-v1.json"],
      message: "dimension = 7 is invalid: must be 6 for a version-1 vin-so3 file"),
    .init(
      arguments: forecast + ["so3depth.json"], message: "potential.depth = 1000000000 is invalid"),
    .init(
      arguments: forecast + ["mqdimension.json"], message: "dimension = 1000000000 is invalid"),
    .init(arguments: forecast + ["depth0-v1.json"], message: "potential.depth = 0 is invalid"),
  ]

  @Test(arguments: cases)
  func failsWithOneLineAndNoFiles(_ bad: LearningBadInputTests.Case) throws {
    try withTemporaryDirectory { directory in
      for (name, contents) in Self.files {
        try contents.write(
          to: directory.appendingPathComponent(name), atomically: false, encoding: .utf8)
      }
      let run = try VINExecutable.run(bad.arguments + ["--output", "out.csv"], in: directory)
      #expect(run.status == 1)
      #expect(run.errorLines.count == 1, "stderr: \(run.standardError)")
      #expect(run.standardError.hasPrefix("Error: model file '"), "stderr: \(run.standardError)")
      #expect(run.standardError.contains(bad.message), "stderr: \(run.standardError)")
      #expect(run.standardOutput.isEmpty)
      let left = try FileManager.default.contentsOfDirectory(atPath: directory.path)
      #expect(Set(left) == Set(Self.files.map(\.0)))
    }
  }
}
