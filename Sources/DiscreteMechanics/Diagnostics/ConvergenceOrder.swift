import RealModule

/// The observed order of convergence of a method.
///
/// Given global errors `e(h)` at a fixed final time for step sizes h (typically halved
/// repeatedly), the order is the least-squares slope p of `log e = p log h + c`
/// (as in GeometricIntegrators.jl's verification tests). Fitting all points, rather than taking
/// the ratio of the last two, tells a clean asymptotic regime from a pre-asymptotic one.
public enum ConvergenceOrder {
  /// The least-squares slope of `log(errors)` against `log(stepSizes)`; `nil` when fewer than
  /// two points are given or an error is not positive and finite.
  public static func fit(stepSizes: [Double], errors: [Double]) -> Double? {
    guard stepSizes.count == errors.count, stepSizes.count >= 2,
      errors.allSatisfy({ $0 > 0 && $0.isFinite }), stepSizes.allSatisfy({ $0 > 0 })
    else { return nil }
    let x = stepSizes.map { Double.log($0) }
    let y = errors.map { Double.log($0) }
    let n = Double(x.count)
    let mx = x.reduce(0, +) / n
    let my = y.reduce(0, +) / n
    var sxy = 0.0
    var sxx = 0.0
    for i in x.indices {
      sxy += (x[i] - mx) * (y[i] - my)
      sxx += (x[i] - mx) * (x[i] - mx)
    }
    return sxx > 0 ? sxy / sxx : nil
  }
}
