import LagrangianLearning
import Testing

@Suite("Potential Hessians for the implicit midpoint step's Newton matrix")
struct PotentialHessianTests {
  /// The gradients and Hessians of `potential` at three points of R², in one batched call, and
  /// the largest relative deviation of the Hessians from central differences of the analytic
  /// gradient and of the gradients from ``LearnablePotential/gradients(at:)``.
  static func errors<Potential: LearnablePotential>(_ potential: Potential) -> (
    hessian: Double, gradient: Double
  ) {
    let points = [0.3, -0.4, 2.1, 0.7, -1.3, -2.6]
    let batch = 3
    var gradient = [Double](repeating: 0, count: 6)
    var hessian = [Double](repeating: 0, count: 12)
    points.withUnsafeBufferPointer { x in
      gradient.withUnsafeMutableBufferPointer { g in
        hessian.withUnsafeMutableBufferPointer { h in
          potential.gradientsAndHessians(
            at: x.baseAddress!, batch: batch, gradient: g.baseAddress!, hessian: h.baseAddress!,
            workspace: RolloutWorkspace())
        }
      }
    }
    var numeric = [Double](repeating: 0, count: 12)
    let epsilon = 1e-5
    for b in 0..<batch {
      for j in 0..<2 {
        var plus = Array(points[(2 * b)..<(2 * b + 2)])
        var minus = plus
        plus[j] += epsilon
        minus[j] -= epsilon
        let (gp, gm) = (potential.gradient(at: plus), potential.gradient(at: minus))
        for i in 0..<2 { numeric[4 * b + 2 * i + j] = (gp[i] - gm[i]) / (2 * epsilon) }
      }
    }
    return (
      relativeError(hessian, numeric), relativeError(gradient, potential.gradients(at: points))
    )
  }

  @Test(
    "exact Hessians of every kind of potential, fused and layered passes, vs central differences")
  func hessians() throws {
    var generator = SeededGenerator(seed: 4)
    let shallow = try MLPPotential(
      dimension: 2, width: 13, depth: 1, activation: .tanh, generator: &generator)
    let deep = try MLPPotential(
      dimension: 2, width: 7, depth: 2, activation: .softplus, generator: &generator)
    let angular = try AngularMLPPotential(
      dimension: 2, width: 11, depth: 1, activation: .tanh, generator: &generator)
    let angularDeep = try AngularMLPPotential(
      dimension: 2, width: 5, depth: 2, activation: .tanh, generator: &generator)
    let results = [
      ("MLP, one tanh layer (fused C passes)", Self.errors(shallow)),
      ("MLP, two softplus layers (Hessian-vector products)", Self.errors(deep)),
      ("angular MLP, one tanh layer", Self.errors(angular)),
      ("angular MLP, two tanh layers", Self.errors(angularDeep)),
      ("cosine (the protocol's default)", Self.errors(CosinePotential(dimension: 2, amplitude: 3))),
    ]
    for (name, (hessian, gradient)) in results {
      print("\(name): Hessian relative error \(hessian), gradient \(gradient)")
      #expect(hessian < 1e-8, "\(name)")
      #expect(gradient < 1e-14, "\(name)")
    }
  }
}
