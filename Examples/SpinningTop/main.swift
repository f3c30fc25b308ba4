// SpinningTop: precession and nutation of a heavy top with the SO(3) LGVI.
//
// A top of mass 1 kg with its centre of mass 0.3 m up its figure axis e₃ is released with that
// axis tilted 0.5 rad from the vertical, spinning at 10 rad/s about it (the `vin simulate
// heavy-top` defaults). Gravity makes the axis precess (turn about the vertical) and nutate (nod
// up and down). Two tops are compared: a symmetric Lagrange top, J = diag(0.28, 0.28, 0.17), whose
// motion is known exactly, and the default top of VINKit, J = diag(0.13, 0.28, 0.17), which is not
// symmetric and spins about its intermediate principal axis, so it does not behave like a
// gyroscope at all. The program prints the nutation bounds, nutation period and precession rate
// against the exact values, what the integrator conserves, and writes an SVG plot.
//
//     swift run -c release SpinningTop [spinning-top.svg]

import FileOutput
import Foundation
import Plotting
import VINKit

// The smoke tests set VINKIT_EXAMPLES_QUICK for a shorter run (they use a debug build).
let isQuickRun = ProcessInfo.processInfo.environment["VINKIT_EXAMPLES_QUICK"] != nil

do {
  // MARK: 1. Two tops, one initial condition

  // U(R) = m g e_zᵀ R ρ with ρ = (0, 0, 0.3) m: the centre of mass is on the figure axis, above
  // the pivot when the top stands upright. The inertia is about the pivot.
  let lagrangeTop = try HeavyTop(inertia: Matrix3(diagonal: Vector3(0.28, 0.28, 0.17)))
  let defaultTop = try HeavyTop()
  let tilt0 = 0.5
  let spin = 10.0
  let torque = lagrangeTop.m * lagrangeTop.gravity * lagrangeTop.centreOfMass.z
  let exact = LagrangeTop(
    transverseInertia: 0.28, axialInertia: 0.17, torque: torque, spin: spin, initialTilt: tilt0)

  // MARK: 2. The runs

  // 20 s (5 s in a quick run) with the LGVI at h = 0.01 (0.1 rad of spin per step) and
  // h = 0.001; the default top also with the rk8pd reference solver (tolerance 1e-12), to see
  // for how long the runs agree.
  let duration = isQuickRun ? 5.0 : 20.0
  struct Run {
    var name: String
    var system: HeavyTop
    var trajectory: Trajectory<RigidBodyState>
    var newtonIterationsPerStep: Double?
    var axis: FigureAxisPath
  }
  func initialState(of top: HeavyTop) throws -> RigidBodyState {
    try top.state(rotationVector: Vector3(tilt0, 0, 0), angularVelocity: Vector3(0, 0, spin))
  }
  func lgviRun(_ top: HeavyTop, stepSize h: Double) throws -> Run {
    var lgvi = try SO3LGVI(system: top, stepSize: h)
    let trajectory = try lgvi.integrate(
      from: initialState(of: top), steps: Int((duration / h).rounded()))
    return Run(
      name: "h = \(h)", system: top, trajectory: trajectory,
      newtonIterationsPerStep: lgvi.meanNewtonIterations, axis: FigureAxisPath(trajectory.states))
  }
  func referenceRun(_ top: HeavyTop, stepSize h: Double) throws -> Run {
    var solver = try RigidBodyReferenceSolver(system: top, stepSize: h)
    let trajectory = try solver.integrate(
      from: initialState(of: top), steps: Int((duration / h).rounded()))
    return Run(
      name: "rk8pd", system: top, trajectory: trajectory, newtonIterationsPerStep: nil,
      axis: FigureAxisPath(trajectory.states))
  }
  let lagrangeRuns = [
    try lgviRun(lagrangeTop, stepSize: 0.01), try lgviRun(lagrangeTop, stepSize: 0.001),
  ]
  let defaultRuns = [
    try lgviRun(defaultTop, stepSize: 0.01), try lgviRun(defaultTop, stepSize: 0.001),
    try referenceRun(defaultTop, stepSize: 0.001),
  ]

  // MARK: 3. The Lagrange top: nutation and precession against the exact motion

  // A nutation period is the time between two successive smallest tilts (each located by a
  // parabola through three steps); the precession rate is the azimuth swept between the first
  // and the last of them, divided by the time between.
  func nutation(_ run: Run) -> (period: Double, precession: Double) {
    let times = run.trajectory.times
    let minima = localMinima(times: times, values: run.axis.tilt)
    guard let first = minima.first, let last = minima.last, minima.count > 1 else {
      return (.nan, .nan)
    }
    let swept =
      interpolate(run.axis.azimuth, times: times, at: last)
      - interpolate(run.axis.azimuth, times: times, at: first)
    return ((last - first) / Double(minima.count - 1), swept / (last - first))
  }
  print(
    """
    Heavy top: m = 1 kg, g = 9.81 m/s², centre of mass 0.3 m up the figure axis; released at
    tilt θ0 = \(tilt0) rad from the vertical, spinning at Ω = (0, 0, \(Int(spin))) rad/s; \
    \(Int(duration)) s with the SO(3) LGVI

    1. Lagrange top J = diag(0.28, 0.28, 0.17): symmetric, integrable
    """)
  let lagrangeNutation = lagrangeRuns.map(nutation)
  let lagrangeTable: [(label: String, exact: Double, measured: [Double])] = [
    ("smallest tilt (rad)", tilt0, lagrangeRuns.map { $0.axis.tilt.min() ?? .nan }),
    ("largest tilt (rad)", exact.largestTilt, lagrangeRuns.map { $0.axis.tilt.max() ?? .nan }),
    ("nutation period (s)", exact.nutationPeriod, lagrangeNutation.map(\.period)),
    ("mean precession rate (rad/s)", exact.precessionRate, lagrangeNutation.map(\.precession)),
  ]
  TextTable.printRow(
    TextTable.column("", 30) + TextTable.column("exact", 12)
      + lagrangeRuns.map { TextTable.column($0.name, 12) }.joined())
  for row in lagrangeTable {
    TextTable.printRow(
      TextTable.column(row.label, 30)
        + ([row.exact] + row.measured).map { TextTable.column(TextTable.fixed($0, 5), 12) }.joined()
    )
  }

  // MARK: 4. The default top: not a gyroscope

  // J = diag(0.13, 0.28, 0.17) spins about e₃, whose moment 0.17 lies between the other two:
  // the intermediate axis, unstable for a free body (see the Dzhanibekov example). Gravity does
  // not stabilise it at this spin. Within a second the spin has moved to the e₁ axis, and the
  // figure axis swings irregularly between nearly upright and below the horizontal. Small
  // differences grow: the O(h²) error of h = 0.01 separates its tilt from that of h = 0.001
  // within seconds.
  func divergenceTime(_ first: Run, _ second: Run, threshold: Double = 0.1) -> Double {
    let times = first.trajectory.times
    for (k, t) in times.enumerated() {
      let other = interpolate(second.axis.tilt, times: second.trajectory.times, at: t)
      if abs(first.axis.tilt[k] - other) > threshold { return t }
    }
    return .infinity
  }
  func agreement(_ time: Double) -> String {
    time.isFinite ? "after \(TextTable.fixed(time, 2)) s" : "never in \(Int(duration)) s"
  }
  let fineAxis = defaultRuns[1].axis
  let tiltRange = (fineAxis.tilt.min() ?? .nan, fineAxis.tilt.max() ?? .nan)
  let azimuthSwept = (fineAxis.azimuth.last ?? .nan) - (fineAxis.azimuth.first ?? .nan)
  let spinAxisTime =
    zip(defaultRuns[1].trajectory.times, defaultRuns[1].trajectory.states)
    .first { _, state in
      let omega = defaultTop.angularVelocity(of: state)
      return abs(omega.x) > abs(omega.z)
    }?.0 ?? .nan
  print(
    """

    2. Default top J = diag(0.13, 0.28, 0.17): spun about its intermediate axis
    tilt between \(TextTable.fixed(tiltRange.0, 3)) and \(TextTable.fixed(tiltRange.1, 3)) rad (h = 0.001); \
    the spin passes to the e1 axis at t = \(TextTable.fixed(spinAxisTime, 2)) s
    azimuth swept over \(Int(duration)) s: \(TextTable.fixed(azimuthSwept, 1)) rad, mostly in quick turns
    while the axis passes near the vertical: no steady precession
    tilt differs by more than 0.1 rad: LGVI h = 0.01 against h = 0.001 \
    \(agreement(divergenceTime(defaultRuns[0], defaultRuns[1]))),
    LGVI h = 0.001 against rk8pd \(agreement(divergenceTime(defaultRuns[1], defaultRuns[2])))

    """)

  // MARK: 5. What is conserved

  // Rotations about the vertical are a symmetry of both tops, so e_zᵀRΠ (the vertical angular
  // momentum) is conserved; the LGVI conserves it exactly (discrete Noether theorem), at any step
  // size. The Lagrange top has a second symmetry, rotation about its figure axis, and the LGVI
  // keeps its momentum Π₃ = J₃Ω₃ to round-off as well; the default top has no such symmetry and
  // Π₃ is not conserved at all. The energy is not a momentum map: its error is O(h²) and bounded.
  func conservation(_ run: Run) -> [String] {
    let states = run.trajectory.states
    guard let initial = states.first else { return [] }
    let top = run.system
    let energy0 = top.energy(initial)
    let vertical0 = top.verticalAngularMomentum(initial)
    return [
      TextTable.scientific(largest(states.map { abs(top.energy($0) - energy0) }) / abs(energy0)),
      TextTable.scientific(
        largest(states.map { abs(top.verticalAngularMomentum($0) - vertical0) })),
      TextTable.scientific(
        largest(states.map { abs($0.angularMomentum.z - initial.angularMomentum.z) })),
      TextTable.scientific(states.last?.orthogonalityDefect ?? .nan),
      run.newtonIterationsPerStep.map { TextTable.fixed($0, 2) } ?? "—",
    ]
  }
  let allRuns = lagrangeRuns + defaultRuns
  let header = allRuns.map { TextTable.column($0.name, 12) }.joined()
  TextTable.printRow(
    TextTable.column("", 28) + TextTable.column("Lagrange top", 24) + "default top")
  TextTable.printRow(TextTable.column("", 28) + header)
  let labels = [
    "max |E − E0| / |E0|", "max |Δ(e_zᵀRΠ)| (kg m²/s)", "max |ΔΠ3| (kg m²/s)",
    "|RᵀR − I| at the end", "Newton iterations/step",
  ]
  let values = allRuns.map(conservation)
  for (row, label) in labels.enumerated() {
    TextTable.printRow(
      TextTable.column(label, 28) + values.map { TextTable.column($0[row], 12) }.joined())
  }

  // MARK: 6. The plot

  // The tilt of each top (with the exact bounds for the Lagrange top); the azimuth of the Lagrange
  // top less the exact mean precession ω_p t, which leaves the nutation wobble (the cusps are the
  // moments the axis stands still) and shows any error in the precession rate as a drift; the
  // energy error of the LGVI runs (largest in each 0.2 s, logarithmic scale).
  let lagrange = lagrangeRuns[1]
  let times = lagrange.trajectory.times
  let ends = [times.first ?? 0, times.last ?? duration]
  let precessionRate = exact.precessionRate
  // Both exact bounds are one dashed series, broken by a NaN point.
  let bounds = Series(
    name: "exact bounds", x: ends + [.nan] + ends,
    y: [tilt0, tilt0, .nan, exact.largestTilt, exact.largestTilt], color: "#555555",
    isDashed: true)
  let energyErrors = (lagrangeRuns + defaultRuns.prefix(2)).enumerated().map { k, run in
    let states = run.trajectory.states
    let energy0 = states.first.map(run.system.energy) ?? .nan
    let maxima = windowMaxima(
      times: run.trajectory.times,
      values: states.map { abs(run.system.energy($0) - energy0) / abs(energy0) }, window: 0.2)
    let top = k < 2 ? "Lagrange" : "default"
    return Series(
      name: "\(top), \(run.name)", x: maxima.times, y: maxima.values,
      color: Palette.color(k < 2 ? 0 : 1), isDashed: k % 2 == 0)
  }
  let figure = Figure(
    title: "A heavy top: precession and nutation",
    subtitle: """
      m = 1 kg, g = 9.81 m/s², centre of mass 0.3 m up the figure axis, released at tilt \
      \(tilt0) rad spinning at \(Int(spin)) rad/s
      SO(3) Lie group variational integrator; Lagrange top J = diag(0.28, 0.28, 0.17), \
      default top J = diag(0.13, 0.28, 0.17)
      """,
    panels: [
      Panel(
        title: "Lagrange top: tilt of the figure axis (LGVI, h = 0.001)", xLabel: "time t (s)",
        yLabel: "tilt θ (rad)",
        series: [
          Series(name: "θ", x: times, y: lagrange.axis.tilt, color: Palette.color(0)), bounds,
        ]),
      Panel(
        title: "Default top: tilt of the figure axis", xLabel: "time t (s)",
        yLabel: "tilt θ (rad)",
        series: defaultRuns.prefix(2).reversed().enumerated().map { k, run in
          Series(
            name: "LGVI \(run.name)", x: run.trajectory.times, y: run.axis.tilt,
            color: Palette.color(k == 0 ? 1 : 4), isDashed: k == 1)
        }),
      Panel(
        title: "Lagrange top: azimuth φ of the figure axis less the exact mean precession",
        xLabel: "time t (s)", yLabel: "φ(t) − φ(0) − ω_p t (rad)",
        series: lagrangeRuns.reversed().enumerated().map { k, run in
          let azimuth0 = run.axis.azimuth.first ?? .nan
          return Series(
            name: "LGVI \(run.name)", x: run.trajectory.times,
            y: zip(run.trajectory.times, run.axis.azimuth).map { t, phi in
              phi - azimuth0 - precessionRate * t
            }, color: Palette.color(k == 0 ? 0 : 5), isDashed: k == 1)
        }),
      Panel(
        title: "Relative energy error (largest in each 0.2 s)", xLabel: "time t (s)",
        yLabel: "|E − E0| / |E0|", yScale: .logarithmic, series: energyErrors),
    ], panelHeight: 280)
  let path = CommandLine.arguments.dropFirst().first ?? "spinning-top.svg"
  try AtomicFile.write(figure.svg(), to: path)
  print("\nwrote \(path)")
} catch {
  FileHandle.standardError.write(Data("SpinningTop: \(error)\n".utf8))
  exit(1)
}
