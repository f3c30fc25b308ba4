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
  /// The operating system's explanation (`strerror(errno)`), or what is wrong with the path.
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
/// together are written with ``stage(_:at:)`` (or an ``AtomicFileWriter`` each, for contents
/// produced piece by piece), then ``StagedFile/commit()`` for each, so that a failure while
/// preparing any of them leaves none of them behind.
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

  /// Writes `contents` (UTF-8) to a temporary file next to `path`, to be moved into place by
  /// ``StagedFile/commit()`` or removed by ``StagedFile/discard()``.
  public static func stage(_ contents: String, at path: String) throws(FileWriteError)
    -> StagedFile
  {
    let writer = try AtomicFileWriter(path: path)
    do throws(FileWriteError) {
      try writer.write(Array(contents.utf8))
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

/// A file written piece by piece and moved into place by ``finish()`` then
/// ``StagedFile/commit()``: the pieces go to a temporary file next to the destination (or, for
/// a destination written in place, straight into it; see ``AtomicFile``).
///
/// Call ``finish()`` or ``discard()`` exactly once.
public final class AtomicFileWriter {
  /// Where the bytes go.
  public let destination: AtomicFile.Destination
  /// The temporary file (`nil` when the destination is written in place).
  public let temporaryPath: String?
  private var descriptor: Int32

  /// Opens a new temporary file next to `path` (or `path` itself, written in place).
  /// - Throws: ``FileWriteError`` as ``AtomicFile/destination(of:)`` does, or when the file
  ///   cannot be created.
  public init(path: String) throws(FileWriteError) {
    destination = try AtomicFile.destination(of: path)
    if destination.inPlace {
      temporaryPath = nil
      descriptor = open(destination.path, O_WRONLY | O_APPEND)
    } else {
      var generator = SystemRandomNumberGenerator()
      let temporary = AtomicFile.temporaryPath(for: destination.path, suffix: generator.next())
      temporaryPath = temporary
      descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL, 0o666)
    }
    guard descriptor >= 0 else {
      throw FileWriteError(path: path, reason: AtomicFile.systemReason())
    }
  }

  /// The free bytes on the destination's file system for an unprivileged writer (`nil` when
  /// unknown, e.g. for a device written in place).
  public var availableBytes: UInt64? {
    guard !destination.inPlace else { return nil }
    var info = statvfs()
    guard fstatvfs(descriptor, &info) == 0 else { return nil }
    return UInt64(info.f_bavail) &* UInt64(info.f_frsize)
  }

  /// Appends `bytes`.
  public func write(_ bytes: [UInt8]) throws(FileWriteError) {
    var failure: String?
    bytes.withUnsafeBytes { buffer in
      guard let base = buffer.baseAddress else { return }
      var offset = 0
      while offset < buffer.count {
        let written = POSIX.write(descriptor, base + offset, buffer.count - offset)
        if written < 0 {
          if errno == EINTR { continue }
          failure = AtomicFile.systemReason()
          return
        }
        offset += written
      }
    }
    if let failure { throw FileWriteError(path: destination.requested, reason: failure) }
  }

  /// Flushes and closes the file; the result moves it into place.
  /// - Throws: ``FileWriteError`` when the data cannot be flushed (the file is then removed).
  public func finish() throws(FileWriteError) -> StagedFile {
    var failure: String?
    if !destination.inPlace, fsync(descriptor) != 0 { failure = AtomicFile.systemReason() }
    if close(descriptor) != 0, failure == nil { failure = AtomicFile.systemReason() }
    descriptor = -1
    if let failure {
      if let temporaryPath { unlink(temporaryPath) }
      throw FileWriteError(path: destination.requested, reason: failure)
    }
    return StagedFile(destination: destination, temporaryPath: temporaryPath)
  }

  /// Closes and removes the temporary file; the destination is untouched (unless it is
  /// written in place).
  public func discard() {
    if descriptor >= 0 { close(descriptor) }
    descriptor = -1
    if let temporaryPath { unlink(temporaryPath) }
  }
}

/// A file written next to its destination and not yet moved there.
public struct StagedFile: Sendable {
  /// Where it goes.
  public let destination: AtomicFile.Destination
  /// Where the contents are now (`nil`: already in the destination, written in place).
  public let temporaryPath: String?

  /// The destination as requested.
  public var path: String { destination.requested }

  /// Renames the temporary file over the destination.
  public func commit() throws(FileWriteError) {
    guard let temporaryPath else { return }
    guard rename(temporaryPath, destination.path) == 0 else {
      let reason = AtomicFile.systemReason()
      unlink(temporaryPath)
      throw FileWriteError(path: destination.requested, reason: reason)
    }
  }

  /// Removes the temporary file; the destination is untouched.
  public func discard() {
    if let temporaryPath { unlink(temporaryPath) }
  }
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
