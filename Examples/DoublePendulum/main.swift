// DoublePendulum: an implicit variational integrator, solved by Newton's method with GSL.
//
// The double pendulum's mass matrix depends on the angle between its rods, so its Lagrangian is
// not separable and the explicit Störmer–Verlet method does not apply. The variational midpoint
// rule does: each step solves two nonlinear equations for the next configuration, with GSL's
// Newton solver and the analytic Jacobian. The program runs it for 1000 s next to the classical
// Runge–Kutta method RK4 with the same step, prints the Newton iterations per step and the energy
// error of both, and writes an SVG plot.
//
//     swift run -c release DoublePendulum [double-pendulum.svg]

import FileOutput
import Foundation
import Plotting
import VINKit

// The smoke tests set VINKIT_EXAMPLES_QUICK for a shorter run (they use a debug build).
let isQuickRun = ProcessInfo.processInfo.environment["VINKIT_EXAMPLES_QUICK"] != nil

do {
  // MARK: 1. The system

  // Two unit masses on massless rods of length 1 m, g = 9.81 m/s², angles from the downward
  // vertical. With δ = θ₁ − θ₂ the mass matrix is M(q) = [[2, cos δ], [cos δ, 1]]. Released at
  // rest from θ = (0.5, 1.0) rad (the `vin simulate double-pendulum` default), both normal modes
  // are excited and the motion does not repeat.
  let pendulum = try DoublePendulum()
  let initial = try pendulum.state(position: [0.5, 1.0], velocity: [0, 0])
  let energy0 = pendulum.energy(initial)

  // MARK: 2. The runs

  // h = 0.05 s, about ten steps per swing of the faster mode: coarse, as sampled data are (the
  // VIN paper trains on data at h = 0.1), and 1000 s = 20 000 steps (100 s in a quick run). The midpoint integrator is
  // stepped by hand to record the Newton iterations of every step (`lastStepIterations`).
  let stepSize = 0.05
  let duration = isQuickRun ? 100.0 : 1000.0
  let steps = Int((duration / stepSize).rounded())
  let times = (0...steps).map { Double($0) * stepSize }

  var midpoint = try VariationalMidpoint(system: pendulum, stepSize: stepSize)
  var state = initial
  var midpointStates = [initial]
  var iterations: [Int] = []
  midpointStates.reserveCapacity(steps + 1)
  iterations.reserveCapacity(steps)
  for k in 0..<steps {
    do throws(IntegrationError) {
      try midpoint.step(&state)
    } catch {
      throw error.at(step: k)
    }
    midpointStates.append(state)
    iterations.append(midpoint.lastStepIterations)
  }
  var rk4 = try ExplicitRungeKutta.classicalRK4(system: pendulum, stepSize: stepSize)
  let rk4States = try rk4.integrate(from: initial, steps: steps).states

  // MARK: 3. Newton iterations

  // Each step starts Newton from the previous step's velocity, q_k + h v_{k−1}, and iterates
  // until the correction is at round-off: the last iteration only confirms it, so 4 iterations
  // mean three corrections.
  let counts = Dictionary(grouping: iterations, by: { $0 }).mapValues(\.count)
  print(
    """
    Double pendulum m1 = m2 = 1 kg, l1 = l2 = 1 m, g = 9.81 m/s², θ0 = (0.5, 1.0) rad at rest, \
    E0 = \(TextTable.fixed(energy0, 6)) J
    h = \(stepSize) s, \(Int(duration)) s = \(steps) steps

    Variational midpoint, GSL Newton with the analytic Jacobian (tolerance: round-off)
    Newton iterations per step: mean \(TextTable.fixed(midpoint.meanNewtonIterations, 3)), \
    max \(iterations.max() ?? 0); \
    \(counts.keys.sorted().map { "\(counts[$0] ?? 0) steps took \($0)" }.joined(separator: ", "))

    """)

  // MARK: 4. Energy

  // RK4 is of order 4 and the midpoint rule of order 2, but RK4 is not symplectic: its energy
  // error grows linearly in time, while the midpoint rule's stays bounded (it is the exact
  // energy of a nearby "modified" system). `EnergyDrift` cuts the run into ten blocks of 100 s
  // and fits a line to the largest error of each block.
  let runs: [(name: String, traits: IntegratorTraits, errors: [Double])] = [
    (
      "midpoint", midpoint.traits,
      midpointStates.map { abs(pendulum.energy($0) - energy0) / abs(energy0) }
    ),
    ("RK4", rk4.traits, rk4States.map { abs(pendulum.energy($0) - energy0) / abs(energy0) }),
  ]
  print(
    TextTable.column("method", 10) + TextTable.column("order", 7)
      + TextTable.column("symplectic", 12)
      + TextTable.column("max |ΔE|/|E0|", 16) + TextTable.column("drift per 100 s", 17)
      + "last / first block")
  for run in runs {
    guard let drift = EnergyDrift(times: times, values: run.errors, blocks: 10) else { continue }
    print(
      TextTable.column(run.name, 10) + TextTable.column("\(run.traits.order)", 7)
        + TextTable.column(run.traits.isSymplectic ? "yes" : "no", 12)
        + TextTable.column(TextTable.scientific(drift.maxError), 16)
        + TextTable.column(TextTable.scientific(drift.slope * 100, signed: true), 17)
        + String(format: "%.3g", drift.lastToFirstRatio))
  }
  let midpointBound = runs[0].errors.max() ?? .nan
  if let crossing = runs[1].errors.firstIndex(where: { $0 > midpointBound }) {
    print(
      "\nRK4's energy error passes the midpoint rule's bound (\(TextTable.scientific(midpointBound))) "
        + "at t = \(TextTable.fixed(times[crossing], 1)) s and keeps growing.")
  }

  // MARK: 5. The plot

  // The angles and the Newton iterations of each step over the first 10 s, and the energy error
  // of both methods over the whole run (largest in each 5 s, logarithmic scale).
  let shown = times.indices.filter { times[$0] <= 10 }
  let angles = ["θ₁", "θ₂"].enumerated().map { i, name in
    Series(name: name, x: shown.map { times[$0] }, y: shown.map { midpointStates[$0].q[i] })
  }
  // Step k takes iterations[k] from t_k to t_{k+1}: a staircase.
  let stepsShown = shown.dropLast()
  let iterationSeries = Series(
    name: "", x: stepsShown.flatMap { [times[$0], times[$0 + 1]] },
    y: stepsShown.flatMap { [Double(iterations[$0]), Double(iterations[$0])] },
    color: Palette.color(2))
  let energySeries = runs.enumerated().map { k, run in
    let maxima = windowMaxima(times: times, values: run.errors, window: 5)
    return Series(name: run.name, x: maxima.times, y: maxima.values, color: Palette.color(k + 3))
  }
  let figure = Figure(
    title: "Double pendulum: implicit variational midpoint rule with GSL Newton",
    subtitle: """
      m1 = m2 = 1 kg, l1 = l2 = 1 m, g = 9.81 m/s², θ0 = (0.5, 1.0) rad at rest; \
      h = \(stepSize) s for both methods, \(steps) steps
      """,
    panels: [
      Panel(
        title: "Angles (midpoint), first 10 s", xLabel: "time t (s)", yLabel: "angle (rad)",
        series: angles),
      Panel(
        title: "Newton iterations per step, first 10 s", xLabel: "time t (s)",
        yLabel: "iterations", series: [iterationSeries]),
      Panel(
        title: "Relative energy error (largest in each 5 s)", xLabel: "time t (s)",
        yLabel: "|E − E0| / |E0|", yScale: .logarithmic, series: energySeries),
    ], panelHeight: 280)
  let path = CommandLine.arguments.dropFirst().first ?? "double-pendulum.svg"
  try AtomicFile.write(figure.svg(), to: path)
  print("\nwrote \(path)")
} catch {
  FileHandle.standardError.write(Data("DoublePendulum: \(error)\n".utf8))
  exit(1)
}
