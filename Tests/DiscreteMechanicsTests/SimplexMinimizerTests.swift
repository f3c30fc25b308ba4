import DiscreteMechanics
import Testing

/// The GSL Nelder–Mead wrapper: known minima, a region where the function is not defined, and a
/// typed error for every bad input.
@Suite("SimplexMinimizer")
struct SimplexMinimizerTests {
  /// Rosenbrock's valley `(1 − x)² + 100 (y − x²)²`, minimum 0 at (1, 1), from the classic start
  /// (−1.2, 1).
  @Test("finds Rosenbrock's minimum from (−1.2, 1) to 1e-5")
  func rosenbrock() throws {
    let minimizer = try SimplexMinimizer(initialStep: 0.5, sizeTolerance: 1e-8, maxIterations: 2000)
    let minimum = try minimizer.minimize(
      { x in (1 - x[0]) * (1 - x[0]) + 100 * (x[1] - x[0] * x[0]) * (x[1] - x[0] * x[0]) },
      from: [-1.2, 1])
    #expect(minimum.converged)
    #expect(abs(minimum.x[0] - 1) < 1e-5 && abs(minimum.x[1] - 1) < 1e-5)
    #expect(minimum.value < 1e-10)
  }

  /// A quadratic bowl centred at c = (0.3, −0.2, 0.5) whose domain is the ball |x| < 0.9 (NaN
  /// outside, where c lies near the edge): the method contracts away from the undefined points
  /// and still finds c.
  @Test("steps around points where the function is not finite")
  func undefinedRegion() throws {
    let centre = [0.3, -0.2, 0.5]
    let minimizer = try SimplexMinimizer(initialStep: 0.4, sizeTolerance: 1e-9)
    let minimum = try minimizer.minimize(
      { x in
        x.reduce(0) { $0 + $1 * $1 } < 0.81
          ? zip(x, centre).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) } : .nan
      }, from: [0, 0, 0])
    #expect(minimum.converged)
    #expect(zip(minimum.x, centre).allSatisfy { abs($0 - $1) < 1e-7 })
  }

  @Test("bad settings and starts are typed errors that say what is wrong")
  func badInput() throws {
    #expect(throws: MinimizationError.invalidSetting(name: "initialStep", value: "0.0")) {
      try SimplexMinimizer(initialStep: 0)
    }
    #expect(throws: MinimizationError.invalidSetting(name: "sizeTolerance", value: "nan")) {
      try SimplexMinimizer(initialStep: 1, sizeTolerance: .nan)
    }
    #expect(throws: MinimizationError.invalidSetting(name: "maxIterations", value: "0")) {
      try SimplexMinimizer(initialStep: 1, maxIterations: 0)
    }
    let minimizer = try SimplexMinimizer(initialStep: 1)
    #expect(throws: MinimizationError.self) { try minimizer.minimize({ $0[0] }, from: []) }
    #expect(throws: MinimizationError.self) { try minimizer.minimize({ $0[0] }, from: [.nan]) }
    do {
      _ = try minimizer.minimize({ x in x[0] > 0.5 ? .infinity : x[0] * x[0] }, from: [0])
      Issue.record("a non-finite value at a vertex of the first simplex must be an error")
    } catch {
      #expect("\(error)".contains("not finite at a vertex of the starting simplex"))
    }
  }
}
