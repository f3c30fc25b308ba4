import Testing
import VINKit

@testable import vin

/// CSV numbers read back as the same `Double`, bit for bit.
@Suite struct CSVFormatTests {
  @Test(arguments: [
    0.1, 1.0 / 3, -2.0 / 3, 0, -0.0, 1, 9.81, 1e-5, 1.5e300, -1e16, 123_456_789.123_456_78,
    Double.pi, Double.ulpOfOne, Double.leastNonzeroMagnitude, Double.leastNormalMagnitude,
    Double.greatestFiniteMagnitude, -5.300365620566452, 0.1 + 0.2,
  ])
  func specialValuesRoundTrip(_ value: Double) throws {
    let text = CSVFormat.number(value)
    let parsed = try #require(Double(text))
    #expect(parsed.bitPattern == value.bitPattern, "\(value) was written as \(text)")
  }

  @Test func randomBitPatternsRoundTrip() throws {
    var generator = SeededGenerator(seed: 2026)
    var checked = 0
    while checked < 20_000 {
      let value = Double(bitPattern: generator.next())
      guard value.isFinite else { continue }
      let parsed = try #require(Double(CSVFormat.number(value)))
      #expect(parsed.bitPattern == value.bitPattern)
      checked += 1
    }
  }

  @Test func shortestDigitsAreWritten() {
    #expect(CSVFormat.number(0.1) == "0.1")
    #expect(CSVFormat.number(-2.5) == "-2.5")
    #expect(CSVFormat.number(1) == "1.0")
  }

  @Test func linesAreTheValuesSeparatedByCommas() {
    let table = CoordinateTable(
      dimension: 2, times: [0, 0.5], positions: [1, -0.25, 2, 3], velocities: [0, 0.1, 4, 5],
      energies: [-1, -1.5])
    #expect(table.header == ["t", "q1", "q2", "v1", "v2", "energy"])
    #expect(CSVFormat.line(table.row(0)) == "0.0,1.0,-0.25,0.0,0.1,-1.0\n")
    #expect(CSVFormat.line(table.row(1)) == "0.5,2.0,3.0,4.0,5.0,-1.5\n")
  }
}
