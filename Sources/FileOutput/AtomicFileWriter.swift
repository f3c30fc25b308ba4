#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

/// A file written piece by piece and moved into place by ``finish()`` then
/// ``StagedFile/commit()``: the pieces go to a temporary file next to the destination (or, for
/// a destination written in place, straight into it; see ``AtomicFile``).
///
/// The temporary file is registered with ``TemporaryFiles`` from its creation until it is
/// renamed into place or removed, so that a process that installed
/// ``TemporaryFiles/install()`` removes it when SIGINT or SIGTERM ends the process.
///
/// Call ``finish()`` or ``discard()`` exactly once.
public final class AtomicFileWriter {
  /// Where the bytes go.
  public let destination: AtomicFile.Destination
  /// The temporary file (`nil` when the destination is written in place).
  public let temporaryPath: String?
  private var descriptor: Int32
  /// The temporary file's entry in ``TemporaryFiles``.
  let registration: TemporaryFiles.Registration?

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
    registration = temporaryPath.flatMap(TemporaryFiles.register)
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
      removeTemporaryFile()
      throw FileWriteError(path: destination.requested, reason: failure)
    }
    return StagedFile(
      destination: destination, temporaryPath: temporaryPath, registration: registration)
  }

  /// Closes and removes the temporary file; the destination is untouched (unless it is
  /// written in place).
  public func discard() {
    if descriptor >= 0 { close(descriptor) }
    descriptor = -1
    removeTemporaryFile()
  }

  /// Removes the temporary file (if any), then its ``TemporaryFiles`` entry.
  private func removeTemporaryFile() {
    if let temporaryPath { unlink(temporaryPath) }
    registration?.unregister()
  }
}

/// The C library's `write(2)`, named apart from the `AtomicFile.write(_:to:)` in scope.
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
