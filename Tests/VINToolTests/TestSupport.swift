import Foundation
import Testing

/// The result of running the built `vin` executable.
struct VINRun {
  var status: Int32
  var standardOutput: String
  var standardError: String

  /// The lines of standard error (without the final newline).
  var errorLines: [Substring] {
    standardError.split(separator: "\n", omittingEmptySubsequences: true)
  }
}

/// Runs the `vin` executable that SwiftPM built next to the test binary.
enum VINExecutable {
  /// The directory with the build products: the test binary's directory on Linux
  /// (`CommandLine.arguments[0]` is `.build/debug/VINKitPackageTests.xctest`), the directory
  /// holding the `.xctest` bundle on macOS (as in swift-argument-parser's example tests).
  static var url: URL? {
    var candidates = [URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()]
    for bundle in Bundle.allBundles where bundle.bundlePath.hasSuffix(".xctest") {
      candidates.append(bundle.bundleURL.deletingLastPathComponent())
    }
    candidates.append(Bundle.main.bundleURL)
    return candidates.map { $0.appendingPathComponent("vin") }
      .first { FileManager.default.isExecutableFile(atPath: $0.path) }
  }

  /// Runs `vin arguments…` in `directory` and waits for it (with standard output or error
  /// sent to `standardOutput` or `standardError`, e.g. `/dev/full`, when given).
  static func run(
    _ arguments: [String], in directory: URL? = nil, standardOutput: String? = nil,
    standardError: String? = nil
  ) throws -> VINRun {
    let executable = try #require(url, "the vin executable was not found next to the tests")
    return try runProcess(
      executable, arguments, in: directory, standardOutput: standardOutput,
      standardError: standardError)
  }

  /// Runs `executable arguments…` in `directory` (a fresh scratch directory if nil), with the
  /// test's environment plus `environment`, and waits for it; its output goes through files,
  /// so that a large output cannot fill a pipe and block it.
  static func runProcess(
    _ executable: URL, _ arguments: [String], in directory: URL? = nil,
    environment: [String: String] = [:], standardOutput: String? = nil,
    standardError: String? = nil
  ) throws -> VINRun {
    let scratch = FileManager.default.temporaryDirectory
      .appendingPathComponent("vin-run-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: scratch) }
    let outURL = scratch.appendingPathComponent("stdout")
    let errURL = scratch.appendingPathComponent("stderr")
    try Data().write(to: outURL)
    try Data().write(to: errURL)
    let out = try FileHandle(forWritingTo: standardOutput.map(URL.init(fileURLWithPath:)) ?? outURL)
    let err = try FileHandle(
      forWritingTo: standardError.map(URL.init(fileURLWithPath:)) ?? errURL)
    let process = Process()
    process.executableURL = executable
    process.arguments = arguments
    process.currentDirectoryURL = directory ?? scratch
    process.environment = ProcessInfo.processInfo.environment.merging(
      environment, uniquingKeysWith: { $1 })
    process.standardOutput = out
    process.standardError = err
    try process.run()
    process.waitUntilExit()
    try out.close()
    try err.close()
    return VINRun(
      status: process.terminationStatus,
      standardOutput: try String(contentsOf: outURL, encoding: .utf8),
      standardError: try String(contentsOf: errURL, encoding: .utf8))
  }
}

/// A fresh empty directory, removed after `body`.
func withTemporaryDirectory<T>(_ body: (URL) throws -> T) throws -> T {
  let directory = FileManager.default.temporaryDirectory
    .appendingPathComponent("vin-tests-\(UUID().uuidString)")
  try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
  defer { try? FileManager.default.removeItem(at: directory) }
  return try body(directory)
}

/// A parsed CSV file: header and numeric rows.
struct CSVTable {
  var header: [String]
  var rows: [[Double]]

  init(_ text: String) throws {
    var lines = text.split(separator: "\n", omittingEmptySubsequences: false)
    #expect(lines.last == "", "the CSV must end with a newline")
    lines.removeLast()
    header = try #require(lines.first).split(separator: ",").map(String.init)
    rows = try lines.dropFirst().map { line in
      try line.split(separator: ",").map { try #require(Double($0), "'\($0)' is not a number") }
    }
  }

  /// The column named `name`.
  func column(_ name: String) throws -> [Double] {
    let index = try #require(header.firstIndex(of: name), "no column \(name) in \(header)")
    return rows.map { $0[index] }
  }
}
