import Foundation
import Testing
import VINKit

/// `AtomicFile`: the destination is either the old file or the complete new one, and nothing
/// else is ever left in the directory.
@Suite struct AtomicFileTests {
  func names(in directory: URL) throws -> [String] {
    try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted()
  }

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
}
