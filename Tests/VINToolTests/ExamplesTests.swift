import Foundation
import Testing

#if canImport(FoundationXML)
  import FoundationXML
#endif

/// End-to-end runs of the example programs (built by `swift build` next to `vin`): each exits
/// with status 0, writes a well-formed SVG atomically to the path it is given, and prints the
/// number that carries its story in the range the mathematics predicts. The examples run in
/// their short form (`VINKIT_EXAMPLES_QUICK`), which `PendulumEnergy` does not need.
@Suite struct ExamplesTests {
  /// Störmer–Verlet's energy error is bounded near its backward-error value (1.93e-2 for
  /// h = 0.1, θ0 = 1) and does not drift; RK4's grows.
  @Test func pendulumEnergyVerletIsBoundedAndRK4Drifts() throws {
    let run = try ExampleRun(name: "PendulumEnergy")
    let verlet = try run.row("Störmer–Verlet")
    let verletMax = try number(verlet[3])
    #expect(verletMax > 0.015 && verletMax < 0.025)
    let verletRatio = try number(verlet[5])
    #expect(verletRatio > 0.8 && verletRatio < 1.25)
    #expect(try number(run.row("Runge–Kutta 4")[5]) > 5)
  }

  /// The LGVI conserves energy, |Π| and RΠ to round-off at both step sizes, and its error in the
  /// time between flips is of order 2: a hundredfold smaller for a tenfold smaller step.
  @Test func dzhanibekovConservesAndFlipsWithSecondOrderPeriodError() throws {
    let run = try ExampleRun(name: "Dzhanibekov")
    #expect(try run.row("flips").dropFirst().allSatisfy { try number($0) >= 4 })
    for label in ["max |E − E0| / E0", "max |RΠ − RΠ0|", "max ||Π| − |Π0||"] {
      for value in try run.row(label).dropFirst() {
        #expect(try number(value) < 1e-12, "\(label): \(value)")
      }
    }
    let periodErrors = try run.row("relative error").dropFirst().map(number)
    #expect(periodErrors[0] < -2.4e-3 && periodErrors[0] > -3.2e-3)
    #expect(abs(periodErrors[0] / periodErrors[1] - 100) < 2)
    #expect(abs(periodErrors[2]) < 1e-8)
  }

  /// The Lagrange top nutates between the exact bounds (to O(h²)); the vertical angular momentum
  /// of both tops, and Π₃ of the symmetric one, are conserved to round-off.
  @Test func spinningTopMatchesTheLagrangeTopAndConservesMomenta() throws {
    let run = try ExampleRun(name: "SpinningTop")
    let tilt = try run.row("largest tilt (rad)").dropFirst().map(number)
    #expect(abs(tilt[0] - 1.16217) < 1e-5)
    #expect(abs(tilt[2] - tilt[0]) < 1e-4)
    let period = try run.row("nutation period (s)").dropFirst().map(number)
    #expect(abs(period[2] - period[0]) < 1e-4)
    for value in try run.row("max |Δ(e_zᵀRΠ)| (kg m²/s)").dropFirst() {
      #expect(try number(value) < 1e-12)
    }
    let axialMomentum = try run.row("max |ΔΠ3| (kg m²/s)").dropFirst().map(number)
    #expect(axialMomentum[0] < 1e-12 && axialMomentum[1] < 1e-12)
    #expect(axialMomentum[3] > 1)
  }

  /// The midpoint rule's energy error is bounded (no drift between the first and last tenth);
  /// GSL's Newton needs a few iterations per step.
  @Test func doublePendulumMidpointEnergyIsBoundedWithFewNewtonIterations() throws {
    let run = try ExampleRun(name: "DoublePendulum")
    let midpoint = try run.row("midpoint")
    let maxError = try number(midpoint[3])
    #expect(maxError > 1e-4 && maxError < 5e-4)
    let ratio = try number(midpoint[5])
    #expect(ratio > 0.8 && ratio < 1.25)
    let line = try #require(run.output.split(separator: "\n").first { $0.contains("mean") })
    let mean = try #require(line.split(separator: " ").drop { $0 != "mean" }.dropFirst().first)
    let iterations = try number(String(mean.trimmingCharacters(in: .punctuationCharacters)))
    #expect(iterations >= 2 && iterations <= 5)
  }

  /// The torque limit is below what lifts the pendulum directly: held constant from rest it
  /// reaches 2 asin(u_max/mgl) = 0.411 rad without damping, a little less with it. Energy shaping
  /// and predictive control from the exact model pump it up from every start, and the ResNet,
  /// which has no energy, gets no energy-shaping controller. (The learned models are trained for
  /// 20 iterations in the short form: their rows are not checked.)
  @Test func learnAndControlNeedsPumpingAndTheExactModelSwingsUp() throws {
    let run = try ExampleRun(name: "LearnAndControl")
    let lift = try run.row("largest angle (rad)")
    let angle = try number(lift[1])
    #expect(angle > 0.39 && angle < 2 * asin(2 / 9.81))
    for label in ["energy shaping, exact model", "prediction, exact model"] {
      #expect(try run.row(label)[1] == "3/3", "\(label)")
    }
    #expect(try run.row("energy shaping, ResNet")[1].hasPrefix("none"))
    for label in ["damping D̂/M̂ (N m s)", "input gain B̂/M̂"] {
      #expect(try number(run.row(label)[1]).isFinite, "\(label)")
    }
  }

  /// The pixel example in its short form (widths 12, 4 iterations, 2 test videos of 61 frames):
  /// it writes its two figures, the strip and the GIF, and prints a row for every model, the
  /// VAE without forecast figures (it has no dynamics) and every other model with all of them.
  /// The mean frame's short error is the squared distance of a grey frame to rod frames: between
  /// a few pixels and the whole frame.
  @Test func pixelPendulumWritesItsPicturesAndScoresEveryModel() throws {
    let directory = FileManager.default.temporaryDirectory
      .appendingPathComponent("vin-pixel-example-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    let run = try ExampleRun.launch(name: "PixelPendulum", arguments: [directory.path])
    #expect(run.status == 0, "\(run.standardError)")
    #expect(run.standardError.isEmpty)
    let files = try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted()
    #expect(
      files == [
        "pixel-embedding.svg", "pixel-errors.svg", "pixel-forecast.gif", "pixel-forecast.png",
      ])
    for name in ["pixel-embedding.svg", "pixel-errors.svg"] {
      let svg = try Data(contentsOf: directory.appendingPathComponent(name))
      #if canImport(FoundationXML) || canImport(Darwin)
        #expect(XMLParser(data: svg).parse(), "\(name) is not well-formed XML")
      #endif
    }
    let png = try Data(contentsOf: directory.appendingPathComponent("pixel-forecast.png"))
    #expect(Array(png.prefix(8)) == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
    let gif = try Data(contentsOf: directory.appendingPathComponent("pixel-forecast.gif"))
    #expect(String(decoding: gif.prefix(6), as: UTF8.self) == "GIF89a")
    let table = ExampleRun(output: run.standardOutput)
    #expect(try table.row("VAE")[1] == "-")
    for model in ["ResNet-VAE", "VIN-VV-VAE", "VIN-SO(2)-VAE"] {
      let cells = try table.row(model)
      #expect(cells.count == 7, "\(cells)")
      for cell in cells.dropFirst().prefix(5) { #expect(try number(cell).isFinite, "\(model)") }
    }
    #expect(try table.row("ResNet-VAE")[6] == "-")
    let meanFrame = try number(table.row("mean frame")[1])
    #expect(meanFrame > 5 && meanFrame < 784)
  }

  /// A plot that cannot be written is one line on standard error and a non-zero exit status.
  @Test(arguments: ["Dzhanibekov", "SpinningTop", "DoublePendulum"])
  func unwritablePlotIsOneLineOnStandardError(name: String) throws {
    let path = "/nonexistent-\(UUID().uuidString)/plot.svg"
    let run = try ExampleRun.launch(name: name, arguments: [path])
    #expect(run.status != 0)
    let lines = run.standardError.split(separator: "\n")
    #expect(lines.count == 1)
    #expect(lines.first?.contains(path) == true, "\(run.standardError)")
  }
}

/// The output of one successful example run, its SVG checked.
struct ExampleRun {
  /// Standard output.
  var output: String

  /// The table of an example whose output was checked elsewhere.
  init(output: String) { self.output = output }

  /// Runs example `name` with an output path in a fresh directory, and checks the exit status,
  /// that standard error is empty, and that the directory then holds exactly a well-formed SVG.
  init(name: String) throws {
    let directory = FileManager.default.temporaryDirectory
      .appendingPathComponent("vin-example-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    let svgURL = directory.appendingPathComponent("\(name).svg")
    let run = try Self.launch(name: name, arguments: [svgURL.path])
    #expect(run.status == 0, "\(name) failed: \(run.standardError)")
    #expect(run.standardError.isEmpty)
    #expect(run.standardOutput.contains("wrote \(svgURL.path)"))
    #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["\(name).svg"])
    let svg = try Data(contentsOf: svgURL)
    let text = try #require(String(data: svg, encoding: .utf8))
    #expect(text.hasPrefix("<?xml") && text.contains("<svg") && text.contains("<path d=\"M"))
    #if canImport(FoundationXML) || canImport(Darwin)
      let parser = XMLParser(data: svg)
      #expect(parser.parse(), "\(name).svg is not well-formed XML")
    #endif
    output = run.standardOutput
  }

  /// The cells of the table row whose label starts the line: the line split at runs of two or
  /// more spaces, the label first.
  func row(_ label: String) throws -> [String] {
    let line = try #require(
      output.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
        .first { $0.hasPrefix(label + "  ") }, "no row '\(label)' in:\n\(output)")
    return line.components(separatedBy: "  ").map { $0.trimmingCharacters(in: .whitespaces) }
      .filter { !$0.isEmpty }
  }

  /// Runs the example binary `name` (next to `vin`) in a short form, and waits for it.
  static func launch(name: String, arguments: [String]) throws -> VINRun {
    let products = try #require(
      VINExecutable.url?.deletingLastPathComponent(), "the build products were not found")
    let executable = products.appendingPathComponent(name)
    try #require(
      FileManager.default.isExecutableFile(atPath: executable.path),
      "\(name) was not built next to vin (run `swift build`)")
    return try VINExecutable.runProcess(
      executable, arguments, environment: ["VINKIT_EXAMPLES_QUICK": "1"])
  }
}

/// `text` (a table cell, perhaps with a unit after a space) as a number.
private func number(_ text: String) throws -> Double {
  let numeral = text.split(separator: " ").first.map(String.init) ?? text
  return try #require(Double(numeral), "'\(text)' is not a number")
}
