#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

/// A file written next to its destination and not yet moved there.
public struct StagedFile: Sendable {
  /// Where it goes.
  public let destination: AtomicFile.Destination
  /// Where the contents are now (`nil`: already in the destination, written in place).
  public let temporaryPath: String?
  /// The temporary file's entry in ``TemporaryFiles``.
  let registration: TemporaryFiles.Registration?

  /// The destination as requested.
  public var path: String { destination.requested }

  /// Renames the temporary file over the destination.
  public func commit() throws(FileWriteError) {
    guard let temporaryPath else { return }
    guard rename(temporaryPath, destination.path) == 0 else {
      let reason = AtomicFile.systemReason()
      removeTemporaryFile()
      throw FileWriteError(path: destination.requested, reason: reason)
    }
    registration?.unregister()
  }

  /// Removes the temporary file; the destination is untouched.
  public func discard() {
    removeTemporaryFile()
  }

  /// Removes the temporary file (if any), then its ``TemporaryFiles`` entry.
  private func removeTemporaryFile() {
    if let temporaryPath { unlink(temporaryPath) }
    registration?.unregister()
  }
}
