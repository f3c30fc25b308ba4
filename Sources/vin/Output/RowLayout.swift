import Plotting
import VINKit

/// The columns of a trajectory file (DESIGN §4): `t, q1…qn, v1…vn, E` for systems on R^n
/// and SO(2), `t, R11…R33, w1, w2, w3, E` on SO(3), where the energy column E is named by
/// ``EnergyColumn`` (`energy` or `learned_energy`), then the inputs `u1…um` of a run driven by
/// `--control` (row k holds `u_k`, the input held over the step from t_k).
struct RowLayout: Equatable {
  /// The state's columns.
  enum Space: Equatable {
    case coordinates(dimension: Int)
    case rigidBody
  }

  let space: Space
  /// The number m of input columns after the energy (0 without `--control`).
  var inputs = 0

  /// `t, q1…qn, v1…vn, E`.
  static func coordinates(dimension n: Int) -> RowLayout {
    RowLayout(space: .coordinates(dimension: n))
  }
  /// `t, R11…R33, w1, w2, w3, E`.
  static let rigidBody = RowLayout(space: .rigidBody)

  /// The same layout with m input columns.
  func withInputs(_ m: Int) -> RowLayout { RowLayout(space: space, inputs: m) }

  /// The column names: the state's, the energy's, then `u1…um`.
  func header(energy: EnergyColumn) -> [String] {
    let state: [String]
    switch space {
    case .coordinates(let n):
      state = ["t"] + (1...n).map { "q\($0)" } + (1...n).map { "v\($0)" }
    case .rigidBody:
      state =
        ["t"] + (1...3).flatMap { i in (1...3).map { j in "R\(i)\(j)" } } + ["w1", "w2", "w3"]
    }
    return state + [energy.rawValue] + (0..<inputs).map { "u\($0 + 1)" }
  }

  /// The index of the energy column (the first input column is the next).
  var energyColumn: Int {
    switch space {
    case .coordinates(let n): return 2 * n + 1
    case .rigidBody: return 13
    }
  }

  /// The number of columns.
  var columns: Int { energyColumn + 1 + inputs }

  /// Adds independent N(0, σ²) noise to the configuration and velocity columns of `row`, drawn
  /// from `generator` in column order; `t`, the energy and the inputs stay exact. On SO(3) the attitude is
  /// perturbed on the group, `R ← R exp(ξ̂)` with ξ ~ N(0, σ²I) (so it stays a rotation), then
  /// `w ← w + η`, η ~ N(0, σ²I).
  func addNoise(
    to row: inout [Double], standardDeviation sigma: Double, generator: inout SeededGenerator
  ) {
    switch space {
    case .coordinates(let n):
      for i in 1...(2 * n) { row[i] += generator.nextNormal(standardDeviation: sigma) }
    case .rigidBody:
      func draw() -> Vector3 {
        Vector3(
          generator.nextNormal(standardDeviation: sigma),
          generator.nextNormal(standardDeviation: sigma),
          generator.nextNormal(standardDeviation: sigma))
      }
      let attitude = SO3(
        uncheckedMatrix: Matrix3(
          row[1], row[2], row[3], row[4], row[5], row[6], row[7], row[8], row[9]))
      let noisy = (attitude * SO3.exp(draw())).matrix.entries
      for i in 0..<9 { row[1 + i] = noisy[i] }
      let eta = draw()
      row[10] += eta.x
      row[11] += eta.y
      row[12] += eta.z
    }
  }

  /// The table of `rows` (row-major, ``columns`` values each), for its plot.
  func table(rows: [Double]) -> any TrajectoryTable {
    let count = rows.count / columns
    func column(_ c: Int) -> [Double] { (0..<count).map { rows[$0 * columns + c] } }
    switch space {
    case .coordinates(let n):
      var positions: [Double] = []
      var velocities: [Double] = []
      positions.reserveCapacity(count * n)
      velocities.reserveCapacity(count * n)
      for k in 0..<count {
        positions += rows[(k * columns + 1)...(k * columns + n)]
        velocities += rows[(k * columns + n + 1)...(k * columns + 2 * n)]
      }
      return CoordinateTable(
        dimension: n, times: column(0), positions: positions, velocities: velocities,
        energies: column(energyColumn))
    case .rigidBody:
      return RigidBodyTable(
        times: column(0),
        attitudes: (0..<count).map { k in
          let r = rows[(k * columns + 1)...(k * columns + 9)].map { $0 }
          return SO3(uncheckedMatrix: Matrix3(r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8]))
        },
        angularVelocities: (0..<count).map { k in
          Vector3(rows[k * columns + 10], rows[k * columns + 11], rows[k * columns + 12])
        },
        energies: column(energyColumn))
    }
  }
}
