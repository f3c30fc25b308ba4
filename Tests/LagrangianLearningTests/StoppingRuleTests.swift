import DiscreteMechanics
import Foundation
import Testing

@testable import LagrangianLearning

/// The parts of the recipe that decide how long training runs: the data's noise level
/// estimated before training, the restarts schedule, and the stopping rule checked at the end
/// of each of its cycles.
@Suite("Stopping rule: noise level of the data, cosine restarts, convergence")
struct StoppingRuleTests {
  /// Samples of `(sin ωt, cos 3ωt)` every `h` plus independent N(0, σ²) noise.
  static func noisySignal(samples: Int, h: Double, noise: Double, seed: UInt64) -> [[Double]] {
    var generator = SeededGenerator(seed: seed)
    return (0..<samples).map { k in
      let t = Double(k) * h
      return [sin(1.3 * t), cos(3.9 * t)].map { $0 + noise * generator.nextStandardNormal() }
    }
  }

  @Test("the difference-based estimate recovers σ of noisy smooth signals within 5 %")
  func noiseLevelOfSmoothSignals() throws {
    for (noise, seed) in [(0.1, UInt64(1)), (0.01, 2), (0.33, 3)] {
      let series = (0..<4).map {
        Self.noisySignal(samples: 500, h: 0.05, noise: noise, seed: seed * 10 + UInt64($0))
      }
      let estimate = try #require(ObservationNoise.estimate(series))
      #expect(abs(estimate / noise - 1) < 0.05, "σ = \(noise): estimated \(estimate)")
    }
  }

  @Test("noiseless smooth data have a noise level of the sampling's differences, far below 1e-3")
  func noiselessData() throws {
    let series = [Self.noisySignal(samples: 400, h: 0.05, noise: 0, seed: 1)]
    let estimate = try #require(ObservationNoise.estimate(series))
    // The 6th difference of sin(3.9 t) at h = 0.05 is (3.9 · 0.05)⁶ ≈ 5.5e-5, over √924.
    #expect(estimate < 2e-6)
  }

  @Test(
    "fewer than 3 samples give no estimate; a constant offset or a linear trend changes nothing")
  func estimateEdgeCases() throws {
    #expect(ObservationNoise.estimate([[[1.0], [2.0]]]) == nil)
    #expect(ObservationNoise.estimate([]) == nil)
    let series = Self.noisySignal(samples: 300, h: 0.05, noise: 0.1, seed: 7)
    let shifted = series.enumerated().map { k, row in row.map { $0 + 5 + 0.3 * Double(k) } }
    let a = try #require(ObservationNoise.estimate([series]))
    let b = try #require(ObservationNoise.estimate([shifted]))
    #expect(abs(a - b) < 1e-12 * a)
  }

  @Test("cosine restarts: cycles of T₀, 2T₀, 4T₀, the last cut short; each decays from 1")
  func restartCycles() {
    let schedule = LearningRateSchedule.cosineRestarts
    let total = 2000
    let ends = (1...total).filter {
      schedule.endsCycle(iteration: $0, of: total, firstCycle: 100)
    }
    #expect(ends == [100, 300, 700, 1500, 2000])
    #expect(schedule.cycle(containing: 301, of: total, firstCycle: 100) == (301, 400))
    #expect(schedule.cycle(containing: 1999, of: total, firstCycle: 100) == (1501, 500))
    for start in [1, 101, 301, 701, 1501] {
      #expect(schedule.factor(iteration: start, of: total, firstCycle: 100) == 1)
    }
    for end in ends { #expect(schedule.factor(iteration: end, of: total, firstCycle: 100) < 1e-3) }
    // A single-cycle schedule is the cosine over the whole run.
    #expect(
      LearningRateSchedule.cosine.cycle(containing: 1234, of: total, firstCycle: 100) == (1, 2000))
    #expect(
      (1...total).filter {
        LearningRateSchedule.cosine.endsCycle(iteration: $0, of: total, firstCycle: 100)
      }
        == [total])
  }

  /// Gains g_c = N (r_(c−1)² − r_c²)/σ̂² with N = 100 and σ̂ = 0.1: 100 (r² − r'²) noise
  /// variances per 0.01 of r² … i.e. g = 10⁴ Δ(r²).
  @Test(
    "the rule: converged below one noise variance; past the noise level, an accelerating gain fitted noise"
  )
  func criteria() {
    let rule = StoppingRule(significance: 1, noiseLevelFactor: 1.05)
    func decide(_ r: [Double], floor: Double = 0.095) -> ConvergenceCriterion? {
      rule.criterion(residuals: r, observations: 100, noise: 0.1, floor: floor)
    }
    #expect(decide([0.2]) == nil)
    // Gains 3.0 then 0.00351…: converged.
    let converged = decide([0.2, 0.19, 0.18999])
    guard case .converged(let g) = converged else {
      Issue.record("expected convergence, got \(String(describing: converged))")
      return
    }
    #expect(abs(g - 1e4 * (0.19 * 0.19 - 0.18999 * 0.18999)) < 1e-9)
    #expect(converged?.keepsPreviousCycle == false)
    // Above the noise level a growing gain is learning: go on.
    #expect(decide([0.3, 0.25, 0.2]) == nil)
    // At the noise level (0.099 ≤ 1.05 · 0.095) the gain grows from 2.96 to 4.07: noise.
    let noise = decide([0.1, 0.1001, 0.1000, 0.099])
    #expect(noise?.keepsPreviousCycle == true)
    // … and shrinks from 4.07 to 0.1: converged, not noise.
    #expect(decide([0.1, 0.100, 0.099, 0.09899])?.keepsPreviousCycle == false)
    // No noise estimate: never stops.
    #expect(
      rule.criterion(residuals: [1, 0.5, 0.5], observations: 100, noise: nil, floor: nil) == nil)
    #expect(
      StoppingRule.never.criterion(
        residuals: [1, 0.5, 0.5], observations: 100, noise: 0.1, floor: 0.1) == nil)
  }

  /// The true oscillator on noisy data, its parameters held (a vanishing step size) while the
  /// per-window starts are fitted: the rollout residual settles at the true model's,
  /// ε √(1 − d/m) for the RMS ε of the noise drawn, and the next cycle gains nothing, so the
  /// run stops there as converged.
  @Test("the true model's residual is ε √(1 − d/m); the run then stops as converged")
  func trueModelResidual() throws {
    let noise = 0.05
    let starts = [([1.0], [0.0]), ([0.0], [1.5]), ([-0.7], [0.4])]
    var generator = SeededGenerator(seed: 5)
    let data = try starts.map { q0, v0 in
      try verletData(
        HarmonicOscillator(dimension: 1), q0: q0, v0: v0, stepSize: 0.1, steps: 80,
        noise: noise, generator: &generator)
    }
    // The noise drawn: its RMS over every entry.
    var squares = 0.0
    var count = 0
    for (trajectory, (q0, v0)) in zip(data, starts) {
      let clean = try verletData(
        HarmonicOscillator(dimension: 1), q0: q0, v0: v0, stepSize: 0.1, steps: 80, noise: 0,
        generator: &generator)
      for k in 0..<trajectory.count {
        let e = zip(
          trajectory.observation(k, withVelocities: true),
          clean.observation(k, withVelocities: true))
        for (a, b) in e {
          squares += (a - b) * (a - b)
          count += 1
        }
      }
    }
    let drawn = (squares / Double(count)).squareRoot()
    let model = try VINVelocityVerlet(
      potential: QuadraticPotential(dimension: 1, stiffness: 1),
      mass: ConstantMassMatrix(dimension: 1), stepSize: 0.1)
    var config = TrainingConfiguration()
    config.firstCycleLength = 100
    config.iterations = 3100
    config.learningRate = 1e-12
    config.initialStateLearningRate = 1e-2
    config.loss = .meanSquaredError
    let result = try Trainer(configuration: config).train(model, on: data)
    let summary = result.summary
    let estimated = try #require(summary.dataNoiseLevel)
    #expect(abs(estimated / drawn - 1) < 0.1)
    let floor = try #require(summary.residualFloor)
    // H = 10, (q, q̇): m = 22 numbers per window, d = 2 start parameters.
    #expect(abs(floor - estimated * (1 - 2.0 / 22).squareRoot()) < 1e-15)
    guard case .converged(let iteration, .converged) = summary.stopReason,
      let residual = summary.cycleResiduals?.last
    else {
      Issue.record("expected a converged stop, got \(summary.stopReason)")
      return
    }
    #expect([300, 700].contains(iteration))
    let expected = drawn * (1 - 2.0 / 22).squareRoot()
    #expect(abs(residual / expected - 1) < 0.03, "residual \(residual), ε√(1 − d/m) = \(expected)")
  }

  /// Past the noise level nothing stops a run that is told never to stop; the same data and
  /// model with the rule stop earlier.
  @Test("without a stopping rule the restarts run their whole budget")
  func neverStops() throws {
    var generator = SeededGenerator(seed: 6)
    let data = try [
      verletData(
        HarmonicOscillator(dimension: 1), q0: [1], v0: [0], stepSize: 0.1, steps: 60,
        noise: 0.05, generator: &generator)
    ]
    let model = try VINVelocityVerlet(
      potential: QuadraticPotential(dimension: 1, stiffness: 1),
      mass: ConstantMassMatrix(dimension: 1), stepSize: 0.1)
    var config = TrainingConfiguration()
    config.firstCycleLength = 20
    config.iterations = 300
    config.stoppingRule = .never
    let result = try Trainer(configuration: config).train(model, on: data)
    #expect(result.summary.stopReason == .completed)
    #expect(result.summary.iterations == 300)
    #expect(result.summary.cycleResiduals?.count == 5)  // r₀, then at 20, 60, 140, 300
    config.stoppingRule = StoppingRule()
    let stopped = try Trainer(configuration: config).train(model, on: data)
    #expect(stopped.summary.iterations < 300)
  }
}
