import FileOutput
import Foundation
import VINKit

/// Text written to an ``OutputTarget`` in pieces through a 64 KiB buffer: to standard output
/// directly, or to a file through an ``AtomicFileWriter`` (a temporary file removed on SIGINT
/// and SIGTERM until it is committed or discarded, see ``TemporaryFiles``).
///
/// Every failed write (a full disk, a closed pipe, `/dev/full`) is a
/// ``CommandError/output(_:)`` naming the target and the system's reason.
final class BufferedOutput {
  let target: OutputTarget
  private let file: AtomicFileWriter?
  private var buffer: [UInt8] = []
  private let capacity = 1 << 16

  init(_ target: OutputTarget) throws(CommandError) {
    self.target = target
    switch target {
    case .standardOutput:
      file = nil
    case .file(let destination):
      do {
        file = try AtomicFileWriter(path: destination.requested)
      } catch {
        throw .output(error)
      }
    }
    buffer.reserveCapacity(capacity)
  }

  /// The free bytes where the output goes, when known: the destination's file system, or
  /// that of a regular file standard output is redirected to.
  var availableBytes: UInt64? {
    if let file { return file.availableBytes }
    var status = stat()
    guard fstat(STDOUT_FILENO, &status) == 0, status.st_mode & S_IFMT == S_IFREG else {
      return nil
    }
    var info = statvfs()
    guard fstatvfs(STDOUT_FILENO, &info) == 0 else { return nil }
    return UInt64(info.f_bavail) &* UInt64(info.f_frsize)
  }

  /// Refuses an output of `rows` rows of about `bytesPerRow` bytes that would not fit in the
  /// ``availableBytes``.
  ///
  /// - Throws: ``CommandError/outputTooLarge(_:bytes:available:)`` naming the estimate.
  func reserve(rows: Int, bytesPerRow: Int) throws(CommandError) {
    guard let available = availableBytes else { return }
    let estimate = Double(rows) * Double(bytesPerRow)
    if estimate > Double(available) {
      throw .outputTooLarge(target.name, bytes: estimate, available: available)
    }
  }

  /// Appends `text`.
  func write(_ text: String) throws(CommandError) {
    buffer.append(contentsOf: text.utf8)
    if buffer.count >= capacity { try flush() }
  }

  /// Appends `bytes`.
  func write(_ bytes: Data) throws(CommandError) {
    buffer.append(contentsOf: bytes)
    if buffer.count >= capacity { try flush() }
  }

  /// Writes the buffer out.
  func flush() throws(CommandError) {
    defer { buffer.removeAll(keepingCapacity: true) }
    do throws(FileWriteError) {
      if let file {
        try file.write(buffer)
      } else {
        try StandardOutput.write(buffer)
      }
    } catch {
      throw .output(error)
    }
  }

  /// Writes the rest out and closes the file; the result (`nil` for standard output) is moved
  /// into place by ``OutputFiles/commit(_:)``. On failure the temporary file is removed.
  func finish() throws(CommandError) -> StagedFile? {
    do {
      try flush()
    } catch {
      discard()
      throw error
    }
    guard let file else { return nil }
    do {
      return try file.finish()
    } catch {
      throw .output(error)
    }
  }

  /// Removes the temporary file (after a failure elsewhere).
  func discard() {
    guard let file else { return }
    file.discard()
  }
}

/// Standard error, written with `write(2)`: a failure (`2> /dev/full`) is ignored, as there
/// is nowhere left to report it (`FileHandle` would trap on it).
enum StandardError {
  static func write(_ text: String) {
    var bytes = Array(text.utf8)[...]
    while !bytes.isEmpty {
      let written = bytes.withUnsafeBytes { buffer in
        Foundation.write(STDERR_FILENO, buffer.baseAddress, buffer.count)
      }
      if written < 0, errno == EINTR { continue }
      guard written > 0 else { return }
      bytes = bytes.dropFirst(written)
    }
  }
}

/// Standard output, written with `write(2)` so that a failure (a full disk, `/dev/full`) is
/// an error rather than a crash in `FileHandle` or a silently lost `print`.
enum StandardOutput {
  static func write(_ bytes: [UInt8]) throws(FileWriteError) {
    var failure: String?
    bytes.withUnsafeBytes { buffer in
      guard let base = buffer.baseAddress else { return }
      var offset = 0
      while offset < buffer.count {
        let written = Foundation.write(STDOUT_FILENO, base + offset, buffer.count - offset)
        if written < 0 {
          if errno == EINTR { continue }
          failure = String(cString: strerror(errno))
          return
        }
        offset += written
      }
    }
    if let failure { throw FileWriteError(path: "standard output", reason: failure) }
  }

  /// Writes `text` (a summary line, a listing).
  static func write(_ text: String) throws(CommandError) {
    do {
      try write(Array(text.utf8))
    } catch {
      throw .output(error)
    }
  }
}
