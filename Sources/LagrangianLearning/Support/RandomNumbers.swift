import RealModule

/// A seeded pseudo-random number generator, SplitMix64 (Steele, Lea, Flood, *Fast splittable
/// pseudorandom number generators*, OOPSLA 2014):
///
///     s ← s + 0x9E3779B97F4A7C15,    z = mix(s),
///
/// where `mix` is the finaliser of MurmurHash3 variant 13. The same seed gives the same sequence
/// on every platform and Swift version (unlike `Double.random(in:using:)`, whose use of the bits
/// is not specified), which is what reproducible noisy data and training runs need. It passes
/// BigCrush; it is not cryptographic.
public struct SeededGenerator: RandomNumberGenerator, Sendable {
  private var state: UInt64

  /// A generator whose sequence is determined by `seed`.
  public init(seed: UInt64) { state = seed }

  /// The next 64 random bits.
  public mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }

  /// A uniform number in [0, 1): the top 53 bits of ``next()`` times 2⁻⁵³.
  public mutating func nextUniform() -> Double { Double(next() >> 11) * 0x1p-53 }

  /// A standard normal number N(0, 1) by the Box–Muller transform
  /// `√(−2 ln u) cos(2π v)` with `u` uniform in (0, 1] and `v` uniform in [0, 1)
  /// (Box and Muller, *A note on the generation of random normal deviates*, 1958).
  ///
  /// Each call consumes two uniforms, so the sequence of normals depends only on the seed and
  /// the number of earlier calls.
  public mutating func nextStandardNormal() -> Double {
    let u = 1 - nextUniform()
    let v = nextUniform()
    return (-2 * Double.log(u)).squareRoot() * Double.cos(2 * Double.pi * v)
  }

  /// A normal number N(0, σ²) with standard deviation `standardDeviation`.
  public mutating func nextNormal(standardDeviation: Double) -> Double {
    standardDeviation * nextStandardNormal()
  }

  /// A uniformly random permutation of `0..<count` (Fisher–Yates, independent of the standard
  /// library's shuffle algorithm, so it is the same on every platform and Swift version).
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
