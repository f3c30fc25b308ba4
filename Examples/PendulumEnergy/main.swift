// PendulumEnergy: what a symplectic integrator buys over long times.
//
// A pendulum released from θ0 = 1 rad is integrated for 1000 periods with the same step size by
// three methods: explicit Euler (order 1), the classical Runge–Kutta method RK4 (order 4) and
// Störmer–Verlet (order 2, symplectic). The program prints, per method, the largest relative
// energy error and how fast it grows, and writes an SVG plot of the energy error per period.
//
//     swift run -c release PendulumEnergy [pendulum-energy.svg]

import FileOutput
import Foundation
import Plotting
import VINKit

do {
  // MARK: 1. The system

  // The planar pendulum L = ½ m l² θ̇² + m g l cos θ with m = l = 1 and g = 9.81, released at rest
  // from θ0 = 1 rad (57°): far enough from the bottom that the motion is clearly nonlinear.
  let pendulum = try Pendulum()
  let initial = try pendulum.state(position: [1.0], velocity: [0])
  let initialEnergy = pendulum.energy(initial)

  // Its exact period is T = 4 K(k) / √(g/l) with k = sin(θ0/2) and the complete elliptic integral
  // of the first kind K(k) = π / (2 AGM(1, √(1 − k²))) (Abramowitz and Stegun 17.6).
  func completeEllipticIntegral(modulus k: Double) -> Double {
    var (a, b) = (1.0, (1 - k * k).squareRoot())
    for _ in 0..<8 { (a, b) = ((a + b) / 2, (a * b).squareRoot()) }  // converges quadratically
    return Double.pi / (2 * a)
  }
  let period = 4 * completeEllipticIntegral(modulus: sin(0.5)) / pendulum.gravity.squareRoot()

  // MARK: 2. The experiment

  // h = 0.1 is about 21 steps per period: the sampling interval of the pendulum data in the VIN
  // paper (Saemundsson et al. 2020), coarse but not unreasonable. 1000 periods is then about
  // 21 000 steps.
  let stepSize = 0.1
  let periods = 1000
  let steps = Int((Double(periods) * period / stepSize).rounded())

  /// The relative energy error |E(t) − E(0)| / |E(0)| after every step.
  func relativeEnergyErrors<Method: Integrator>(_ method: inout Method) throws -> [Double]
  where Method.State == PhaseState {
    let trajectory = try method.integrate(from: initial, steps: steps)
    return trajectory.states.map { abs(pendulum.energy($0) - initialEnergy) / abs(initialEnergy) }
  }

  var euler = try ExplicitRungeKutta.explicitEuler(system: pendulum, stepSize: stepSize)
  var rk4 = try ExplicitRungeKutta.classicalRK4(system: pendulum, stepSize: stepSize)
  var verlet = try StormerVerlet(system: pendulum, stepSize: stepSize)
  let runs: [(method: String, traits: IntegratorTraits, errors: [Double])] = [
    ("Explicit Euler", euler.traits, try relativeEnergyErrors(&euler)),
    ("Runge–Kutta 4", rk4.traits, try relativeEnergyErrors(&rk4)),
    ("Störmer–Verlet", verlet.traits, try relativeEnergyErrors(&verlet)),
  ]
  let times = (0...steps).map { Double($0) * stepSize }

  // MARK: 3. The table

  // `EnergyDrift` cuts the run into ten blocks of 100 periods and fits a line to the largest error
  // of each block: a level line is a bounded, oscillating error; a rising one is drift.
  print(
    """
    Pendulum θ0 = 1 rad, period T = \(String(format: "%.6f", period)) s, \
    h = \(stepSize) s (\(String(format: "%.1f", period / stepSize)) steps per period), \
    \(periods) periods = \(steps) steps

    """)
  func column(_ text: String, _ width: Int) -> String {
    text.count >= width ? text : text + String(repeating: " ", count: width - text.count)
  }
  print(
    column("method", 16) + column("order", 7) + column("symplectic", 12)
      + column("max |ΔE|/|E0|", 16) + column("drift per 100 T", 17) + "last / first block")
  for run in runs {
    guard let drift = EnergyDrift(times: times, values: run.errors, blocks: 10) else { continue }
    print(
      column(run.method, 16) + column("\(run.traits.order)", 7)
        + column(run.traits.isSymplectic ? "yes" : "no", 12)
        + column(String(format: "%.3e", drift.maxError), 16)
        + column(String(format: "%+.3e", drift.slope * 100 * period), 17)
        + String(format: "%.3g", drift.lastToFirstRatio))
  }

  // MARK: 4. Per period

  // The error oscillates within each period (Verlet's vanishes twice per swing), so we look at the
  // largest error of every period. RK4 starts far ahead of Verlet (order 4 against 2) but its
  // error grows linearly; Verlet's stays bounded (it exactly conserves a modified energy
  // h-close to E, Hairer, Lubich, Wanner 2006, §IX.8). There is a period after which RK4 is worse.
  let stepsPerPeriod = period / stepSize
  let perPeriodMaxima = runs.map { run in
    (0..<periods).map { p in
      let range =
        Int(
          (Double(p) * stepsPerPeriod).rounded())...Int(
          (Double(p + 1) * stepsPerPeriod).rounded())
      return run.errors[range.clamped(to: 0...steps)].max() ?? .nan
    }
  }
  let verletBound = runs[2].errors.max() ?? .nan
  if let crossing = perPeriodMaxima[1].firstIndex(where: { $0 > verletBound }) {
    print(
      "\nRK4's energy error passes Verlet's bound (\(String(format: "%.2e", verletBound))) "
        + "in period \(crossing + 1) and keeps growing.")
  }

  // MARK: 5. The plot

  // The per-period maxima on a logarithmic scale, so that all three methods fit.
  let series = zip(runs, perPeriodMaxima).map { run, maxima in
    Series(name: run.method, x: (1...periods).map(Double.init), y: maxima)
  }
  let figure = Figure(
    title: "Pendulum energy over 1000 periods",
    subtitle:
      "θ0 = 1 rad, g = 9.81, h = \(stepSize), \(steps) steps: the same step for the three methods",
    panels: [
      Panel(
        title: "Largest relative energy error in each period", xLabel: "period",
        yLabel: "max |E − E(0)| / |E(0)|", yScale: .logarithmic, series: series)
    ], panelHeight: 420)
  let path = CommandLine.arguments.dropFirst().first ?? "pendulum-energy.svg"
  try AtomicFile.write(figure.svg(), to: path)
  print("\nwrote \(path)")
} catch {
  FileHandle.standardError.write(Data("PendulumEnergy: \(error)\n".utf8))
  exit(1)
}
