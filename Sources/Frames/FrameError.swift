/// What is wrong with frames, or with an `.npy` file of frames. Every case names the offending
/// value, so that the message alone says what to fix.
public enum FrameError: Error, Equatable, Sendable, CustomStringConvertible {
  // MARK: Frames

  /// A frame side below 1 pixel.
  case invalidSize(Int)
  /// An array of values whose length is not frames × size × size (`expected` nil when that
  /// product overflows).
  case valueCount(expected: Int?, found: Int)
  /// A pixel value that is NaN, infinite, or outside [0, 1].
  case valueOutOfRange(frame: Int, row: Int, column: Int, value: Double)
  /// A configuration that a drawing cannot draw: the wrong number of coordinates or a value
  /// that is not finite.
  case invalidConfiguration([Double], expectedCount: Int)
  /// A drawing's length (a rod, a disc, a view) that is not positive and finite.
  case invalidDrawingParameter(name: String, value: Double)
  /// Anti-aliasing with fewer than 1 sample per pixel side.
  case invalidSampling(Int)

  // MARK: NPY files

  /// The file does not start with the NPY magic string `\x93NUMPY`.
  case notNPY
  /// An NPY format version other than 1.0, 2.0 and 3.0.
  case unsupportedVersion(major: UInt8, minor: UInt8)
  /// The header dictionary cannot be read; `detail` says where and why.
  case malformedHeader(String)
  /// A dtype other than little-endian float32 (`<f4`) or float64 (`<f8`).
  case unsupportedDType(String)
  /// An array stored in Fortran (column-major) order.
  case fortranOrder
  /// An array whose shape is not (frames, size, size).
  case wrongRank([Int])
  /// Frames that are not square.
  case nonSquareFrames(height: Int, width: Int)
  /// Frames of another size than the one expected (a model's, or `--size`).
  case sizeMismatch(expected: Int, found: Int)
  /// A body shorter than the shape says.
  case truncatedBody(expectedBytes: Int, foundBytes: Int)
  /// Bytes after the data the shape describes.
  case trailingBytes(Int)

  public var description: String {
    switch self {
    case .invalidSize(let size):
      return "the frame size \(size) is invalid: it must be at least 1 pixel"
    case .valueCount(let expected, let found):
      let wanted = expected.map { "\($0)" } ?? "more than Int can count"
      return "\(found) pixel values where frames × size × size is \(wanted)"
    case .valueOutOfRange(let frame, let row, let column, let value):
      return
        "pixel (\(row), \(column)) of frame \(frame) is \(value); pixel values must be finite and in [0, 1]"
    case .invalidConfiguration(let q, let count):
      let values = q.map { "\($0)" }.joined(separator: ", ")
      return
        "cannot draw the configuration (\(values)): it needs \(count) finite coordinate\(count == 1 ? "" : "s")"
    case .invalidDrawingParameter(let name, let value):
      return "the drawing's \(name) is \(value); it must be positive and finite"
    case .invalidSampling(let samples):
      return "\(samples) samples per pixel side is invalid: it must be at least 1"
    case .notNPY:
      return "not a NumPy .npy file (it does not start with \\x93NUMPY)"
    case .unsupportedVersion(let major, let minor):
      return "NPY format version \(major).\(minor) is not supported (1.0, 2.0 and 3.0 are)"
    case .malformedHeader(let detail):
      return "the NPY header is malformed: \(detail)"
    case .unsupportedDType(let dtype):
      return
        "the array's dtype is '\(dtype)'; frames must be little-endian float32 ('<f4') or float64 ('<f8')"
    case .fortranOrder:
      return "the array is stored in Fortran order; frames must be in C order (fortran_order False)"
    case .wrongRank(let shape):
      return
        "the array's shape is \(NPYHeader.pythonTuple(shape)); frames must have shape (frames, size, size)"
    case .nonSquareFrames(let height, let width):
      return "the frames are \(height) × \(width) pixels; frames must be square"
    case .sizeMismatch(let expected, let found):
      return
        "the frames are \(found) × \(found) pixels where \(expected) × \(expected) are expected"
    case .truncatedBody(let expected, let found):
      return "the data are truncated: the shape needs \(expected) bytes, the file holds \(found)"
    case .trailingBytes(let count):
      return "\(count) bytes follow the data the shape describes"
    }
  }
}

/// A frames file that could not be read: the path and what is wrong with it.
public struct FrameFileError: Error, Equatable, Sendable, CustomStringConvertible {
  /// The file as named by the caller.
  public var path: String
  /// What is wrong with its contents (nil when the file itself could not be read).
  public var problem: FrameError?
  /// The system's reason, when the file could not be read.
  public var reason: String?

  /// A file whose contents are wrong.
  public init(path: String, problem: FrameError) {
    self.path = path
    self.problem = problem
    reason = nil
  }

  /// A file that could not be read, for `reason`.
  public init(path: String, reason: String) {
    self.path = path
    problem = nil
    self.reason = reason
  }

  public var description: String {
    if let problem { return "'\(path)': \(problem)" }
    return "cannot read '\(path)': \(reason ?? "unknown error")"
  }
}
