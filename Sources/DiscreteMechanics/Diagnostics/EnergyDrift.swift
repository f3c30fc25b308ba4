/// Bounded oscillation versus secular drift of a conserved quantity, told apart block by block.
///
/// The series `|E_k − E_0|` is cut into equal blocks; the maximum of each block is recorded and a
/// least-squares line is fitted to the block maxima against block-centre times. A symplectic
/// method gives maxima that stay level (slope ≈ 0, the first and last blocks agree); a
/// non-symplectic one gives maxima that grow (Hairer, Lubich, Wanner 2006, §I.1 and §IX.8).
public struct EnergyDrift: Sendable {
  /// `max_k |E_k − E_0|` over the whole run.
  public var maxError: Double
  /// The maximum of `|E_k − E_0|` in each block.
  public var blockMaxima: [Double]
  /// Least-squares slope of the block maxima per unit time.
  public var slope: Double
  /// `blockMaxima.last / blockMaxima.first`: ≈ 1 without drift.
  public var lastToFirstRatio: Double

  /// Analyses `values` sampled at `times` (equal lengths, at least `blocks` samples after the first).
  public init?(times: [Double], values: [Double], blocks: Int = 10) {
    guard times.count == values.count, blocks >= 2, values.count > blocks, let e0 = values.first
    else { return nil }
    let deviations = values.map { ($0 - e0).magnitude }
    maxError = deviations.max() ?? 0
    let n = deviations.count - 1
    var maxima: [Double] = []
    var centres: [Double] = []
    for b in 0..<blocks {
      let lo = 1 + b * n / blocks
      let hi = 1 + (b + 1) * n / blocks
      guard lo < hi else { return nil }
      maxima.append(deviations[lo..<hi].max() ?? 0)
      centres.append(0.5 * (times[lo] + times[hi - 1]))
    }
    blockMaxima = maxima
    let mt = centres.reduce(0, +) / Double(blocks)
    let mm = maxima.reduce(0, +) / Double(blocks)
    var stm = 0.0
    var stt = 0.0
    for i in 0..<blocks {
      stm += (centres[i] - mt) * (maxima[i] - mm)
      stt += (centres[i] - mt) * (centres[i] - mt)
    }
    slope = stt > 0 ? stm / stt : 0
    lastToFirstRatio = maxima[0] > 0 ? maxima[blocks - 1] / maxima[0] : .infinity
  }
}
