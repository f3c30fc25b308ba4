import Testing
import VINKit

/// The noise source: SplitMix64 and Box–Muller normals.
@Suite struct SeededGeneratorTests {
  /// The published first outputs of SplitMix64 for seed 0 (Vigna's `splitmix64.c`).
  @Test func matchesTheReferenceSplitMix64Sequence() {
    var generator = SeededGenerator(seed: 0)
    #expect(generator.next() == 0xE220_A839_7B1D_CDAF)
    #expect(generator.next() == 0x6E78_9E6A_A1B9_65F4)
    #expect(generator.next() == 0x06C4_5D18_8009_454F)
  }

  @Test func uniformsLieInTheUnitInterval() {
    var generator = SeededGenerator(seed: 9)
    for _ in 0..<10_000 {
      let u = generator.nextUniform()
      #expect(u >= 0 && u < 1)
    }
  }

  /// Sample moments of 2·10⁵ normals against N(0, 1): mean 0, variance 1, skewness 0,
  /// kurtosis 3, each within about five standard errors.
  @Test func normalsHaveStandardMoments() {
    var generator = SeededGenerator(seed: 42)
    let n = 200_000
    var (m1, m2, m3, m4) = (0.0, 0.0, 0.0, 0.0)
    for _ in 0..<n {
      let x = generator.nextStandardNormal()
      m1 += x
      m2 += x * x
      m3 += x * x * x
      m4 += x * x * x * x
    }
    let count = Double(n)
    (m1, m2, m3, m4) = (m1 / count, m2 / count, m3 / count, m4 / count)
    let se = 1 / count.squareRoot()
    #expect(abs(m1) < 5 * se)
    #expect(abs(m2 - 1) < 5 * 2.0.squareRoot() * se)
    #expect(abs(m3) < 5 * 15.0.squareRoot() * se)
    #expect(abs(m4 - 3) < 5 * 96.0.squareRoot() * se)
  }

  @Test func scaledNormalsHaveTheGivenStandardDeviation() {
    var a = SeededGenerator(seed: 5)
    var b = SeededGenerator(seed: 5)
    for _ in 0..<100 {
      #expect(a.nextNormal(standardDeviation: 0.25) == 0.25 * b.nextStandardNormal())
    }
  }
}
