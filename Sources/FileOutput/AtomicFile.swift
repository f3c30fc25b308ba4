#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

/// Writes files atomically: the bytes go to a temporary file in the destination's directory,
/// which is flushed to disk and then renamed over the destination (`rename(2)` is atomic
/// within a file system).
///
/// A reader never sees a half-written file, and a failure leaves neither a partial file nor a
/// temporary one behind (an existing destination is left unchanged). Several files that belong
/// together are written with ``stage(_:at:)-(String,_)`` or ``stage(_:at:)-([UInt8],_)`` (or an
/// ``AtomicFileWriter`` each, for contents produced piece by piece), then
/// ``StagedFile/commit()`` for each, so that a failure while preparing any of them leaves none
/// of them behind.
///
/// A destination that is a symbolic link is written through: the link's target is replaced
/// and the link stays. A destination that exists and is not a regular file (a character
/// device such as `/dev/null` or `/dev/stdout`, a FIFO) cannot be replaced; it is written
/// directly, without the atomicity, and so is any path under `/dev` or `/proc` (`/dev/stdout`
/// links to whatever standard output is, which must be appended to, not replaced). A directory,
/// a dangling link and a path whose directory does not exist are refused.
public enum AtomicFile {
  /// Writes `contents` (UTF-8) to `path` atomically.
  public static func write(_ contents: String, to path: String) throws(FileWriteError) {
    try stage(contents, at: path).commit()
  }

  /// Writes `bytes` to `path` atomically.
  public static func write(_ bytes: [UInt8], to path: String) throws(FileWriteError) {
    try stage(bytes, at: path).commit()
  }

  /// Writes `contents` (UTF-8) to a temporary file next to `path`, to be moved into place by
  /// ``StagedFile/commit()`` or removed by ``StagedFile/discard()``.
  public static func stage(_ contents: String, at path: String) throws(FileWriteError)
    -> StagedFile
  {
    try stage(Array(contents.utf8), at: path)
  }

  /// Writes `bytes` to a temporary file next to `path`, to be moved into place by
  /// ``StagedFile/commit()`` or removed by ``StagedFile/discard()``.
  public static func stage(_ bytes: [UInt8], at path: String) throws(FileWriteError)
    -> StagedFile
  {
    let writer = try AtomicFileWriter(path: path)
    do throws(FileWriteError) {
      try writer.write(bytes)
      return try writer.finish()
    } catch {
      writer.discard()
      throw error
    }
  }

  /// Where `path` will really be written, checked without writing anything: the target of a
  /// symbolic link, and whether it is written in place (an existing file that is not a regular
  /// file) or through a temporary file next to it.
  ///
  /// - Throws: ``FileWriteError`` when `path` is empty, a directory, a dangling link, or in a
  ///   directory that does not exist or cannot be written.
  public static func destination(of path: String) throws(FileWriteError) -> Destination {
    guard !path.isEmpty else { throw FileWriteError(path: path, reason: "the path is empty") }
    var status = stat()
    if path.hasPrefix("/dev/") || path.hasPrefix("/proc/") {
      guard stat(path, &status) == 0 else {
        throw FileWriteError(path: path, reason: systemReason())
      }
      guard status.st_mode & S_IFMT != S_IFDIR else {
        throw FileWriteError(path: path, reason: "it is a directory")
      }
      return Destination(requested: path, path: path, inPlace: true)
    }
    guard lstat(path, &status) == 0 else {
      guard errno == ENOENT else { throw FileWriteError(path: path, reason: systemReason()) }
      return try newFile(path)
    }
    if status.st_mode & S_IFMT == S_IFLNK {
      guard let resolved = realpath(path, nil) else {
        let reason = errno == ENOENT ? "it is a dangling symbolic link" : systemReason()
        throw FileWriteError(path: path, reason: reason)
      }
      defer { free(resolved) }
      let target = try destination(of: String(cString: resolved))
      return Destination(requested: path, path: target.path, inPlace: target.inPlace)
    }
    switch status.st_mode & S_IFMT {
    case S_IFDIR: throw FileWriteError(path: path, reason: "it is a directory")
    case S_IFREG: return try newFile(path)
    default: return Destination(requested: path, path: path, inPlace: true)
    }
  }

  /// A regular file (new or existing) whose directory must exist and be writable.
  private static func newFile(_ path: String) throws(FileWriteError) -> Destination {
    let directory = directory(of: path)
    guard access(directory.isEmpty ? "." : directory, W_OK | X_OK) == 0 else {
      throw FileWriteError(path: path, reason: systemReason())
    }
    return Destination(requested: path, path: path, inPlace: false)
  }

  /// `dir/.name.<hex>.tmp` for `dir/name`: hidden, in the same directory (so the final
  /// rename stays on one file system), and unique.
  static func temporaryPath(for path: String, suffix: UInt64) -> String {
    let name = path.lastIndex(of: "/").map { String(path[path.index(after: $0)...]) } ?? path
    return "\(directory(of: path)).\(name).\(String(suffix, radix: 16)).tmp"
  }

  /// The directory part of `path` with its final slash (`""` for a bare name).
  static func directory(of path: String) -> String {
    path.lastIndex(of: "/").map { String(path[...$0]) } ?? ""
  }

  /// `strerror(errno)`.
  static func systemReason() -> String { String(cString: strerror(errno)) }

  /// Where a requested path is written (see ``AtomicFile/destination(of:)``).
  public struct Destination: Equatable, Sendable {
    /// The path as given.
    public var requested: String
    /// The file that is written: `requested`, or the target of a symbolic link.
    public var path: String
    /// Whether the file is written directly (it exists and is not a regular file, e.g. a
    /// character device), rather than through a temporary file renamed over it.
    public var inPlace: Bool
  }
}
