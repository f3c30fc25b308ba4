import ArgumentParser
import Plotting
import VINKit

/// `vin simulate SYSTEM`: integrates a built-in system and writes its trajectory as CSV
/// (DESIGN §4), optionally with Gaussian noise for training data and an SVG plot.
struct SimulateCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "simulate",
    abstract: "Integrate a built-in system and write its trajectory as CSV.",
    discussion: """
      Columns: t,q1..qn,v1..vn,energy (R^n and SO(2), v = M(q)⁻¹p), or \
      t,R11..R33,w1,w2,w3,energy (SO(3), w = body angular velocity Ω); energy is the true \
      system's E (a forecast's column is learned_energy). One row per step including t = 0; \
      numbers round-trip exactly.

      --noise adds independent N(0, σ²) noise to the q and v columns (on SO(3): R ← R exp(ξ̂) \
      and w), the same for the same --seed; t and energy stay exact.

      --control drives the system's inputs (see `vin systems`), held over each step: a CSV \
      file with columns t,u1,…,um covering the run, random:std=S,hold=T[,seed=K] (N(0, S²) \
      values held T time units) or sine:amplitude=A,frequency=F. The rows then end with \
      u1,…,um, row k holding the input applied from t_k to t_(k+1). A damped system \
      (--param damping=…) is integrated with its dissipation, with or without --control.
      """
  )

  @OptionGroup var simulation: SimulationOptions

  @OptionGroup var output: OutputOptions

  func run() throws {
    let (entry, method, setup) = try simulation.prepare()
    let outputs = try OutputPlan(output)

    let csv = try BufferedOutput(outputs.csv)
    let stream = TrajectoryStream(
      source: "simulation of '\(entry.name)' with '\(method.name)'", rows: setup.steps + 1,
      output: csv, noise: simulation.noise, seed: simulation.seed,
      keepsRowsForPlot: outputs.plot != nil)
    do {
      try simulation.simulate(entry, method, setup, into: stream)
    } catch {
      csv.discard()
      throw error
    }
    try OutputFiles.finish(csv, plot: outputs.plot) {
      stream.table()?.figure(
        title: simulation.title(entry, method), subtitle: simulation.subtitle(entry, setup)
      ).svg() ?? ""
    }
  }
}
