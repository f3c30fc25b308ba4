// Nanoseconds per integrator step, beside the C Verlet loop (-O2, the hardware floor), and GSL
// rk8pd per unit of simulated time at the energy accuracy of Verlet.
//
// Rows marked `*` are per step: each measured iteration runs 1000 steps (`scalingFactor:
// .kilo`), continuing one trajectory. The steps allocate nothing, so mallocCountTotal must be 0
// for every row but rk8pd. The rk8pd rows (ReferenceSolver, and GSL driven from C) are per unit
// of simulated time (one measured iteration advances the solution by 1), at the
// tolerance that matches Verlet's maximum energy error over 100 time units (found once, before
// the first measurement); Verlet's time per unit is its ns per step divided by h. The
// side-by-side ratios are printed by the `CompareIntegrators` executable of this package.

import Benchmark
import DiscreteMechanics
import IntegratorWorkloads

/// A benchmark of the loop that `makeLoop` builds, once and outside the measurement: each
/// measured iteration continues the same trajectory by `scaledIterations.count` steps.
func stepBenchmark<Method: Integrator>(
  _ name: String, configuration: Benchmark.Configuration = Benchmark.defaultConfiguration,
  _ makeLoop: @escaping () throws(IntegrationError) -> SteppingLoop<Method>,
  after: @escaping (SteppingLoop<Method>, Benchmark) -> Void = { _, _ in }
) {
  var trajectory: SteppingLoop<Method>?
  Benchmark(name, configuration: configuration) { benchmark in
    // Taken out of the optional so that its arrays stay uniquely referenced (no copy on write).
    var loop = try trajectory.take() ?? makeLoop()
    benchmark.startMeasurement()
    try loop.run(steps: benchmark.scaledIterations.count)
    benchmark.stopMeasurement()
    blackHole(loop.state)
    after(loop, benchmark)
    trajectory = loop
  }
}

/// Newton iterations per 1000 LGVI steps (per measured iteration of 1000 steps).
let newtonIterations = BenchmarkMetric.custom(
  "Newton iterations per 1000 steps", polarity: .prefersSmaller, useScalingFactor: false)

/// ``stepBenchmark(_:configuration:_:after:)`` for an implicit method, also recording its mean
/// Newton iterations per step (as iterations per 1000 steps).
func implicitStepBenchmark<Method: Integrator>(
  _ name: String, _ makeLoop: @escaping () throws(IntegrationError) -> SteppingLoop<Method>,
  meanIterations: @escaping (Method) -> Double
) {
  stepBenchmark(
    name, configuration: perStep([.wallClock, .mallocCountTotal, newtonIterations]), makeLoop
  ) { loop, benchmark in
    let perThousand = 1000 * meanIterations(loop.integrator)
    benchmark.measurement(newtonIterations, Int(perThousand.rounded()))
  }
}

/// Per step (1000 steps per measured iteration), with the given metrics.
func perStep(_ metrics: [BenchmarkMetric]) -> Benchmark.Configuration {
  .init(
    metrics: metrics,
    timeUnits: .nanoseconds,
    warmupIterations: 10,
    scalingFactor: .kilo,
    maxDuration: .seconds(2),
    maxIterations: 100_000
  )
}

let benchmarks: @Sendable () -> Void = {
  Benchmark.defaultConfiguration = perStep([.wallClock, .mallocCountTotal])

  stepBenchmark("Verlet pendulum", IntegratorWorkload.pendulumVerlet)
  stepBenchmark("Verlet Kepler", IntegratorWorkload.keplerVerlet)

  Benchmark("C Verlet pendulum") { benchmark in
    var peer = try PendulumVerletPeer()
    benchmark.startMeasurement()
    peer.run(steps: benchmark.scaledIterations.count)
    benchmark.stopMeasurement()
    blackHole(peer.state)
  }
  Benchmark("C Verlet Kepler") { benchmark in
    var peer = try KeplerVerletPeer()
    benchmark.startMeasurement()
    peer.run(steps: benchmark.scaledIterations.count)
    benchmark.stopMeasurement()
    blackHole(peer.state)
  }

  implicitStepBenchmark("LGVI SO3 heavy top", IntegratorWorkload.heavyTopLGVI) {
    $0.meanNewtonIterations
  }
  implicitStepBenchmark("midpoint double pendulum", IntegratorWorkload.doublePendulumMidpoint) {
    $0.meanNewtonIterations
  }

  let perTimeUnit = Benchmark.Configuration(
    metrics: [.wallClock, .mallocCountTotal],
    timeUnits: .nanoseconds,
    warmupIterations: 3,
    scalingFactor: .one,
    maxDuration: .seconds(2),
    maxIterations: 10_000
  )
  stepBenchmark("rk8pd pendulum per time unit", configuration: perTimeUnit) {
    () throws(IntegrationError) in
    let reference = try IntegratorWorkload.pendulumEnergyMatchedReference()
    return SteppingLoop(integrator: try reference.solver(), state: reference.initial)
  }
  stepBenchmark("rk8pd Kepler per time unit", configuration: perTimeUnit) {
    () throws(IntegrationError) in
    let reference = try IntegratorWorkload.keplerEnergyMatchedReference()
    return SteppingLoop(integrator: try reference.solver(), state: reference.initial)
  }
  stepBenchmark("C rk8pd pendulum per time unit", configuration: perTimeUnit) {
    () throws(IntegrationError) in
    let reference = try IntegratorWorkload.pendulumEnergyMatchedReference()
    return SteppingLoop(integrator: ReferencePeer(reference), state: reference.initial)
  }
  stepBenchmark("C rk8pd Kepler per time unit", configuration: perTimeUnit) {
    () throws(IntegrationError) in
    let reference = try IntegratorWorkload.keplerEnergyMatchedReference()
    return SteppingLoop(integrator: ReferencePeer(reference), state: reference.initial)
  }
}
