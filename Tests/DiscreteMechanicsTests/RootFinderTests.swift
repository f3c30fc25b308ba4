import DiscreteMechanics
import Manifolds
import Testing

/// The GSL multiroot wrapper: accuracy and iteration counts on a system with a known root, and a
/// typed error for every way a solve can fail.
@Suite("RootFinder")
struct RootFinderTests {
  /// `F(x, y) = (x² + y² − 3, x − y²)`: eliminating y² gives `x² + x − 3 = 0`, so the root in the
  /// first quadrant is `x* = (√13 − 1)/2`, `y* = √x*`.
  static func circleParabola(_ x: [Double], _ f: inout [Double]) {
    f[0] = x[0] * x[0] + x[1] * x[1] - 3
    f[1] = x[0] - x[1] * x[1]
  }

  static func circleParabolaJacobian(_ x: [Double], _ j: inout Matrix) {
    j[0, 0] = 2 * x[0]
    j[0, 1] = 2 * x[1]
    j[1, 0] = 1
    j[1, 1] = -2 * x[1]
  }

  static let exactRoot: [Double] = {
    let x = (13.0.squareRoot() - 1) / 2
    return [x, x.squareRoot()]
  }()

  @Test("Newton with the analytic Jacobian: root to 1e-14 in at most 7 iterations")
  func analyticJacobian() throws {
    let result = try RootFinder().solve(
      initialGuess: [1, 1], residual: Self.circleParabola, jacobian: Self.circleParabolaJacobian)
    #expect(maxDifference(result.root, Self.exactRoot) < 1e-14, "root \(result.root)")
    #expect(result.iterations <= 7, "\(result.iterations) iterations")
    #expect(result.residualNorm <= 1e-12)
  }

  /// ``circleParabola`` with its Jacobian, counting evaluations.
  final class CircleParabola: RootFindingEquations {
    var evaluations = 0
    func residual(at x: [Double], into residual: inout [Double]) {
      evaluations += 1
      RootFinderTests.circleParabola(x, &residual)
    }
    func jacobian(at x: [Double], into jacobian: inout Matrix) {
      RootFinderTests.circleParabolaJacobian(x, &jacobian)
    }
  }

  @Test("in place in one workspace: the one-shot root and iterations, solve after solve")
  func workspace() throws {
    let workspace = try RootFindingWorkspace(dimension: 2)
    let equations = CircleParabola()
    for guess: [Double] in [[1, 1], [2, 0.5], [1, 1]] {
      let oneShot = try RootFinder().solve(
        initialGuess: guess, residual: Self.circleParabola,
        jacobian: Self.circleParabolaJacobian)
      var x = guess
      let statistics = try RootFinder().solve(&x, in: workspace, equations: equations)
      #expect(x == oneShot.root, "guess \(guess)")
      #expect(maxDifference(x, Self.exactRoot) < 1e-14)
      #expect(statistics.iterations == oneShot.iterations && statistics.iterations >= 1)
      #expect(statistics.residualNorm == oneShot.residualNorm)
    }
    #expect(equations.evaluations > 3)
  }

  @Test("in place: a failed solve leaves x unchanged; a wrong-sized guess or workspace is rejected")
  func workspaceFailures() throws {
    let workspace = try RootFindingWorkspace(dimension: 2)
    var x: [Double] = [1, 1]
    #expect(throws: RootFindingError.self) {
      try RootFinder(maxIterations: 1).solve(&x, in: workspace, equations: CircleParabola())
    }
    #expect(x == [1, 1])
    var short: [Double] = [1]
    let error = #expect(throws: RootFindingError.self) {
      try RootFinder().solve(&short, in: workspace, equations: CircleParabola())
    }
    guard case .invalidInitialGuess = error else {
      Issue.record("expected invalidInitialGuess, got \(String(describing: error))")
      return
    }
    for dimension in [0, -1] {
      #expect(throws: RootFindingError.self) { _ = try RootFindingWorkspace(dimension: dimension) }
    }
  }

  @Test("hybrids with a finite-difference Jacobian: root to 1e-14 in at most 15 iterations")
  func finiteDifferenceJacobian() throws {
    let result = try RootFinder().solve(initialGuess: [1, 1], residual: Self.circleParabola)
    #expect(maxDifference(result.root, Self.exactRoot) < 1e-14, "root \(result.root)")
    #expect(result.iterations <= 15, "\(result.iterations) iterations")
    #expect(result.residualNorm <= 1e-12)
  }

  @Test("a guess at the root returns it without iterating")
  func exactGuess() throws {
    let result = try RootFinder().solve(
      initialGuess: [2], residual: { x, f in f[0] = x[0] * x[0] - 4 },
      jacobian: { x, j in j[0, 0] = 2 * x[0] })
    #expect(result.root == [2])
    #expect(result.iterations == 0)
  }

  /// Every failure that carries a residual norm; nil for the others.
  static func residualNorm(of error: RootFindingError) -> Double? {
    switch error {
    case .noConvergence(_, let r), .singularJacobian(_, let r), .stalled(_, let r, _): return r
    case .nonFiniteResidual, .invalidInitialGuess: return nil
    }
  }

  static func iterations(of error: RootFindingError) -> Int? {
    switch error {
    case .noConvergence(let n, _), .singularJacobian(let n, _), .stalled(let n, _, _),
      .nonFiniteResidual(let n):
      return n
    case .invalidInitialGuess: return nil
    }
  }

  @Test(
    "x² + 1 = 0 has no real root: a typed failure with iterations and residual ≥ 1",
    arguments: [true, false])
  func noRoot(analyticJacobian: Bool) throws {
    let finder = RootFinder(maxIterations: 40)
    let error = #expect(throws: RootFindingError.self) {
      try finder.solve(
        initialGuess: [0.5], residual: { x, f in f[0] = x[0] * x[0] + 1 },
        jacobian: analyticJacobian ? { x, j in j[0, 0] = 2 * x[0] } : nil)
    }
    let failure = try #require(error)
    let residual = try #require(Self.residualNorm(of: failure), "\(failure)")
    let iterations = try #require(Self.iterations(of: failure))
    // min over x of |x² + 1| is 1: the reported residual must be a real one.
    #expect(residual >= 1 - 1e-12, "\(failure)")
    #expect(iterations >= 1 && iterations <= 80, "\(failure)")
  }

  @Test("an inconsistent system with a singular Jacobian fails with singularJacobian")
  func singularInconsistent() throws {
    // F = (x + y − 1, x + y + 1): J = [[1, 1], [1, 1]] everywhere and |F|∞ ≥ 1. Newton's LU solve
    // reports the singular matrix (GSL_EDOM); hybridsj then diverges to a non-finite residual, so
    // Newton's failure, the closer one, is reported.
    let error = #expect(throws: RootFindingError.self) {
      try RootFinder().solve(
        initialGuess: [0.3, 0.1],
        residual: { x, f in
          f[0] = x[0] + x[1] - 1
          f[1] = x[0] + x[1] + 1
        },
        jacobian: { _, j in j.storage = [1, 1, 1, 1] })
    }
    guard case .singularJacobian(let iterations, let residual) = error else {
      Issue.record("expected singularJacobian, got \(String(describing: error))")
      return
    }
    #expect(iterations >= 1)
    #expect(abs(residual - 1.4) < 1e-12, "|F(x₀)|∞ = 1.4")
  }

  @Test("the iteration cap gives noConvergence counting Newton's and hybridsj's iterations")
  func iterationCap() throws {
    let error = #expect(throws: RootFindingError.self) {
      try RootFinder(maxIterations: 1).solve(
        initialGuess: [1, 1], residual: Self.circleParabola,
        jacobian: Self.circleParabolaJacobian)
    }
    guard case .noConvergence(let iterations, let residual) = try #require(error) else {
      Issue.record("expected noConvergence, got \(String(describing: error))")
      return
    }
    #expect(iterations == 2)
    #expect(residual > 1e-12 && residual < 1)
  }

  @Test("a residual that is NaN everywhere gives nonFiniteResidual")
  func nanResidual() {
    #expect(throws: RootFindingError.nonFiniteResidual(iterations: 0)) {
      try RootFinder().solve(
        initialGuess: [1, 2],
        residual: { _, f in
          f[0] = .nan; f[1] = 0
        },
        jacobian: { _, j in j.storage = [1, 0, 0, 1] })
    }
    #expect(throws: RootFindingError.nonFiniteResidual(iterations: 0)) {
      try RootFinder().solve(initialGuess: [1], residual: { x, f in f[0] = 1 / (x[0] - 1) })
    }
  }

  @Test("a residual that turns non-finite after the first Newton step gives nonFiniteResidual")
  func residualTurnsNonFinite() {
    // F(x) = 1/x − 2 for x > 0 and NaN for x ≤ 0 (root 1/2). Newton from x = 2 jumps to
    // x = 2 − F/F′ = 2 − (−1.5)/(−0.25) = −4, and hybridsj's first step also leaves x > 0.
    let error = #expect(throws: RootFindingError.self) {
      try RootFinder().solve(
        initialGuess: [2],
        residual: { x, f in f[0] = x[0] > 0 ? 1 / x[0] - 2 : .nan },
        jacobian: { x, j in j[0, 0] = -1 / (x[0] * x[0]) })
    }
    guard case .nonFiniteResidual(let iterations) = error else {
      Issue.record("expected nonFiniteResidual, got \(String(describing: error))")
      return
    }
    #expect(iterations >= 1)
  }

  @Test("an empty or non-finite initial guess is rejected before any evaluation")
  func invalidGuess() {
    for guess: [Double] in [[], [1, .nan], [.infinity]] {
      let error = #expect(throws: RootFindingError.self) {
        try RootFinder().solve(initialGuess: guess, residual: { _, f in f[0] = 0 })
      }
      guard case .invalidInitialGuess = error else {
        Issue.record("expected invalidInitialGuess for \(guess), got \(String(describing: error))")
        continue
      }
    }
  }
}
