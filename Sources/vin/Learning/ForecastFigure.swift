import Plotting
import VINKit

/// The plot of `vin forecast`: the forecast's trajectory panel (coordinates q, or on SO(3) the
/// body angular velocity Ω) and its learned energy error; with a truth file
/// (`vin forecast --truth`), the truth's trajectory beside it, dashed in the colour of the same
/// coordinate, and the truth file's energy error beside the learned one, both up to the
/// forecast's last time.
enum ForecastFigure {
  /// - Parameters:
  ///   - table: the forecast; its last column is the learned energy.
  ///   - hasEnergy: whether the model has an energy (the baselines have none).
  ///   - truth: a file already checked to be sampled as the model forecasts
  ///     (``TrajectoryFile/checkSampling(of:)``).
  static func make(
    _ table: any TrajectoryTable, hasEnergy: Bool, truth: TrajectoryFile?, title: String,
    subtitle: String
  ) -> Figure {
    var figure = table.figure(title: title, subtitle: subtitle)
    var trajectory = figure.panels[0]
    for i in trajectory.series.indices { trajectory.series[i].color = Palette.color(i) }
    let rows = (0..<table.count).map(table.row)
    let end = rows.last?[0] ?? 0
    // The truth's samples up to the forecast's last time.
    let shown = truth.map { file in
      file.trajectory.times.firstIndex { $0 > end + 1e-9 * abs(end) } ?? file.trajectory.count
    }
    if let truth, let shown {
      for (i, series) in Self.trajectorySeries(of: truth).enumerated() {
        trajectory.series.append(
          Series(
            name: "\(series.name) (truth)", x: Array(series.x.prefix(shown)),
            y: Array(series.y.prefix(shown)), color: Palette.color(i), isDashed: true))
      }
      figure.subtitle += "\ntruth (dashed): \(truth.path)"
    }
    let learned =
      hasEnergy ? (times: rows.map { $0[0] }, energies: rows.map { $0[$0.count - 1] }) : nil
    let truthEnergy = truth.flatMap { file in
      file.energy.map { energy in
        let count = shown ?? energy.values.count
        return (
          times: Array(file.trajectory.times.prefix(count)),
          energies: Array(energy.values.prefix(count)), column: energy.column
        )
      }
    }
    figure.panels = [trajectory]
    if let energy = EnergyPanel.comparing(learned: learned, truth: truthEnergy) {
      figure.panels.append(energy)
    }
    return figure
  }

  /// The series of the truth named as the forecast's of the same quantity: `q1…qn`, or on
  /// SO(3) `Ω₁, Ω₂, Ω₃`.
  static func trajectorySeries(of file: TrajectoryFile) -> [Series] {
    let times = file.trajectory.times
    switch file.trajectory.states {
    case .coordinates(let positions, _):
      return (0..<file.trajectory.dimension).map { i in
        Series(name: "q\(i + 1)", x: times, y: positions.map { $0[i] })
      }
    case .rigidBody(_, let angularVelocities):
      return ["Ω₁", "Ω₂", "Ω₃"].enumerated().map { i, name in
        Series(name: name, x: times, y: angularVelocities.map { $0[i] })
      }
    }
  }
}
