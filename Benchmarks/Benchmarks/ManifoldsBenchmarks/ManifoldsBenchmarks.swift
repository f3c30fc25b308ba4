// Nanoseconds per SO(3) operation: exp, log and the group product.
//
// Each measured iteration runs 1000 operations (`scalingFactor: .kilo`; the table reports
// per operation, marked `*`) on 1024 precomputed inputs, so that no call can be hoisted out of
// the loop and no input is built inside the measurement. SO(3) works on stack values, so the
// expected malloc count is 0.

import Benchmark
import Manifolds

/// The inputs: rotation vectors with angles spread over (0, π) (every branch of exp and log is
/// taken, the Taylor branches rarely) and their rotations.
private struct Inputs {
  static let count = 1024
  var vectors: [Vector3] = []
  var rotations: [SO3] = []

  init() {
    var state: UInt64 = 0x9E37_79B9_7F4A_7C15
    func uniform() -> Double {
      state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
      return Double(state >> 11) * 0x1p-53
    }
    for _ in 0..<Self.count {
      let v = Vector3(uniform() - 0.5, uniform() - 0.5, uniform() - 0.5)
      let w = (Double.pi * uniform() / max(v.norm, 1e-3)) * v
      vectors.append(w)
      rotations.append(SO3.exp(w))
    }
  }
}

let benchmarks: @Sendable () -> Void = {
  Benchmark.defaultConfiguration = .init(
    metrics: [.wallClock, .mallocCountTotal],
    timeUnits: .nanoseconds,
    warmupIterations: 10,
    scalingFactor: .kilo,
    maxDuration: .seconds(2),
    maxIterations: 100_000
  )

  let inputs = Inputs()
  let mask = Inputs.count - 1

  Benchmark("SO3.exp") { benchmark in
    let vectors = inputs.vectors
    benchmark.startMeasurement()
    for i in benchmark.scaledIterations {
      blackHole(SO3.exp(vectors[i & mask]))
    }
  }

  Benchmark("SO3.log") { benchmark in
    let rotations = inputs.rotations
    benchmark.startMeasurement()
    for i in benchmark.scaledIterations {
      blackHole(rotations[i & mask].log())
    }
  }

  Benchmark("SO3 compose") { benchmark in
    let rotations = inputs.rotations
    benchmark.startMeasurement()
    for i in benchmark.scaledIterations {
      blackHole(rotations[i & mask] * rotations[(i &+ 1) & mask])
    }
  }
}
