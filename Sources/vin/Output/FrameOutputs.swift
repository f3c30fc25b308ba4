import FileOutput
import Frames

/// The image and video outputs of `vin render`, `vin forecast --context`: destinations checked
/// by their suffix before anything is computed, files staged to be committed together, and the
/// GIF frame delay of a step size.
enum FrameOutputs {
  /// Where `path` (the value of `option`) is written, checked: its name ends in `suffix` and it
  /// can be written.
  static func destination(_ path: String, option: String, format: String, suffix: String)
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

  /// Refuses two outputs (option, destination) that name one file.
  static func checkDistinct(_ named: [(option: String, destination: AtomicFile.Destination)])
    throws(CommandError)
  {
    for (i, first) in named.enumerated() {
      for second in named[(i + 1)...]
      where OutputPlan.identity(of: first.destination.path)
        == OutputPlan.identity(of: second.destination.path)
      {
        throw .outputsCollide(first.option, second.option, path: second.destination.requested)
      }
    }
  }

  /// Writes `bytes` next to `destination`, to be committed with the other outputs.
  static func stage(_ bytes: [UInt8], at destination: AtomicFile.Destination) throws(CommandError)
    -> StagedFile
  {
    do {
      return try AtomicFile.stage(bytes, at: destination.requested)
    } catch {
      throw .output(error)
    }
  }

  /// The GIF's frame delay for step size h: h in hundredths of a second, from 2 (what browsers
  /// play; shorter delays are slowed to 10) to GIF's 65535.
  static func delay(stepSize: Double) -> Int {
    Int(min(max((100 * stepSize).rounded(), 2), 65535))
  }

  /// The GIF scale of frames of `size` pixels: about 112 pixels a side.
  static func gifScale(size: Int) -> Int { max(1, 112 / size) }
}
