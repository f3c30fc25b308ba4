import Foundation
import Testing

/// `--noise SIGMA --seed S`: N(0, σ²) on the q and v columns (R by a right perturbation and w on
/// SO(3)), the same for the same seed, with t and the energy left exact.
@Suite struct NoiseTests {
  static let clean = ["simulate", "harmonic", "--q0", "1,-0.5", "--dt", "0.01", "--steps", "1999"]

  @Test func sameSeedSameDataOtherSeedOtherData() throws {
    let first = try VINExecutable.run(Self.clean + ["--noise", "0.1", "--seed", "7"])
    let again = try VINExecutable.run(Self.clean + ["--noise", "0.1", "--seed", "7"])
    let other = try VINExecutable.run(Self.clean + ["--noise", "0.1", "--seed", "8"])
    #expect(first.status == 0 && again.status == 0 && other.status == 0)
    #expect(first.standardOutput == again.standardOutput)
    #expect(first.standardOutput != other.standardOutput)
  }

  @Test func noiseHasTheRequestedSpreadAndLeavesTimeAndEnergyExact() throws {
    let sigma = 0.1
    let clean = try CSVTable(try VINExecutable.run(Self.clean).standardOutput)
    let noisy = try CSVTable(
      try VINExecutable.run(Self.clean + ["--noise", "\(sigma)", "--seed", "1"]).standardOutput)
    #expect(noisy.header == clean.header)
    #expect(try noisy.column("t") == clean.column("t"))
    #expect(try noisy.column("energy") == clean.column("energy"))
    // 2000 rows × 4 columns of independent N(0, σ²): the sample mean is within 4 standard
    // errors of 0 and the sample standard deviation within 5 % of σ.
    var residuals: [Double] = []
    for name in ["q1", "q2", "v1", "v2"] {
      let difference = zip(try noisy.column(name), try clean.column(name)).map { $0 - $1 }
      #expect(difference.allSatisfy { $0 != 0 })
      residuals += difference
    }
    let n = Double(residuals.count)
    let mean = residuals.reduce(0, +) / n
    let deviation = (residuals.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / (n - 1))
      .squareRoot()
    #expect(abs(mean) < 4 * sigma / n.squareRoot())
    #expect(abs(deviation / sigma - 1) < 0.05)
    // Independence of the q and v noise: their correlation is within 4/√N of 0.
    let q = zip(try noisy.column("q1"), try clean.column("q1")).map { $0 - $1 }
    let v = zip(try noisy.column("v1"), try clean.column("v1")).map { $0 - $1 }
    let correlation = zip(q, v).map { $0 * $1 }.reduce(0, +) / (Double(q.count) * sigma * sigma)
    #expect(abs(correlation) < 4 / Double(q.count).squareRoot())
  }

  @Test func rigidBodyNoiseKeepsRotationsAndPerturbsBySigma() throws {
    let sigma = 0.05
    let arguments = ["simulate", "rigid-body", "--dt", "0.01", "--steps", "999"]
    let clean = try CSVTable(try VINExecutable.run(arguments).standardOutput)
    let noisy = try CSVTable(
      try VINExecutable.run(arguments + ["--noise", "\(sigma)", "--seed", "3"]).standardOutput)
    #expect(try noisy.column("energy") == clean.column("energy"))
    var angles: [Double] = []
    for (a, b) in zip(clean.rows, noisy.rows) {
      #expect(orthogonalityDefect(Array(b[1...9])) < 1e-12)
      // The rotation angle of R_cleanᵀ R_noisy is |ξ|, ξ ~ N(0, σ²I): E|ξ|² = 3σ².
      var trace = 0.0
      for i in 0..<3 {
        for k in 0..<3 { trace += a[1 + 3 * k + i] * b[1 + 3 * k + i] }
      }
      angles.append(acos(min(1, max(-1, (trace - 1) / 2))))
    }
    let meanSquare = angles.map { $0 * $0 }.reduce(0, +) / Double(angles.count)
    #expect(abs(meanSquare / (3 * sigma * sigma) - 1) < 0.1)
    let w = zip(try noisy.column("w2"), try clean.column("w2")).map { $0 - $1 }
    let spread = (w.map { $0 * $0 }.reduce(0, +) / Double(w.count)).squareRoot()
    #expect(abs(spread / sigma - 1) < 0.1)
  }
}
