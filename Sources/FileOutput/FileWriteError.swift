/// Why a file could not be written. The message names the path and the system's reason.
public struct FileWriteError: Error, Equatable, Sendable, CustomStringConvertible {
  /// The destination the caller asked for.
  public var path: String
  /// The operating system's explanation (`strerror(errno)`), or what is wrong with the path.
  public var reason: String

  public init(path: String, reason: String) {
    self.path = path
    self.reason = reason
  }

  public var description: String { "cannot write '\(path)': \(reason)" }
}
