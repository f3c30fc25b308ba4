/// How far a one-step map on R^{2n} is from symplectic: `‖DΦᵀ Ω DΦ − Ω‖_max`, with
/// `Ω = [[0, I], [−I, 0]]` and the Jacobian `DΦ` by central differences of step `delta`.
///
/// For a symplectic method the defect sits at the finite-difference floor (round-off/δ plus
/// O(δ²) truncation, ~1e-9 for δ = 1e-5); for explicit Euler or RK4 it is of the size of the
/// local error, clearly above the floor (Hairer, Lubich, Wanner 2006, §VI.2).
public enum SymplecticityDefect {
  /// The defect of `map` at `x = (q, p)` (length 2n).
  public static func of(
    _ map: ([Double]) throws -> [Double], at x: [Double], delta: Double = 1e-5
  ) rethrows -> Double {
    let m = x.count
    let n = m / 2
    var jacobian = Array(repeating: Array(repeating: 0.0, count: m), count: m)  // [row][column]
    for j in 0..<m {
      var plus = x
      var minus = x
      plus[j] += delta
      minus[j] -= delta
      let fp = try map(plus)
      let fm = try map(minus)
      for i in 0..<m { jacobian[i][j] = (fp[i] - fm[i]) / (2 * delta) }
    }
    // (DΦᵀ Ω DΦ)_{ab} = Σ_i DΦ_{i a} (Ω DΦ)_{i b}, with (Ω y)_i = y_{i+n} (i < n), −y_{i−n} (i ≥ n).
    var defect = 0.0
    for a in 0..<m {
      for b in 0..<m {
        var s = 0.0
        for i in 0..<m {
          let omegaColumn = i < n ? jacobian[i + n][b] : -jacobian[i - n][b]
          s += jacobian[i][a] * omegaColumn
        }
        let omega = (b == a + n) ? 1.0 : (a == b + n ? -1.0 : 0.0)
        defect = max(defect, (s - omega).magnitude)
      }
    }
    return defect
  }
}
