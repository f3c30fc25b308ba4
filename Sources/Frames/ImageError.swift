import FileOutput

/// Why an image (a PNG strip, a GIF animation) could not be made or written.
public enum ImageError: Error, Equatable, Sendable, CustomStringConvertible {
  /// A layout that cannot be drawn: no frames, frames of different sizes, a scale below 1, an
  /// image too large for its format.
  case invalidLayout(String)
  /// The encoding library failed (`format` PNG or GIF, with its reason).
  case encodingFailed(format: String, reason: String)
  /// The file could not be written.
  case output(FileWriteError)

  public var description: String {
    switch self {
    case .invalidLayout(let detail): return "cannot lay out the image: \(detail)"
    case .encodingFailed(let format, let reason): return "cannot encode the \(format): \(reason)"
    case .output(let error): return error.description
    }
  }
}
