// The integrator benchmark table in one run: ns per step of the VINKit integrators beside a plain
// C Verlet loop (-O2), and GSL rk8pd at the energy accuracy of Verlet, per unit of simulated time.
//
//     swift run -c release --package-path Benchmarks CompareIntegrators
//
// Prints Markdown tables (the ones recorded in Docs/Benchmarks.md).

import DiscreteMechanics
import Foundation
import IntegratorWorkloads

/// A row of the per-step table.
struct StepRow {
  var name: String
  var swift: Double
  var peer: Double?
  var note: String
}

/// A row of the matched-accuracy table.
struct AccuracyRow {
  var name: String
  var verletError: Double
  var referenceError: Double
  var tolerance: Double
  var peerError: Double
  /// Nanoseconds per unit of simulated time.
  var verlet: Double
  var rk8pd: Double
  var peer: Double
}

func format(_ x: Double, _ digits: Int = 1) -> String { String(format: "%.\(digits)f", x) }
func scientific(_ x: Double) -> String { String(format: "%.2e", x) }

/// Swift and C Verlet, timed in alternation; the final states must agree bit for bit.
func verletRow<Method: Integrator>(
  _ name: String, swift: inout SteppingLoop<Method>, peerState: () -> PhaseState,
  peer: (Int) -> Void, steps: Int, stopwatch: Stopwatch
) throws -> StepRow where Method.State == PhaseState {
  let times = try stopwatch.nanosecondsPerStep(
    steps: steps, { n in try swift.run(steps: n) }, { n in peer(n) })
  let identical = swift.state == peerState()
  return StepRow(
    name: name, swift: times.first, peer: times.second,
    note: identical ? "final states bit-identical" : "final states DIFFER")
}

/// An implicit method (no C peer) and its mean Newton iterations per step.
func implicitRow<Method: Integrator>(
  _ name: String, _ loop: inout SteppingLoop<Method>, steps: Int, stopwatch: Stopwatch,
  meanIterations: (Method) -> Double
) throws -> StepRow {
  let time = try stopwatch.nanosecondsPerStep(steps: steps) { n in try loop.run(steps: n) }
  return StepRow(
    name: name, swift: time, peer: nil,
    note: "mean Newton iterations per step \(format(meanIterations(loop.integrator), 2))")
}

/// Verlet against rk8pd at the same energy accuracy over `reference.span`, per unit of simulated
/// time, both restarted from the initial state for each trial.
func accuracyRow<System: ConstantMassSystem>(
  _ name: String, reference: EnergyMatchedReference<System>, peer: ReferencePeer,
  verletStepSize: Double, stopwatch: Stopwatch
) throws -> AccuracyRow {
  let initial = reference.initial
  var verlet = SteppingLoop(
    integrator: try StormerVerlet(system: reference.system, stepSize: verletStepSize),
    state: initial)
  var rk8pd = SteppingLoop(integrator: try reference.solver(), state: initial)
  let verletTime = try stopwatch.nanosecondsPerStep(
    steps: Int((reference.span / verletStepSize).rounded())
  ) { n in
    verlet.state = initial
    try verlet.run(steps: n)
  }
  let rk8pdTime = try stopwatch.nanosecondsPerStep(steps: reference.steps) { n in
    rk8pd.state = initial
    try rk8pd.run(steps: n)
  }
  var peerForError = peer
  let peerError = try EnergyError.maximum(
    of: &peerForError, system: reference.system, from: initial, steps: reference.steps)
  var peerLoop = SteppingLoop(integrator: peer, state: initial)
  let peerTime = try stopwatch.nanosecondsPerStep(steps: reference.steps) { n in
    peerLoop.state = initial
    try peerLoop.run(steps: n)
  }
  return AccuracyRow(
    name: name, verletError: reference.targetEnergyError, referenceError: reference.energyError,
    tolerance: reference.tolerance, peerError: peerError, verlet: verletTime / verletStepSize,
    rk8pd: rk8pdTime / EnergyMatchedReference<System>.sampleInterval,
    peer: peerTime / peer.stepSize)
}

func run() throws {
  let stopwatch = Stopwatch(trials: 41)

  var rows: [StepRow] = []
  var pendulum = try IntegratorWorkload.pendulumVerlet()
  var pendulumPeer = try PendulumVerletPeer()
  rows.append(
    try verletRow(
      "Verlet, pendulum (h = 0.01)", swift: &pendulum, peerState: { pendulumPeer.phaseState },
      peer: { pendulumPeer.run(steps: $0) }, steps: 200_000, stopwatch: stopwatch))
  var kepler = try IntegratorWorkload.keplerVerlet()
  var keplerPeer = try KeplerVerletPeer()
  rows.append(
    try verletRow(
      "Verlet, Kepler (h = 0.001)", swift: &kepler, peerState: { keplerPeer.phaseState },
      peer: { keplerPeer.run(steps: $0) }, steps: 200_000, stopwatch: stopwatch))
  var top = try IntegratorWorkload.heavyTopLGVI()
  rows.append(
    try implicitRow(
      "LGVI SO(3), heavy top (h = 0.01)", &top, steps: 20_000, stopwatch: stopwatch
    ) { $0.meanNewtonIterations })
  var doublePendulum = try IntegratorWorkload.doublePendulumMidpoint()
  rows.append(
    try implicitRow(
      "implicit midpoint, double pendulum (h = 0.01)", &doublePendulum, steps: 5_000,
      stopwatch: stopwatch
    ) { $0.meanNewtonIterations })

  print("## ns per step (release; minimum of \(stopwatch.trials) trials)\n")
  print("| integrator, system | Swift ns/step | C -O2 ns/step | Swift / C | note |")
  print("|---|---:|---:|---:|---|")
  for row in rows {
    let peer = row.peer.map { format($0) } ?? "—"
    let ratio = row.peer.map { format(row.swift / $0, 2) } ?? "—"
    print("| \(row.name) | \(format(row.swift)) | \(peer) | \(ratio) | \(row.note) |")
  }

  let pendulumReference = try IntegratorWorkload.pendulumEnergyMatchedReference()
  let keplerReference = try IntegratorWorkload.keplerEnergyMatchedReference()
  let accuracy = [
    try accuracyRow(
      "pendulum", reference: pendulumReference, peer: ReferencePeer(pendulumReference),
      verletStepSize: IntegratorWorkload.pendulumStepSize, stopwatch: stopwatch),
    try accuracyRow(
      "Kepler", reference: keplerReference, peer: ReferencePeer(keplerReference),
      verletStepSize: IntegratorWorkload.keplerStepSize, stopwatch: stopwatch),
  ]
  let span = Int(IntegratorWorkload.energySpan)
  print("\n## Same energy accuracy over \(span) time units: Verlet against GSL rk8pd\n")
  print(
    "| system | Verlet max abs ΔE | rk8pd tolerance | rk8pd max abs ΔE (Swift / C driver) "
      + "| Verlet µs per time unit | rk8pd µs per time unit (ReferenceSolver) "
      + "| rk8pd µs per time unit (C driver) | ReferenceSolver / Verlet | C rk8pd / Verlet |")
  print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
  for row in accuracy {
    print(
      "| \(row.name) | \(scientific(row.verletError)) | \(scientific(row.tolerance)) "
        + "| \(scientific(row.referenceError)) / \(scientific(row.peerError)) "
        + "| \(format(row.verlet / 1000, 2)) | \(format(row.rk8pd / 1000, 2)) "
        + "| \(format(row.peer / 1000, 2)) | \(format(row.rk8pd / row.verlet, 1)) "
        + "| \(format(row.peer / row.verlet, 1)) |")
  }
}

do {
  try run()
} catch {
  FileHandle.standardError.write(Data("CompareIntegrators: \(error)\n".utf8))
  exit(1)
}
