import ArgumentParser

/// `--seed N`: an integer from 0 to 2⁶⁴ − 1. Parsed unconditionally, so that `--seed -1` is a
/// value reported as out of range rather than a missing one.
enum Seed {
  static func parse(_ text: String) throws -> UInt64 {
    guard let seed = UInt64(text) else {
      throw ValidationError("a seed is an integer from 0 to \(UInt64.max)")
    }
    return seed
  }
}
