import Manifolds
import Testing

/// Where the states of a law check are drawn from.
enum StateKind: String, CaseIterable, Sendable, CustomTestStringConvertible {
  /// `|ξ|` uniform in (0, ρ − 0.01) on a group with injectivity radius ρ (in (0, 5) on R^n).
  case random
  /// `|ξ|` log-uniform in [1e-6, 0.1]: the Taylor branches of exp, log and the Jacobians, and
  /// the switches between branches.
  case small
  /// `|ξ|` of order 1e-8.
  case nearIdentity
  /// `|ξ| = ρ − δ` with δ log-uniform in [1e-6, 1e-3] (rotation angles near π).
  case nearPi

  var testDescription: String { rawValue }
}

/// The laws of ``LieGroupLaws``, one test case each.
enum Law: String, CaseIterable, Sendable, CustomTestStringConvertible {
  case expOfLog
  case logOfExp
  case identityAndInverse
  case associativity
  case hatVee
  case adjoint
  case jacobianInverses
  case retraction
  case rightJacobianByFiniteDifferences
  case leftJacobianByFiniteDifferences
  case rightJacobianInverseByFiniteDifferences
  case leftJacobianInverseByFiniteDifferences
  case adjointByFiniteDifferences

  var testDescription: String { rawValue }
}

/// The Lie group laws, written once and checked for every group (after the shared test battery
/// of artivis/manif). Conventions are those of ``LieGroup``: `retract(ξ) = g exp(ξ)`,
/// `exp(ξ + δ) ≈ exp(ξ) exp(J_r(ξ) δ) ≈ exp(J_l(ξ) δ) exp(ξ)`, `g exp(ξ) g⁻¹ = exp(Ad(g) ξ)`.
struct LieGroupLaws<G: Embedded> {
  /// The identity of the group under test (it fixes n for R^n).
  let identity: G
  /// The radius of the ball of tangent vectors on which `log ∘ exp` is the identity.
  let injectivityRadius: Double
  /// States drawn for each law.
  var samples = 24

  /// Round-off level for the algebraic laws.
  let tight = 1e-12
  /// Bound on the relative error of a finite-difference Jacobian.
  let finiteDifferenceTolerance = 1e-6

  var dimension: Int { identity.log().dimension }

  /// The tangent vector with the given coordinates.
  func tangent(_ components: [Double]) -> G.Tangent {
    var v = identity.log().scaled(by: 0)
    for (i, c) in components.enumerated() { v = v.adding(c, at: i) }
    return v
  }

  /// `h eᵢ`.
  func basisVector(_ i: Int, scaledBy h: Double) -> G.Tangent {
    tangent((0..<dimension).map { $0 == i ? h : 0 })
  }

  /// The rows of the d×d identity.
  var identityRows: [[Double]] {
    (0..<dimension).map { i in (0..<dimension).map { $0 == i ? 1 : 0 } }
  }

  /// A tangent vector of the given kind.
  func sampleTangent(_ kind: StateKind, using rng: inout SplitMix64) -> G.Tangent {
    let direction = rng.unitVector(dimension: dimension)
    let magnitude: Double
    switch kind {
    case .random:
      magnitude = rng.uniform() * (injectivityRadius.isFinite ? injectivityRadius - 0.01 : 5)
    case .small:
      magnitude = Double.pow(10, rng.uniform(-6, -1))
    case .nearIdentity:
      magnitude = 1e-8 * rng.uniform(0.1, 1)
    case .nearPi:
      magnitude = injectivityRadius - Double.pow(10, rng.uniform(-6, -3))
    }
    return tangent(direction.map { magnitude * $0 })
  }

  /// A group element `exp(ξ)` with ξ of the given kind.
  func sampleElement(_ kind: StateKind, using rng: inout SplitMix64) -> G {
    G.exp(sampleTangent(kind, using: &rng))
  }

  /// The Jacobian of `f` at 0 by central differences: column i is `(f(h eᵢ) − f(−h eᵢ)) / 2h`.
  func centralDifferences(step h: Double, _ f: (G.Tangent) -> G.Tangent) -> [[Double]] {
    let columns = (0..<dimension).map { i in
      let plus = f(basisVector(i, scaledBy: h)).components
      let minus = f(basisVector(i, scaledBy: -h)).components
      return zip(plus, minus).map { ($0 - $1) / (2 * h) }
    }
    return (0..<dimension).map { r in columns.map { $0.count == dimension ? $0[r] : .nan } }
  }

  /// A finite-difference step that keeps `log` on its principal branch near `ξ`.
  func step(near xi: G.Tangent) -> Double {
    min(1e-5, (injectivityRadius - euclideanNorm(xi.components)) / 4)
  }

  /// Expects the relative Frobenius error of `approximation` against `exact` to be below the
  /// finite-difference tolerance.
  func expectJacobian(
    _ approximation: [[Double]], matches exact: some LinearMap, _ what: String,
    sourceLocation: SourceLocation = #_sourceLocation
  ) {
    let a = approximation.flatMap { $0 }
    let e = exact.denseRows.flatMap { $0 }
    let error =
      a.count == e.count
      ? euclideanNorm(zip(a, e).map { $0 - $1 }) / euclideanNorm(e) : .infinity
    #expect(
      error < finiteDifferenceTolerance,
      "\(what): relative error \(error)\n  finite differences \(approximation)\n  analytic \(exact.denseRows)",
      sourceLocation: sourceLocation)
  }

  /// Checks `law` on `samples` states of the given kind.
  func check(_ law: Law, on kind: StateKind) {
    let lawIndex = UInt64(Law.allCases.firstIndex(of: law) ?? 0)
    let kindIndex = UInt64(StateKind.allCases.firstIndex(of: kind) ?? 0)
    var rng = SplitMix64(seed: 0x5EED_0000 + 64 * lawIndex + kindIndex)
    for _ in 0..<samples {
      check(law, kind, &rng)
    }
  }

  private func check(_ law: Law, _ kind: StateKind, _ rng: inout SplitMix64) {
    switch law {
    case .expOfLog:
      let g = sampleElement(kind, using: &rng)
      expectClose(G.exp(g.log()).embedding, g.embedding, absolute: tight, "exp(log g) = g")

    case .logOfExp:
      let xi = sampleTangent(kind, using: &rng)
      expectClose(
        G.exp(xi).log().components, xi.components, absolute: 0, relative: tight,
        "log(exp ξ) = ξ")

    case .identityAndInverse:
      let g = sampleElement(kind, using: &rng)
      let e = identity.embedding
      expectClose((g * g.inverse()).embedding, e, absolute: tight, "g g⁻¹ = e")
      expectClose((g.inverse() * g).embedding, e, absolute: tight, "g⁻¹ g = e")
      expectClose((identity * g).embedding, g.embedding, absolute: 0, "e g = g")
      expectClose((g * identity).embedding, g.embedding, absolute: 0, "g e = g")
      expectClose(g.inverse().inverse().embedding, g.embedding, absolute: 0, "(g⁻¹)⁻¹ = g")
      expectClose(identity.log().components, tangent([]).components, absolute: 0, "log e = 0")

    case .associativity:
      let a = sampleElement(kind, using: &rng)
      let b = sampleElement(kind, using: &rng)
      let c = sampleElement(kind, using: &rng)
      expectClose(
        ((a * b) * c).embedding, (a * (b * c)).embedding, absolute: tight, "(ab)c = a(bc)")

    case .hatVee:
      let xi = sampleTangent(kind, using: &rng)
      expectClose(
        G.vee(G.hat(xi)).components, xi.components, absolute: 0, relative: 1e-15,
        "vee(hat ξ) = ξ")

    case .adjoint:
      let xi = sampleTangent(kind, using: &rng)
      let g = sampleElement(kind, using: &rng)
      let h = sampleElement(kind, using: &rng)
      let product = G.leftJacobian(xi).composed(with: G.rightJacobianInverse(xi))
      expectClose(
        G.exp(xi).adjoint.denseRows.flatMap { $0 }, product.denseRows.flatMap { $0 },
        absolute: tight, "Ad(exp ξ) = J_l(ξ) J_r(ξ)⁻¹")
      expectClose(
        (g * G.exp(xi) * g.inverse()).embedding, G.exp(g.adjoint.apply(xi)).embedding,
        absolute: tight, "g exp(ξ) g⁻¹ = exp(Ad(g) ξ)")
      expectClose(
        (g * h).adjoint.denseRows.flatMap { $0 },
        g.adjoint.composed(with: h.adjoint).denseRows.flatMap { $0 }, absolute: tight,
        "Ad(gh) = Ad(g) Ad(h)")

    case .jacobianInverses:
      let xi = sampleTangent(kind, using: &rng)
      let minusXi = xi.scaled(by: -1)
      let eye = identityRows.flatMap { $0 }
      let pairs: [(G.Jacobian, G.Jacobian, String)] = [
        (G.rightJacobian(xi), G.rightJacobianInverse(xi), "J_r"),
        (G.leftJacobian(xi), G.leftJacobianInverse(xi), "J_l"),
      ]
      for (j, inverse, name) in pairs {
        expectClose(
          j.composed(with: inverse).denseRows.flatMap { $0 }, eye, absolute: tight,
          "\(name) \(name)⁻¹ = I")
        expectClose(
          inverse.composed(with: j).denseRows.flatMap { $0 }, eye, absolute: tight,
          "\(name)⁻¹ \(name) = I")
      }
      expectClose(
        G.leftJacobian(xi).denseRows.flatMap { $0 },
        G.rightJacobian(minusXi).denseRows.flatMap { $0 }, absolute: tight, "J_l(ξ) = J_r(−ξ)")

    case .retraction:
      let p = sampleElement(.random, using: &rng)
      let q = sampleElement(.random, using: &rng)
      let v = sampleTangent(kind, using: &rng)
      expectClose(
        p.localCoordinate(p.retract(v)).components, v.components, absolute: 1e-14,
        relative: 1e-11, "p.localCoordinate(p.retract(v)) = v")
      expectClose(
        p.retract(p.localCoordinate(q)).embedding, q.embedding, absolute: tight,
        "p.retract(p.localCoordinate(q)) = q")
      expectClose(p.retract(v).embedding, (p * G.exp(v)).embedding, absolute: 0, "retract = p exp")

    case .rightJacobianByFiniteDifferences:
      // exp(ξ)⁻¹ exp(ξ + δ) = exp(J_r(ξ) δ + O(δ²))
      let xi = sampleTangent(kind, using: &rng)
      let inverse = G.exp(xi).inverse()
      let fd = centralDifferences(step: 1e-5) { (inverse * G.exp(xi + $0)).log() }
      expectJacobian(fd, matches: G.rightJacobian(xi), "J_r(ξ)")

    case .leftJacobianByFiniteDifferences:
      // exp(ξ + δ) exp(ξ)⁻¹ = exp(J_l(ξ) δ + O(δ²))
      let xi = sampleTangent(kind, using: &rng)
      let inverse = G.exp(xi).inverse()
      let fd = centralDifferences(step: 1e-5) { (G.exp(xi + $0) * inverse).log() }
      expectJacobian(fd, matches: G.leftJacobian(xi), "J_l(ξ)")

    case .rightJacobianInverseByFiniteDifferences:
      // log(exp(ξ) exp(δ)) = ξ + J_r(ξ)⁻¹ δ + O(δ²)
      let xi = sampleTangent(kind, using: &rng)
      let g = G.exp(xi)
      let fd = centralDifferences(step: step(near: xi)) { (g * G.exp($0)).log() }
      expectJacobian(fd, matches: G.rightJacobianInverse(xi), "J_r(ξ)⁻¹")

    case .leftJacobianInverseByFiniteDifferences:
      // log(exp(δ) exp(ξ)) = ξ + J_l(ξ)⁻¹ δ + O(δ²)
      let xi = sampleTangent(kind, using: &rng)
      let g = G.exp(xi)
      let fd = centralDifferences(step: step(near: xi)) { (G.exp($0) * g).log() }
      expectJacobian(fd, matches: G.leftJacobianInverse(xi), "J_l(ξ)⁻¹")

    case .adjointByFiniteDifferences:
      // g exp(δ) g⁻¹ = exp(Ad(g) δ)
      let g = sampleElement(kind, using: &rng)
      let inverse = g.inverse()
      let fd = centralDifferences(step: 1e-5) { (g * G.exp($0) * inverse).log() }
      expectJacobian(fd, matches: g.adjoint, "Ad(g)")
    }
  }
}
