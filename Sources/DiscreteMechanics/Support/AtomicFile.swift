#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

/// Why a file could not be written. The message names the path and the system's reason.
public struct FileWriteError: Error, Equatable, Sendable, CustomStringConvertible {
  /// The destination the caller asked for.
  public var path: String
  /// The operating system's explanation (`strerror(errno)`).
  public var reason: String

  public init(path: String, reason: String) {
    self.path = path
    self.reason = reason
  }

  public var description: String { "cannot write '\(path)': \(reason)" }
}

/// Writes files atomically: the bytes go to a temporary file in the destination's directory,
/// which is flushed to disk and then renamed over the destination (`rename(2)` is atomic
/// within a file system).
///
/// A reader never sees a half-written file, and a failure leaves neither a partial file nor a
/// temporary one behind (an existing destination is left unchanged). Several files that belong
/// together are written with ``stage(_:at:)`` for each, then ``StagedFile/commit()`` for each,
/// so that a failure while preparing any of them leaves none of them behind.
public enum AtomicFile {
  /// Writes `contents` (UTF-8) to `path` atomically.
  public static func write(_ contents: String, to path: String) throws(FileWriteError) {
    try stage(contents, at: path).commit()
  }

  /// Writes `contents` (UTF-8) to a temporary file next to `path`, to be moved into place by
  /// ``StagedFile/commit()`` or removed by ``StagedFile/discard()``.
  public static func stage(_ contents: String, at path: String) throws(FileWriteError)
    -> StagedFile
  {
    var generator = SystemRandomNumberGenerator()
    let temporaryPath = temporaryPath(for: path, suffix: generator.next())
    let descriptor = open(temporaryPath, O_WRONLY | O_CREAT | O_EXCL, 0o666)
    guard descriptor >= 0 else { throw FileWriteError(path: path, reason: systemReason()) }
    var bytes = Array(contents.utf8)
    var failure: String?
    bytes.withUnsafeMutableBytes { buffer in
      var offset = 0
      while offset < buffer.count {
        let written = POSIX.write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
        if written < 0 {
          if errno == EINTR { continue }
          failure = systemReason()
          return
        }
        offset += written
      }
    }
    if failure == nil, fsync(descriptor) != 0 { failure = systemReason() }
    if close(descriptor) != 0, failure == nil { failure = systemReason() }
    if let failure {
      unlink(temporaryPath)
      throw FileWriteError(path: path, reason: failure)
    }
    return StagedFile(path: path, temporaryPath: temporaryPath)
  }

  /// `dir/.name.<hex>.tmp` for `dir/name`: hidden, in the same directory (so the final
  /// rename stays on one file system), and unique.
  static func temporaryPath(for path: String, suffix: UInt64) -> String {
    let slash = path.lastIndex(of: "/")
    let directory = slash.map { String(path[...$0]) } ?? ""
    let name = slash.map { String(path[path.index(after: $0)...]) } ?? path
    return "\(directory).\(name).\(String(suffix, radix: 16)).tmp"
  }

  /// `strerror(errno)`.
  static func systemReason() -> String { String(cString: strerror(errno)) }
}

/// A file written next to its destination and not yet moved there.
public struct StagedFile: Sendable {
  /// The destination.
  public let path: String
  /// Where the contents are now.
  public let temporaryPath: String

  /// Renames the temporary file over the destination.
  public func commit() throws(FileWriteError) {
    guard rename(temporaryPath, path) == 0 else {
      let reason = AtomicFile.systemReason()
      unlink(temporaryPath)
      throw FileWriteError(path: path, reason: reason)
    }
  }

  /// Removes the temporary file; the destination is untouched.
  public func discard() { unlink(temporaryPath) }
}

/// The C library's `write(2)`, named apart from the ``AtomicFile/write(_:to:)`` in scope.
private enum POSIX {
  static func write(_ descriptor: Int32, _ bytes: UnsafeRawPointer, _ count: Int) -> Int {
    #if canImport(Glibc)
      Glibc.write(descriptor, bytes, count)
    #elseif canImport(Musl)
      Musl.write(descriptor, bytes, count)
    #else
      Darwin.write(descriptor, bytes, count)
    #endif
  }
}
