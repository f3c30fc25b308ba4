import Foundation

/// The noise level of observed trajectories, estimated from the data alone before any model is
/// fitted: the difference-based estimator of nonparametric regression (Rice, *Bandwidth choice
/// for nonparametric regression*, Ann. Statist. 12, 1984; Gasser, Sroka and Jennen-Steinmetz,
/// Biometrika 73, 1986; Hall, Kay and Titterington, Biometrika 77, 1990).
///
/// For samples `y_j = f(t_j) + ε_j` of a smooth signal with independent noise of variance σ²,
/// the k-th difference `Δᵏy_j = Σᵢ (−1)^(k−i) C(k, i) y_(j+i)` has noise variance `C(2k, k) σ²`
/// (since `Σᵢ C(k, i)² = C(2k, k)`), while the signal contributes `Δᵏf ≈ hᵏ f⁽ᵏ⁾`, negligible
/// once the sampling step h is small against the signal's time scales. So
///
///     σ̂ₖ² = Σ (Δᵏy)² / (C(2k, k) · number of differences)
///
/// over every entry of every trajectory is an estimate of the mean noise variance of the
/// entries, the quantity a rollout loss that weighs every entry alike sees. A signal that the
/// sampling barely resolves inflates the low orders, so the estimate is the smallest over
/// k = 2…6. (On the learning benchmark's data, 30 to 1000 samples per entry, it is within 10 %
/// of the σ used to make them; Docs/Learning.md.)
public enum ObservationNoise {
  /// The orders of the differences the estimate takes its minimum over.
  public static let orders = 2...6

  /// The estimated noise scale σ̂ of the entries of `series` (each element one trajectory, a row
  /// per sample with the same entries), or `nil` when no trajectory has more than 2 samples (orders above a
  /// trajectory's sample count less one are skipped).
  public static func estimate(_ series: [[[Double]]]) -> Double? {
    var best: Double?
    for k in orders {
      var sum = 0.0
      var count = 0
      let weight = Double(binomial(2 * k, k))
      for rows in series where rows.count > k {
        let entries = rows[0].count
        var difference = Array(repeating: 0.0, count: rows.count)
        for e in 0..<entries {
          for j in rows.indices { difference[j] = rows[j][e] }
          for order in 1...k {
            for j in 0..<(rows.count - order) { difference[j] = difference[j + 1] - difference[j] }
          }
          for j in 0..<(rows.count - k) { sum += difference[j] * difference[j] }
          count += rows.count - k
        }
      }
      guard count > 0 else { continue }
      let estimate = (sum / (weight * Double(count))).squareRoot()
      best = min(best ?? estimate, estimate)
    }
    guard let best, best.isFinite else { return nil }
    return best
  }

  /// The root-mean-square rollout residual that the true model itself would leave on windows of
  /// `entries` numbers with observation noise σ, when `startParameters` of them are fitted per
  /// window (the inferred start): `σ √(1 − d/m)`. A start fitted by least squares absorbs d of
  /// the m noise terms of its window (for a model linear near the data; with naive starts, the
  /// start's own d numbers have zero residual and the rest at least σ², so it is a lower bound).
  /// A fit whose residual is below this explains noise.
  public static func residualFloor(noise: Double, entries m: Int, startParameters d: Int)
    -> Double
  {
    noise * max(0, 1 - Double(d) / Double(max(m, 1))).squareRoot()
  }

  static func binomial(_ n: Int, _ k: Int) -> Int {
    var result = 1
    for i in 0..<k { result = result * (n - i) / (i + 1) }
    return result
  }
}
