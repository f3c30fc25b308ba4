import RealModule

/// SplitMix64 (Steele, Lea, Flood, *Fast splittable pseudorandom number generators*, 2014):
/// a small seeded generator, so that every run of the tests draws the same states.
struct SplitMix64: RandomNumberGenerator {
  private var state: UInt64

  init(seed: UInt64) { state = seed }

  mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }

  /// A uniform number in [0, 1) with 53 random bits.
  mutating func uniform() -> Double { Double(next() >> 11) * 0x1p-53 }

  /// A uniform number in [a, b).
  mutating func uniform(_ a: Double, _ b: Double) -> Double { a + (b - a) * uniform() }

  /// A standard normal number (Box–Muller).
  mutating func gaussian() -> Double {
    let u = 1 - uniform()  // in (0, 1], so the logarithm is finite
    let v = uniform()
    return (-2 * Double.log(u)).squareRoot() * Double.cos(2 * Double.pi * v)
  }

  /// A direction drawn uniformly from the unit sphere of R^d.
  mutating func unitVector(dimension d: Int) -> [Double] {
    while true {
      let g = (0..<d).map { _ in gaussian() }
      let norm = g.reduce(0) { $0 + $1 * $1 }.squareRoot()
      if norm > 1e-3 { return g.map { $0 / norm } }
    }
  }
}
