import Plotting
import VINKit

/// A computed trajectory as the rows `vin` writes (DESIGN §4): a header, one row per time
/// including t = 0, `t` first and `energy` last.
///
/// ``CoordinateTable`` holds systems on R^n and SO(2), ``RigidBodyTable`` systems on SO(3);
/// the CSV writer and the plot work on either through this protocol.
protocol TrajectoryTable: Sendable {
  /// The column names.
  var header: [String] { get }
  /// The number of rows.
  var count: Int { get }
  /// Row `index`, as many values as ``header`` has names.
  func row(_ index: Int) -> [Double]
  /// A figure of the trajectory and its energy error over time.
  func figure(title: String, subtitle: String) -> Figure
}
