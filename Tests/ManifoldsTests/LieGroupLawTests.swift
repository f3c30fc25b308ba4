import Manifolds
import Testing

/// The generic law battery of ``LieGroupLaws`` for every group of the Manifolds layer: one test
/// case per law and kind of state.
@Suite("Lie group laws")
struct LieGroupLawTests {
  @Test("R^3", arguments: Law.allCases, [StateKind.random, .small, .nearIdentity])
  func euclidean(_ law: Law, _ kind: StateKind) throws {
    let laws = LieGroupLaws(identity: try Euclidean([0, 0, 0]), injectivityRadius: .infinity)
    #expect(laws.dimension == 3)
    laws.check(law, on: kind)
  }

  @Test("SO(2)", arguments: Law.allCases, StateKind.allCases)
  func so2(_ law: Law, _ kind: StateKind) {
    let laws = LieGroupLaws(identity: SO2(angle: 0), injectivityRadius: .pi)
    #expect(laws.dimension == 1)
    laws.check(law, on: kind)
  }

  @Test("SO(3)", arguments: Law.allCases, StateKind.allCases)
  func so3(_ law: Law, _ kind: StateKind) {
    let laws = LieGroupLaws(identity: SO3.identity, injectivityRadius: .pi)
    #expect(laws.dimension == 3)
    laws.check(law, on: kind)
  }
}
