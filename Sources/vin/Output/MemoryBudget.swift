import Foundation

/// The memory a run may plan to hold: half the machine's physical memory. A run that would
/// keep more (a plot or a forecast of 10¹² steps) is refused before it starts, instead of
/// failing to allocate part way.
enum MemoryBudget {
  static var bytes: UInt64 { ProcessInfo.processInfo.physicalMemory / 2 }

  /// - Throws: ``CommandError/insufficientMemory(rows:bytes:available:)`` when `rows` rows of
  ///   `bytesPerRow` bytes exceed ``bytes``.
  static func check(rows: Int, bytesPerRow: Int) throws(CommandError) {
    let needed = Double(rows) * Double(bytesPerRow)
    if needed > Double(bytes) {
      throw .insufficientMemory(rows: rows, bytes: needed, available: bytes)
    }
  }
}
