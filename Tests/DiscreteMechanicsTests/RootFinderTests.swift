import CGSL
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

  @Test("a stalled solve says in words what GSL reported, and an implicit step what to do")
  func stalledMessages() {
    let stalled = RootFindingError.stalled(iterations: 80, residualNorm: 6.6e-12, gslStatus: 27)
    #expect("\(stalled)".contains("GSL_ENOPROG: the iterations are not improving the solution"))
    #expect("\(stalled)".contains("6.6e-12"))
    let jacobian = RootFindingError.stalled(iterations: 3, residualNorm: 1, gslStatus: 28)
    #expect("\(jacobian)".contains("GSL_ENOPROGJ"))
    #expect(
      "\(RootFindingError.stalled(iterations: 3, residualNorm: 1, gslStatus: 5))".contains(
        "GSL status 5"))
    let step = IntegrationError.rootFindingFailed(step: 0, stalled)
    #expect("\(step)".hasSuffix("try a smaller step size"))
  }

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
    // F = (x + y − 1, x + y + 1): J = [[1, 1], [1, 1]] everywhere and |F|∞ ≥ 1. Newton's LU
    // factorisation meets a zero pivot (GSL_ESING); hybridsj then diverges to a non-finite
    // residual, so Newton's failure, the closer one, is reported.
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

  /// `F(x, y, z) = (y − z², x² + y² + z² − 3, x − yz)`, root (1, 1, 1); `∂F₁/∂x = 0`, so every
  /// factorisation interchanges rows.
  final class Pivoting: RootFindingEquations {
    func residual(at x: [Double], into f: inout [Double]) {
      f[0] = x[1] - x[2] * x[2]
      f[1] = x[0] * x[0] + x[1] * x[1] + x[2] * x[2] - 3
      f[2] = x[0] - x[1] * x[2]
    }
    func jacobian(at x: [Double], into j: inout Matrix) {
      j.storage = [0, 1, -2 * x[2], 2 * x[0], 2 * x[1], 2 * x[2], 1, -x[2], -x[1]]
    }
  }

  /// F = (x + y − 1, x + y + 1): J = [[1, 1], [1, 1]] is singular everywhere.
  final class Inconsistent: RootFindingEquations {
    func residual(at x: [Double], into f: inout [Double]) {
      f[0] = x[0] + x[1] - 1
      f[1] = x[0] + x[1] + 1
    }
    func jacobian(at x: [Double], into j: inout Matrix) { j.storage = [1, 1, 1, 1] }
  }

  /// The solve's root and statistics, or its error.
  static func outcome(
    _ finder: RootFinder, _ equations: some RootFindingEquations, from guess: [Double]
  ) throws -> String {
    let workspace = try RootFindingWorkspace(dimension: guess.count)
    var x = guess
    do {
      let statistics = try finder.solve(&x, in: workspace, equations: equations)
      return "root \(x.map(\.bitPattern)), \(statistics)"
    } catch {
      return "x \(x.map(\.bitPattern)), \(error)"
    }
  }

  @Test(
    "Newton in Swift and GSL's vinkit-newton: bit-identical roots and the same iterations and failures"
  )
  func swiftNewtonIsGSLNewton() throws {
    let cases: [(any RootFindingEquations, [Double], Int)] = [
      (CircleParabola(), [1, 1], 50), (CircleParabola(), [2, 0.5], 50),
      (CircleParabola(), [1, 1], 2), (Pivoting(), [1.3, 0.8, 1.2], 50),
      (Pivoting(), [-0.7, 2.1, 0.4], 50), (Inconsistent(), [0.3, 0.1], 50),
    ]
    for (equations, guess, cap) in cases {
      let swift = try Self.outcome(RootFinder(maxIterations: cap), equations, from: guess)
      let gsl = try Self.outcome(
        RootFinder(maxIterations: cap, swiftNewton: false), equations, from: guess)
      #expect(swift == gsl, "guess \(guess), cap \(cap)")
    }
    // The pivoting system converges quadratically to its known root.
    let workspace = try RootFindingWorkspace(dimension: 3)
    var x: [Double] = [1.3, 0.8, 1.2]
    try RootFinder().solve(&x, in: workspace, equations: Pivoting())
    #expect(maxDifference(x, [1, 1, 1]) < 1e-15, "\(x)")
  }

  @Test("a Jacobian singular at the guess: Newton stops at once, hybridsj finds a root")
  func singularAtGuess() throws {
    // F = (xy − 1, x − y), roots ±(1, 1). J = [[y, x], [1, −1]] is singular on x = −y: from
    // (0.5, −0.5) Newton's factorisation meets an exact zero pivot (0.5 − 0.5) at its first
    // iteration, while Jᵀ F ≠ 0, so hybridsj's trust-region steps still descend.
    let result = try RootFinder().solve(
      initialGuess: [0.5, -0.5],
      residual: { x, f in
        f[0] = x[0] * x[1] - 1
        f[1] = x[0] - x[1]
      },
      jacobian: { x, j in j.storage = [x[1], x[0], 1, -1] })
    let root = result.root
    #expect(abs(abs(root[0]) - 1) < 1e-14 && root[1] == root[0], "\(result)")
    #expect(result.iterations >= 2, "Newton's failed iteration is counted: \(result)")
    // The same fallback after GSL's Newton.
    let gsl = try RootFinder(swiftNewton: false).solve(
      initialGuess: [0.5, -0.5],
      residual: { x, f in
        f[0] = x[0] * x[1] - 1
        f[1] = x[0] - x[1]
      },
      jacobian: { x, j in j.storage = [x[1], x[0], 1, -1] })
    #expect(gsl.root == root && gsl.iterations == result.iterations)
  }
}

/// The GSL solver type "vinkit-newton" (`cgsl_multiroot_vinkit_newton`), driven directly through
/// GSL's multiroot framework: GSL's `newton` without its per-iteration allocation.
@Suite("vinkit-newton")
struct VinkitNewtonTests {
  /// One solver run: the status of each `iterate` and, after `set` and after each iterate, the
  /// solver's x, F(x) and dx, concatenated.
  struct Trace: Equatable {
    var statuses: [Int32] = []
    var states: [[Double]] = []
  }

  /// `iterations` iterations of a solver of `type` on `function` from `start`, with its name.
  static func run(
    _ type: UnsafePointer<gsl_multiroot_fdfsolver_type>, _ function: gsl_multiroot_function_fdf,
    from start: [Double], iterations: Int
  ) throws -> (name: String, trace: Trace) {
    _ = gsl_set_error_handler_off()
    let n = start.count
    let solver = try #require(gsl_multiroot_fdfsolver_alloc(type, n))
    defer { gsl_multiroot_fdfsolver_free(solver) }
    let guess = try #require(gsl_vector_alloc(n))
    defer { gsl_vector_free(guess) }
    for i in 0..<n { gsl_vector_set(guess, i, start[i]) }
    var function = function
    var trace = Trace()
    try withUnsafeMutablePointer(to: &function) { function in
      try #require(gsl_multiroot_fdfsolver_set(solver, function, guess) == gslSuccess)
      func record() {
        let s = solver.pointee
        trace.states.append(
          (0..<n).map { gsl_vector_get(s.x, $0) } + (0..<n).map { gsl_vector_get(s.f, $0) }
            + (0..<n).map { gsl_vector_get(s.dx, $0) })
      }
      record()
      for _ in 0..<iterations {
        trace.statuses.append(gsl_multiroot_fdfsolver_iterate(solver))
        record()
      }
    }
    return (String(cString: gsl_multiroot_fdfsolver_name(solver)), trace)
  }

  /// `F(x, y, z) = (y − z², x² + y² + z² − 3, x − yz)` with root (1, 1, 1). `∂F₁/∂x = 0`
  /// everywhere, so every factorisation interchanges rows.
  static var pivoting: gsl_multiroot_function_fdf {
    gsl_multiroot_function_fdf(
      f: { x, _, f in
        guard let x, let f else { return gslFault }
        pivotingResidual(x, f)
        return gslSuccess
      },
      df: { x, _, j in
        guard let x, let j else { return gslFault }
        pivotingJacobian(x, j)
        return gslSuccess
      },
      fdf: { x, _, f, j in
        guard let x, let f, let j else { return gslFault }
        pivotingResidual(x, f)
        pivotingJacobian(x, j)
        return gslSuccess
      },
      n: 3, params: nil)
  }

  @Test("GSL newton's iterates bit for bit, quadratically to the known root")
  func matchesGSLNewton() throws {
    let start: [Double] = [1.3, 0.8, 1.2]
    let ours = try Self.run(
      cgsl_multiroot_vinkit_newton(), Self.pivoting, from: start, iterations: 6)
    let gsl = try Self.run(cgsl_multiroot_newton(), Self.pivoting, from: start, iterations: 6)
    #expect(ours.name == "vinkit-newton")
    #expect(ours.trace.statuses == Array(repeating: gslSuccess, count: 6))
    #expect(ours.trace == gsl.trace)
    let errors = ours.trace.states.map { maxDifference(Array($0[0..<3]), [1, 1, 1]) }
    #expect(errors[6] < 1e-15, "\(errors)")
    // Quadratic convergence: e_{k+1} ≤ C e_k² with C about 1, once e_k is small.
    #expect(errors[3] < 1e-3 && errors[4] < 4 * errors[3] * errors[3], "\(errors)")
  }

  @Test("an exactly singular Jacobian: GSL_ESING, and x and F are left as they were")
  func singular() throws {
    // F = (x + y − 1, x + y + 1): J = [[1, 1], [1, 1]], whose second pivot is 0.
    let inconsistent = gsl_multiroot_function_fdf(
      f: { x, _, f in
        guard let x, let f else { return gslFault }
        let sum = gsl_vector_get(x, 0) + gsl_vector_get(x, 1)
        gsl_vector_set(f, 0, sum - 1)
        gsl_vector_set(f, 1, sum + 1)
        return gslSuccess
      },
      df: { _, _, j in
        guard let j else { return gslFault }
        gsl_matrix_set_all(j, 1)
        return gslSuccess
      },
      fdf: { x, _, f, j in
        guard let x, let f, let j else { return gslFault }
        let sum = gsl_vector_get(x, 0) + gsl_vector_get(x, 1)
        gsl_vector_set(f, 0, sum - 1)
        gsl_vector_set(f, 1, sum + 1)
        gsl_matrix_set_all(j, 1)
        return gslSuccess
      },
      n: 2, params: nil)
    let run = try Self.run(
      cgsl_multiroot_vinkit_newton(), inconsistent, from: [0.3, 0.1], iterations: 1)
    #expect(run.trace.statuses == [Int32(GSL_ESING)])
    #expect(run.trace.states[1][0..<4] == run.trace.states[0][0..<4])
    #expect(run.trace.states[0][0..<4] == [0.3, 0.1, (0.3 + 0.1) - 1, (0.3 + 0.1) + 1])
  }
}

private let gslSuccess = Int32(GSL_SUCCESS)
private let gslFault = Int32(GSL_EFAULT)

private func pivotingResidual(_ x: UnsafePointer<gsl_vector>, _ f: UnsafeMutablePointer<gsl_vector>)
{
  let (a, b, c) = (gsl_vector_get(x, 0), gsl_vector_get(x, 1), gsl_vector_get(x, 2))
  gsl_vector_set(f, 0, b - c * c)
  gsl_vector_set(f, 1, a * a + b * b + c * c - 3)
  gsl_vector_set(f, 2, a - b * c)
}

private func pivotingJacobian(_ x: UnsafePointer<gsl_vector>, _ j: UnsafeMutablePointer<gsl_matrix>)
{
  let (a, b, c) = (gsl_vector_get(x, 0), gsl_vector_get(x, 1), gsl_vector_get(x, 2))
  let entries: [(Int, Int, Double)] = [
    (0, 0, 0), (0, 1, 1), (0, 2, -2 * c),
    (1, 0, 2 * a), (1, 1, 2 * b), (1, 2, 2 * c),
    (2, 0, 1), (2, 1, -c), (2, 2, -b),
  ]
  for (r, k, value) in entries { gsl_matrix_set(j, r, k, value) }
}
