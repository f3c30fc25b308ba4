import Foundation

/// A deterministic random number generator: xoshiro256** seeded through SplitMix64
/// (Blackman and Vigna, *Scrambled linear pseudorandom number generators*, 2021).
///
/// Everything random in training (initial weights, window shuffles, validation split) draws
/// from one of these, so a run is reproducible bit for bit from its seed.
public struct SeededGenerator: RandomNumberGenerator, Sendable {
  private var state: (UInt64, UInt64, UInt64, UInt64)

  public init(seed: UInt64) {
    var s = seed
    func splitMix() -> UInt64 {
      s &+= 0x9E37_79B9_7F4A_7C15
      var z = s
      z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
      z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
      return z ^ (z >> 31)
    }
    state = (splitMix(), splitMix(), splitMix(), splitMix())
  }

  public mutating func next() -> UInt64 {
    let result = rotateLeft(state.1 &* 5, 7) &* 9
    let t = state.1 << 17
    state.2 ^= state.0
    state.3 ^= state.1
    state.1 ^= state.2
    state.0 ^= state.3
    state.2 ^= t
    state.3 = rotateLeft(state.3, 45)
    return result
  }

  private func rotateLeft(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }

  /// A uniform number in [0, 1) with 53 random bits.
  public mutating func nextUniform() -> Double { Double(next() >> 11) * 0x1p-53 }

  /// A standard normal number (Box–Muller).
  public mutating func nextGaussian() -> Double {
    let u = 1 - nextUniform()  // (0, 1]
    let v = nextUniform()
    return (-2 * log(u)).squareRoot() * cos(2 * Double.pi * v)
  }

  /// A uniformly random permutation of `0..<count` (Fisher–Yates, independent of the
  /// standard library's shuffle algorithm).
  public mutating func permutation(_ count: Int) -> [Int] {
    var p = Array(0..<count)
    if count < 2 { return p }
    for i in stride(from: count - 1, to: 0, by: -1) {
      let j = Int(next() % UInt64(i + 1))
      p.swapAt(i, j)
    }
    return p
  }
}
