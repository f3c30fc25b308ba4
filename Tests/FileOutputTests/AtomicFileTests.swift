import Foundation
import Testing

@testable import FileOutput

/// `AtomicFile`: the destination is either the old file or the complete new one, and nothing
/// else is ever left in the directory.
@Suite struct AtomicFileTests {
  @Test func writeCreatesAndReplacesTheFileWithoutLeftovers() throws {
    try withTemporaryDirectory { directory in
      let path = directory.appendingPathComponent("model.json").path
      try AtomicFile.write("first", to: path)
      #expect(try String(contentsOfFile: path, encoding: .utf8) == "first")
      let large = String(repeating: "0123456789,", count: 200_000)
      try AtomicFile.write(large, to: path)
      #expect(try String(contentsOfFile: path, encoding: .utf8) == large)
      #expect(try names(in: directory) == ["model.json"])
    }
  }

  @Test func failureNamesThePathAndLeavesNothing() throws {
    try withTemporaryDirectory { directory throws in
      let path = directory.appendingPathComponent("no/such/dir/out.csv").path
      let error = #expect(throws: FileWriteError.self) { try AtomicFile.write("x", to: path) }
      #expect(error?.path == path)
      #expect(error?.description == "cannot write '\(path)': No such file or directory")
      #expect(try names(in: directory).isEmpty)
    }
  }

  @Test func stagedFileIsInvisibleUntilCommittedAndDiscardRemovesIt() throws {
    try withTemporaryDirectory { directory in
      let path = directory.appendingPathComponent("a.csv").path
      try AtomicFile.write("old", to: path)
      let staged = try AtomicFile.stage("new", at: path)
      #expect(try String(contentsOfFile: path, encoding: .utf8) == "old")
      #expect(staged.temporaryPath?.hasPrefix(directory.path + "/.a.csv.") == true)
      try staged.commit()
      #expect(try String(contentsOfFile: path, encoding: .utf8) == "new")
      try AtomicFile.stage("discarded", at: path).discard()
      #expect(try String(contentsOfFile: path, encoding: .utf8) == "new")
      #expect(try names(in: directory) == ["a.csv"])
    }
  }

  @Test func aSymbolicLinkIsWrittenThroughAndStays() throws {
    try withTemporaryDirectory { directory in
      let target = directory.appendingPathComponent("target.csv").path
      let link = directory.appendingPathComponent("link.csv").path
      try AtomicFile.write("old", to: target)
      try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: target)
      let destination = try AtomicFile.destination(of: link)
      #expect(destination.path.hasSuffix("/target.csv") && !destination.inPlace)
      try AtomicFile.write("new", to: link)
      #expect(try String(contentsOfFile: target, encoding: .utf8) == "new")
      let linkTarget = try FileManager.default.destinationOfSymbolicLink(atPath: link)
      #expect(linkTarget == target)
      #expect(try names(in: directory) == ["link.csv", "target.csv"])
    }
  }

  @Test func aDeviceIsWrittenInPlace() throws {
    let destination = try AtomicFile.destination(of: "/dev/null")
    #expect(destination.inPlace)
    let writer = try AtomicFileWriter(path: "/dev/null")
    #expect(writer.temporaryPath == nil)
    try writer.write(Array("discarded".utf8))
    try writer.finish().commit()
  }

  @Test(.enabled(if: FileManager.default.fileExists(atPath: "/dev/full")))
  func aFullDiskIsATypedErrorNamingThePath() throws {
    let error = #expect(throws: FileWriteError.self) { try AtomicFile.write("x", to: "/dev/full") }
    #expect(error == FileWriteError(path: "/dev/full", reason: "No space left on device"))
  }

  @Test func directoriesAndDanglingLinksAreRefused() throws {
    try withTemporaryDirectory { directory in
      let dangling = directory.appendingPathComponent("dangling").path
      try FileManager.default.createSymbolicLink(
        atPath: dangling, withDestinationPath: directory.appendingPathComponent("none").path)
      let onDirectory = #expect(throws: FileWriteError.self) {
        try AtomicFile.write("x", to: directory.path)
      }
      #expect(onDirectory?.reason == "it is a directory")
      let onLink = #expect(throws: FileWriteError.self) { try AtomicFile.write("x", to: dangling) }
      #expect(onLink?.reason == "it is a dangling symbolic link")
      #expect(try names(in: directory) == ["dangling"])
    }
  }

  /// The temporary file is in ``TemporaryFiles`` (removed on SIGINT/SIGTERM; `vin`'s FaultTests
  /// send the signals) from its creation until it is renamed into place or removed.
  @Test func theTemporaryFileIsRegisteredUntilCommittedOrRemoved() throws {
    try withTemporaryDirectory { directory in
      let path = directory.appendingPathComponent("a.csv").path
      let committed = try AtomicFileWriter(path: path)
      let registration = try #require(committed.registration)
      #expect(registration.isRegistered)
      let staged = try committed.finish()
      #expect(registration.isRegistered)
      try staged.commit()
      #expect(!registration.isRegistered)

      let discarded = try AtomicFileWriter(path: path)
      #expect(discarded.registration?.isRegistered == true)
      discarded.discard()
      #expect(discarded.registration?.isRegistered == false)

      let stagedThenDiscarded = try AtomicFile.stage("x", at: path)
      #expect(stagedThenDiscarded.registration?.isRegistered == true)
      stagedThenDiscarded.discard()
      #expect(stagedThenDiscarded.registration?.isRegistered == false)
      #expect(try names(in: directory) == ["a.csv"])
    }
  }
}
