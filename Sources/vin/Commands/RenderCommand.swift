import ArgumentParser
import FileOutput
import Frames
import Plotting
import VINKit

/// `vin render SYSTEM`: simulates a built-in system as `vin simulate` does and draws each row's
/// configuration as a frame, writing the video as a NumPy `.npy` array (DESIGN §4), and
/// optionally an animated GIF, the trajectory CSV and its plot.
///
/// Every input and output path is checked before the simulation runs, and the outputs are
/// committed together at the end, so a failed run writes nothing.
struct RenderCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "render",
    abstract: "Simulate a built-in system and draw its motion as frames (a NumPy .npy video).",
    discussion: """
      The frames are a float32 NumPy array of shape (steps + 1, size, size) with values in \
      [0, 1] (1 where the system is drawn; 0 or 1 unless --antialias), rows from the top, \
      which numpy.load reads; frame k draws row k of the trajectory. pendulum: a thick rod \
      from the frame's centre, scaled to fill the frame; double-pendulum: two rods; harmonic \
      (one-dimensional only): a disc moving along the horizontal axis of the view [-2.5, 2.5]. \
      The frames show the noiseless states: --noise applies to the CSV only.

      --output writes the trajectory CSV as `vin simulate` does (no CSV without it; - for \
      standard output), --plot its SVG plot, --gif an animated GIF of the frames, each shown \
      for the step size h (in hundredths of a second, at least 2).
      """
  )

  /// The largest frame side `--size` takes.
  static let maximumSize = 4096

  @OptionGroup var simulation: SimulationOptions

  @Option(help: ArgumentHelp("Write the frames to this NumPy file.", valueName: "file.npy"))
  var frames: String

  @Option(parsing: .unconditional, help: "The side of a frame in pixels.")
  var size: Int = 28

  @Option(help: ArgumentHelp("Also write the frames as an animated GIF.", valueName: "file.gif"))
  var gif: String?

  @Flag(help: "Anti-alias: a pixel's value is the fraction of it covered (8 × 8 samples).")
  var antialias = false

  @Option(
    help: ArgumentHelp(
      "Also write the trajectory CSV to this file (- for standard output).",
      valueName: "file.csv"))
  var output: String?

  @Option(help: ArgumentHelp("Also write an SVG plot of the trajectory.", valueName: "file.svg"))
  var plot: String?

  func run() throws {
    let (entry, method, setup) = try simulation.prepare()
    let drawing = try makeDrawing(entry, setup)
    guard (1...Self.maximumSize).contains(size) else { throw CommandError.invalidFrameSize(size) }
    let rasteriser: Rasteriser
    do {
      rasteriser = try Rasteriser(size: size, sampling: antialias ? .antialiased : .binary)
    } catch {
      throw CommandError.drawing(system: entry.name, error)
    }
    let plan = try OutputPlan(output: output, plot: plot)
    let framesFile = try destination(
      frames, option: "--frames", format: "a NumPy array", suffix: ".npy")
    let gifFile = try gif.map { path throws(CommandError) in
      try destination(path, option: "--gif", format: "an animated GIF", suffix: ".gif")
    }
    try checkDistinct(plan: plan, frames: framesFile, gif: gifFile)
    let rows = setup.steps + 1
    let gifScale = max(1, 112 / size)
    try MemoryBudget.check(rows: rows, bytesPerRow: bytesPerFrame(gifScale: gifScale))

    var values: [Float] = []
    values.reserveCapacity(rows * size * size)
    var pixels = [Float](repeating: 0, count: size * size)
    let coordinates = drawing.coordinateCount
    let csv = try output.map { _ throws(CommandError) in try BufferedOutput(plan.csv) }
    let stream = TrajectoryStream(
      source: "simulation of '\(entry.name)' with '\(method.name)'", rows: rows, output: csv,
      noise: simulation.noise, seed: simulation.seed, keepsRowsForPlot: plan.plot != nil
    ) { row throws(CommandError) in
      do throws(FrameError) {
        try rasteriser.draw(drawing, at: Array(row[1...coordinates]), into: &pixels)
      } catch {
        throw .drawing(system: entry.name, error)
      }
      values.append(contentsOf: pixels)
    }
    var staged: [StagedFile] = []
    do {
      try simulation.simulate(entry, method, setup, into: stream)
      let video = try FrameStack(count: rows, size: size, values: values)
      staged.append(try stage(NPYFile.encode(video), at: framesFile))
      if let gifFile {
        let animation = try GIFAnimation(
          panels: [.init(frames: video, colour: .black)], scale: gifScale,
          delay: Self.delay(stepSize: setup.stepSize))
        staged.append(try stage(animation.encode(), at: gifFile))
      }
    } catch {
      csv?.discard()
      for file in staged { file.discard() }
      switch error {
      case let error as FrameError: throw CommandError.drawing(system: entry.name, error)
      case let error as ImageError: throw CommandError.image(error)
      default: throw error
      }
    }
    try OutputFiles.finish(csv, plot: plan.plot, alongside: staged) {
      stream.table()?.figure(
        title: simulation.title(entry, method), subtitle: simulation.subtitle(entry, setup)
      ).svg() ?? ""
    }
  }

  /// The system's drawing, for q0's number of coordinates.
  ///
  /// - Throws: ``CommandError/notDrawable(_:drawable:)`` naming the systems that can be drawn,
  ///   ``CommandError/drawing(system:_:)`` when the parameters give no drawing,
  ///   ``CommandError/drawingDimension(system:coordinates:drawn:)``.
  func makeDrawing(_ entry: SystemEntry, _ setup: SimulationSetup) throws(CommandError)
    -> any DrawableSystem
  {
    guard let builder = entry.drawing else {
      throw .notDrawable(
        entry.name, drawable: SystemCatalog.all.filter { $0.drawing != nil }.map(\.name))
    }
    let drawing: any DrawableSystem
    do {
      drawing = try builder(setup)
    } catch {
      throw .drawing(system: entry.name, error)
    }
    guard drawing.coordinateCount == setup.position.count else {
      throw .drawingDimension(
        system: entry.name, coordinates: setup.position.count, drawn: drawing.coordinateCount)
    }
    return drawing
  }

  /// Where `path` (the value of `option`) is written, checked: its name ends in `suffix` and it
  /// can be written.
  func destination(_ path: String, option: String, format: String, suffix: String)
    throws(CommandError) -> AtomicFile.Destination
  {
    guard path.lowercased().hasSuffix(suffix) else {
      throw .outputFormat(option: option, path: path, format: format, suffix: suffix)
    }
    do {
      return try AtomicFile.destination(of: path)
    } catch {
      throw .output(error)
    }
  }

  /// Refuses two outputs that name one file.
  func checkDistinct(plan: OutputPlan, frames: AtomicFile.Destination, gif: AtomicFile.Destination?)
    throws(CommandError)
  {
    var named: [(option: String, destination: AtomicFile.Destination)] = [("--frames", frames)]
    if let gif { named.append(("--gif", gif)) }
    if output != nil, case .file(let csv) = plan.csv { named.append(("--output", csv)) }
    if let plot = plan.plot { named.append(("--plot", plot)) }
    for (i, first) in named.enumerated() {
      for second in named[(i + 1)...]
      where OutputPlan.identity(of: first.destination.path)
        == OutputPlan.identity(of: second.destination.path)
      {
        throw .outputsCollide(first.option, second.option, path: second.destination.requested)
      }
    }
  }

  /// The memory one frame takes while the outputs are made: its values and their NPY bytes,
  /// and with `--gif` its palette indices at `gifScale` and their encoding (at most as large).
  func bytesPerFrame(gifScale: Int) -> Int {
    let side = Double((size + 2) * gifScale)
    let bytes = Double(8 * size * size) + (gif == nil ? 0 : 2 * side * side)
    return Int(min(bytes, Double(Int.max / 2)))
  }

  /// The GIF's frame delay for step size h: h in hundredths of a second, from 2 (what browsers
  /// play; shorter delays are slowed to 10) to GIF's 65535.
  static func delay(stepSize: Double) -> Int {
    Int(min(max((100 * stepSize).rounded(), 2), 65535))
  }

  /// Writes `bytes` next to `destination`, to be committed with the other outputs.
  func stage(_ bytes: [UInt8], at destination: AtomicFile.Destination) throws(CommandError)
    -> StagedFile
  {
    do {
      return try AtomicFile.stage(bytes, at: destination.requested)
    } catch {
      throw .output(error)
    }
  }
}
