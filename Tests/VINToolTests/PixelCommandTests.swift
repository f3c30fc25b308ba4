import Foundation
import Frames
import Testing
import VINKit

/// `vin fit --frames`, `vin forecast --context`, `vin evaluate` and `vin embed` on pixel
/// models: small ones (10 × 10 frames, widths 16, a few iterations), so that the suite stays
/// fast; what they learn is tested in LagrangianLearningTests.
@Suite struct PixelCommandTests {
  /// Two training videos of 12 frames and a test video of 16, and their states.
  static func writeVideos(in directory: URL) throws {
    for (name, q0, steps) in [("a", "0.5", "11"), ("b", "-1.0", "11"), ("test", "0.8", "15")] {
      let run = try VINExecutable.run(
        [
          "render", "pendulum", "--size", "10", "--q0", q0, "--dt", "0.1", "--steps", steps,
          "--frames", "\(name).npy", "--output", "\(name).csv",
        ], in: directory)
      #expect(run.status == 0, "\(run.standardError)")
    }
  }

  /// The arguments of a small fit of `kind` to a.npy and b.npy, written to `output`.
  static func fitArguments(_ kind: String, output: String = "m.json") -> [String] {
    [
      "fit", "--frames", "a.npy", "--frames", "b.npy", "--dt", "0.1", "--model", kind,
      "--encoder-width", "16", "--decoder-width", "16", "--width", "8", "--context", "3",
      "--horizon", "4", "--iterations", "3", "--output", output,
    ]
  }

  /// A vin-vv pixel model fitted to a.npy and b.npy in `directory`, as m.json.
  static func fitModel(in directory: URL) throws {
    try writeVideos(in: directory)
    let run = try VINExecutable.run(fitArguments("vin-vv"), in: directory)
    #expect(run.status == 0, "\(run.standardError)")
  }

  @Test func fitSaveLoadForecastGivesTheLibrarysFrames() throws {
    try withTemporaryDirectory { directory in
      try Self.fitModel(in: directory)
      let run = try VINExecutable.run(
        [
          "forecast", "--model", "m.json", "--context", "test.npy", "--steps", "20", "--output",
          "p.npy", "--gif", "p.gif", "--png", "p.png",
        ], in: directory)
      #expect(run.status == 0, "\(run.standardError)")
      let written = try NPYFile.read(directory.appendingPathComponent("p.npy").path)
      #expect(written.count == 21 && written.size == 10)
      // The library, from the saved file: the same frames, bit for bit.
      let file = try PixelModelFile(
        json: Data(contentsOf: directory.appendingPathComponent("m.json")))
      #expect(file.specification.dynamics?.kind == .vinVelocityVerlet)
      #expect(file.specification.context == 3 && file.specification.encoderWidth == 16)
      #expect(file.training?.iterations == 3)
      let context = try PixelVideo(
        NPYFile.read(directory.appendingPathComponent("test.npy").path))
      let forecast = try file.model().forecast(context: context, steps: 20)
      #expect(try FrameStack(forecast.frames) == written)
      let gif = try Data(contentsOf: directory.appendingPathComponent("p.gif"))
      let png = try Data(contentsOf: directory.appendingPathComponent("p.png"))
      #expect(gif.starts(with: Array("GIF89a".utf8)))
      #expect(png.starts(with: [0x89, 0x50, 0x4E, 0x47]))

      // vin evaluate: the mean squared error of frames 3…15 as the library computes it.
      let evaluation = try VINExecutable.run(
        ["evaluate", "--model", "m.json", "--truth", "test.npy", "--summary", "json"],
        in: directory)
      #expect(evaluation.status == 0, "\(evaluation.standardError)")
      let long = try file.model().forecast(context: context, steps: 15)
      var errors: [Double] = []
      for k in 3...15 {
        errors.append(
          zip(long.frames.frame(k), context.frame(k)).map { ($0 - $1) * ($0 - $1) }.reduce(0, +))
      }
      let entropies = try file.model().crossEntropies(positions: long.positions, truth: context)
      let json = try #require(
        JSONSerialization.jsonObject(with: Data(evaluation.standardOutput.utf8)) as? [String: Any])
      #expect(json["frames"] as? Int == 13 && json["first_frame"] as? Int == 3)
      // (To round-off: the start is fitted by a simplex search, whose path a last-bit
      // difference in the decoder's BLAS sums between the two processes can move.)
      func close(_ value: Any?, _ expected: Double) -> Bool {
        guard let value = value as? Double else { return false }
        return abs(value - expected) <= 1e-12 * abs(expected)
      }
      #expect(close(json["mean_squared_error"], errors.reduce(0, +) / 13))
      #expect(close(json["mean_binary_cross_entropy"], entropies[3...].reduce(0, +) / 13))

      // vin embed: the encoder's means, t = k h, and the alignment with the true angle.
      let embed = try VINExecutable.run(
        [
          "embed", "--model", "m.json", "--frames", "test.npy", "--output", "l.csv", "--states",
          "test.csv",
        ], in: directory)
      #expect(embed.status == 0, "\(embed.standardError)")
      let table = try CSVTable(
        String(contentsOf: directory.appendingPathComponent("l.csv"), encoding: .utf8))
      #expect(table.header == ["t", "q1"])
      let means = try file.model().embed(context)
      #expect(try table.column("q1") == means.map { $0[0] })
      #expect(try table.column("t")[15] == 15 * 0.1)
      let truth = try CSVTable(
        String(contentsOf: directory.appendingPathComponent("test.csv"), encoding: .utf8))
      let alignment = try LatentAlignment(
        latent: means.map { $0[0] }, truth: try truth.column("q1"))
      #expect(embed.standardOutput.hasPrefix("alignment \(alignment.value) "))
    }
  }

  @Test func latentAlignmentIsOneForAnOffsetMirrorImage() throws {
    let theta = (0..<40).map { 1.3 * sin(0.3 * Double($0)) }
    let mirrored = try LatentAlignment(latent: theta.map { 0.7 - $0 }, truth: theta)
    #expect(abs(mirrored.value - 1) < 1e-12 && mirrored.sense == -1)
    // Differences spread evenly over the circle: A = 0.
    let spread = try LatentAlignment(
      latent: (0..<8).map { Double($0) * .pi / 4 }, truth: Array(repeating: 0, count: 8))
    #expect(spread.value < 1e-12)
  }

  /// A `.npy` file that `NPYFile` refuses: the test video with its header or body altered.
  static func badVideos(in directory: URL) throws -> [(name: String, message: String)] {
    let bytes = try [UInt8](Data(contentsOf: directory.appendingPathComponent("test.npy")))
    // Version 1.0: the magic string and version (8 bytes), the header's length (2 bytes), the
    // header in ASCII.
    let headerEnd = 10 + Int(bytes[8]) + 256 * Int(bytes[9])
    func altered(_ old: String, _ new: String) -> [UInt8] {
      let header = String(decoding: bytes[10..<headerEnd], as: UTF8.self)
      return Array(bytes[..<10]) + Array(header.replacingOccurrences(of: old, with: new).utf8)
        + bytes[headerEnd...]
    }
    let files: [(String, [UInt8], String)] = [
      ("dtype.npy", altered("<f4", "<i4"), "the array's dtype is '<i4'"),
      ("rank.npy", altered("(16, 10, 10), }", "(160, 10), }   "), "the array's shape is (160, 10)"),
      ("truncated.npy", Array(bytes.dropLast(5)), "the data are truncated"),
      ("text.npy", Array("t,q1\n0,1\n".utf8), "not a NumPy .npy file"),
    ]
    for (name, content, _) in files {
      try Data(content).write(to: directory.appendingPathComponent(name))
    }
    return files.map { ($0.0, $0.2) }
  }

  @Test func badFramesAreOneErrorLineAndNoOutput() throws {
    try withTemporaryDirectory { directory in
      try Self.fitModel(in: directory)
      for (name, message) in try Self.badVideos(in: directory) {
        let run = try VINExecutable.run(
          [
            "forecast", "--model", "m.json", "--context", name, "--steps", "3", "--output", "p.npy",
          ],
          in: directory)
        #expect(run.status == 1)
        #expect(run.errorLines.count == 1, "\(run.standardError)")
        #expect(
          run.standardError.hasPrefix("Error: --context '\(name)': \(message)"),
          "\(run.standardError)")
        #expect(
          !FileManager.default.fileExists(atPath: directory.appendingPathComponent("p.npy").path))
      }
      // Frames of another size than the model's, and a context shorter than it needs.
      for (arguments, message) in [
        (
          ["render", "pendulum", "--size", "12", "--steps", "5", "--frames", "big.npy"],
          "Error: --context 'big.npy': the frames are 12 × 12 pixels where 10 × 10 are expected (the frame size of the model 'm.json')"
        ),
        (
          ["render", "pendulum", "--size", "10", "--steps", "1", "--frames", "short.npy"],
          "Error: --context 'short.npy': it has 2 frames, but the vin-vv model 'm.json' infers its start from 3"
        ),
      ] {
        #expect(try VINExecutable.run(arguments, in: directory).status == 0)
        let run = try VINExecutable.run(
          [
            "forecast", "--model", "m.json", "--context", arguments[7], "--steps", "3", "--output",
            "p.npy",
          ], in: directory)
        #expect(run.status == 1)
        #expect(run.standardError == message + "\n")
        #expect(
          !FileManager.default.fileExists(atPath: directory.appendingPathComponent("p.npy").path))
      }
      // The same files refused by fit, evaluate and embed.
      for arguments in [
        [
          "fit", "--frames", "a.npy", "--frames", "rank.npy", "--dt", "0.1", "--model", "vae",
          "--output", "o.json",
        ],
        ["evaluate", "--model", "m.json", "--truth", "dtype.npy", "--output", "o.csv"],
        ["embed", "--model", "m.json", "--frames", "truncated.npy", "--output", "o.csv"],
      ] {
        let run = try VINExecutable.run(arguments, in: directory)
        #expect(run.status == 1)
        #expect(run.errorLines.count == 1, "\(run.standardError)")
        for output in ["o.json", "o.csv"] {
          #expect(
            !FileManager.default.fileExists(atPath: directory.appendingPathComponent(output).path))
        }
      }
    }
  }

  @Test func theWrongKindOfModelFileIsNamed() throws {
    try withTemporaryDirectory { directory in
      try Self.fitModel(in: directory)
      let stateModel = try ModelFile(
        model: VINVelocityVerlet(
          potential: QuadraticPotential(dimension: 1, stiffness: 1),
          mass: IdentityMassMatrix(dimension: 1), stepSize: 0.1)
      ).encoded()
      try stateModel.write(to: directory.appendingPathComponent("state.json"))
      let cases: [([String], String)] = [
        (
          [
            "forecast", "--model", "state.json", "--context", "test.npy", "--steps", "3",
            "--output", "p.npy",
          ],
          "Error: model file 'state.json' holds a model of trajectories (format 'vinkit-model'), but `vin forecast --context` takes a pixel model (format 'vinkit-pixel-model')"
        ),
        (
          ["forecast", "--model", "m.json", "--q0", "1", "--steps", "3", "--output", "p.csv"],
          "Error: model file 'm.json' holds a pixel model (format 'vinkit-pixel-model'), but `vin forecast --q0` takes a model of trajectories (format 'vinkit-model')"
        ),
        (
          ["embed", "--model", "state.json", "--frames", "test.npy", "--output", "p.csv"],
          "Error: model file 'state.json' holds a model of trajectories (format 'vinkit-model'), but `vin embed` takes a pixel model (format 'vinkit-pixel-model')"
        ),
        (
          ["evaluate", "--model", "state.json", "--truth", "test.npy", "--output", "p.csv"],
          "Error: model file 'state.json' holds a model of trajectories (format 'vinkit-model'), but `vin evaluate --truth FILE.npy` takes a pixel model (format 'vinkit-pixel-model')"
        ),
      ]
      for (arguments, message) in cases {
        let run = try VINExecutable.run(arguments, in: directory)
        #expect(run.status == 1)
        #expect(run.standardError == message + "\n")
        for output in ["p.npy", "p.csv"] {
          #expect(
            !FileManager.default.fileExists(atPath: directory.appendingPathComponent(output).path))
        }
      }
    }
  }

  @Test func optionsThatDoNotApplyAreRefusedInOneLine() throws {
    try withTemporaryDirectory { directory in
      try Self.writeVideos(in: directory)
      let cases: [([String], String)] = [
        (
          Self.fitArguments("vin-vv") + ["--schedule", "constant", "--loss", "mse"],
          "Error: --schedule, --loss do not apply to pixel models (--frames); they are options of fits to trajectories (--data)"
        ),
        (
          [
            "fit", "--data", "test.csv", "--model", "vin-vv", "--context", "3", "--output",
            "m.json",
          ],
          "Error: --context does not apply to models of trajectories (--data); they shape pixel models (--frames); the t column gives the step size"
        ),
        (
          [
            "fit", "--data", "test.csv", "--frames", "a.npy", "--model", "vin-vv", "--output",
            "m.json",
          ],
          "Error: --frames 'a.npy' is invalid: cannot be combined with --data: fit a model of trajectories (--data FILE.csv) or a pixel model (--frames FILE.npy)"
        ),
        (
          ["fit", "--frames", "a.npy", "--model", "vin-mq", "--dt", "0.1", "--output", "m.json"],
          "Error: --model vin-mq is invalid: is not a pixel model; with --frames --model takes vin-vv, vin-sv, vin-so2, resnet, vae"
        ),
        (
          ["fit", "--frames", "a.npy", "--model", "vin-so2", "--output", "m.json"],
          "Error: --dt missing is invalid: is needed with --frames: the time step h between frames"
        ),
        (
          Self.fitArguments("vin-vv") + ["--spectral-start"],
          "Error: --spectral-start a vin-vv model is invalid: applies only to models whose latent position is an angle (vin-so2)"
        ),
        (
          Self.fitArguments("resnet") + ["--no-spectral-start"],
          "Error: --no-spectral-start a resnet model is invalid: applies only to models whose latent position is an angle (vin-so2)"
        ),
        (
          [
            "fit", "--data", "test.csv", "--model", "vin-vv", "--spectral-start", "--output",
            "m.json",
          ],
          "Error: --spectral-start does not apply to models of trajectories (--data); they shape pixel models (--frames); the t column gives the step size"
        ),
        (
          Self.fitArguments("vin-vv") + ["--horizon", "20"],
          "Error: --frames 'a.npy': it has 12 frames, fewer than a training window of --horizon 20 (21)"
        ),
      ]
      for (arguments, message) in cases {
        let run = try VINExecutable.run(arguments, in: directory)
        #expect(run.status == 1)
        #expect(run.standardError == message + "\n")
        #expect(
          !FileManager.default.fileExists(atPath: directory.appendingPathComponent("m.json").path))
      }
    }
  }

  @Test func aVINSO2StartsSpectrallyByDefaultAndTheModelFileSaysWhetherItDid() throws {
    try withTemporaryDirectory { directory in
      try Self.writeVideos(in: directory)
      func fit(_ extra: [String], dropping video: String? = nil) throws -> (
        PixelTrainingSummary, String
      ) {
        var arguments = Self.fitArguments("vin-so2") + extra
        if let video, let index = arguments.firstIndex(of: video) {
          arguments.removeSubrange((index - 1)...index)
        }
        let run = try VINExecutable.run(arguments, in: directory)
        #expect(run.status == 0, "\(run.standardError)")
        let file = try PixelModelFile(
          json: Data(contentsOf: directory.appendingPathComponent("m.json")))
        return (try #require(file.training), run.standardError)
      }
      // 24 frames, more than the 20 neighbours: the start is made.
      let (started, startedLog) = try fit([])
      #expect(started.configuration.spectralStart == PixelSpectralStart())
      #expect(try #require(started.spectralStartLoss).isFinite)
      #expect(startedLog.contains("note: the encoder started on the frames' spectral embedding"))
      let (explicit, _) = try fit(["--spectral-start"])
      #expect(explicit.spectralStartLoss == started.spectralStartLoss)
      let (plain, _) = try fit(["--no-spectral-start"])
      #expect(plain.configuration.spectralStart == nil && plain.spectralStartLoss == nil)
      #expect(plain.spectralStartSkipped == nil)
      // 12 frames, no more than the neighbours: no start, and the reason.
      let (skipped, skippedLog) = try fit([], dropping: "b.npy")
      #expect(skipped.configuration.spectralStart == nil && skipped.spectralStartLoss == nil)
      #expect(try #require(skipped.spectralStartSkipped).contains("12 frames"))
      #expect(
        skippedLog.contains(
          "note: no spectral start (the encoder started from its initial weights): a spectral embedding of 12 frames"
        ))
    }
  }

  @Test func aVAECannotForecastAndADivergingFitExitsWithStatus2() throws {
    try withTemporaryDirectory { directory in
      try Self.writeVideos(in: directory)
      var arguments = Self.fitArguments("vae", output: "vae.json")
      arguments.removeSubrange(
        arguments.firstIndex(of: "--dt")!...(arguments.firstIndex(of: "--dt")! + 1))
      arguments.removeSubrange(
        arguments.firstIndex(of: "--width")!...(arguments.firstIndex(of: "--width")! + 1))
      let fit = try VINExecutable.run(arguments, in: directory)
      #expect(fit.status == 0, "\(fit.standardError)")
      let vae = try VINExecutable.run(
        [
          "forecast", "--model", "vae.json", "--context", "test.npy", "--steps", "3", "--output",
          "p.npy",
        ],
        in: directory)
      #expect(vae.status == 1)
      #expect(
        vae.standardError
          == "Error: --model 'vae.json' is invalid: holds a plain VAE, which has no latent dynamics: it encodes and decodes frames but cannot forecast (fit vin-so2, vin-vv, vin-sv or resnet for forecasts)\n"
      )
      // An absurd learning rate: the negative ELBO overflows even for updates 2⁻⁸ as long (the
      // trainer's step-backs), and the model before it is saved.
      var diverging = Self.fitArguments("vin-so2", output: "d.json")
      diverging[diverging.firstIndex(of: "--iterations")! + 1] = "20"
      let run = try VINExecutable.run(diverging + ["--learning-rate", "1e300"], in: directory)
      #expect(run.status == 2, "\(run.standardError)")
      #expect(run.errorLines.last?.hasPrefix("warning: training diverged at iteration ") == true)
      #expect(
        FileManager.default.fileExists(atPath: directory.appendingPathComponent("d.json").path))
    }
  }
}
