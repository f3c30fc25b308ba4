import Foundation
import VINKit

/// Where the figure axis of a top points: the body axis e₃ (through the centre of mass) seen in
/// the world frame, `R e₃` (the third column of R), in spherical angles about the vertical.
struct FigureAxisPath {
  /// θ, the angle between `R e₃` and the upward vertical e_z (rad).
  var tilt: [Double]
  /// φ, the azimuth of `R e₃` about e_z, unwrapped to a continuous function of time (rad).
  var azimuth: [Double]

  init(_ states: [RigidBodyState]) {
    tilt = []
    azimuth = []
    tilt.reserveCapacity(states.count)
    azimuth.reserveCapacity(states.count)
    for state in states {
      let axis = state.attitude.matrix.column(2)
      tilt.append(atan2((axis.x * axis.x + axis.y * axis.y).squareRoot(), axis.z))
      var angle = atan2(axis.y, axis.x)
      if let previous = azimuth.last {
        angle += 2 * Double.pi * ((previous - angle) / (2 * Double.pi)).rounded()
      }
      azimuth.append(angle)
    }
  }
}
