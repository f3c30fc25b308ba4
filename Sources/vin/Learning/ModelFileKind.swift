import Foundation
import VINKit

/// The two kinds of model file that `vin` reads, told apart by their JSON `format` tag: models
/// of trajectories (``ModelFile``, `vinkit-model`) and pixel models (``PixelModelFile``,
/// `vinkit-pixel-model`).
enum ModelFileKind: CustomStringConvertible {
  case trajectories
  case pixels

  /// The `format` tag of the kind's files.
  var format: String {
    switch self {
    case .trajectories: ModelFile.formatName
    case .pixels: PixelModelFile.formatName
    }
  }

  var description: String {
    switch self {
    case .trajectories: "a model of trajectories"
    case .pixels: "a pixel model"
    }
  }

  /// The kind of the model file `data` by its `format` tag: a pixel model when the tag says
  /// so, otherwise a model of trajectories (whose reader names a missing or unknown format).
  init(of data: Data) {
    struct Header: Decodable { var format: String? }
    let format = (try? JSONDecoder().decode(Header.self, from: data))?.format
    self = format == PixelModelFile.formatName ? .pixels : .trajectories
  }
}

/// A model file of either kind read from disk: the one loader of `vin forecast`,
/// `vin evaluate` and `vin embed`.
enum LoadedModel {
  case trajectories(SavedModel)
  case pixels(SavedPixelModel)

  /// - Throws: ``LearningCommandError/unreadable(path:reason:)``, or the errors of
  ///   ``SavedModel/init(path:data:)`` and ``SavedPixelModel/init(path:data:)``.
  init(path: String) throws(LearningCommandError) {
    let data: Data
    do {
      data = try Data(contentsOf: URL(fileURLWithPath: path))
    } catch {
      throw .unreadable(path: path, reason: TrajectoryFile.reason(error))
    }
    switch ModelFileKind(of: data) {
    case .trajectories: self = .trajectories(try SavedModel(path: path, data: data))
    case .pixels: self = .pixels(try SavedPixelModel(path: path, data: data))
    }
  }

  var path: String {
    switch self {
    case .trajectories(let saved): saved.path
    case .pixels(let saved): saved.path
    }
  }

  var kind: ModelFileKind {
    switch self {
    case .trajectories: .trajectories
    case .pixels: .pixels
    }
  }

  /// The model of trajectories, for `use` (what the command does with it, e.g.
  /// `vin forecast --q0`).
  /// - Throws: ``LearningCommandError/wrongModelKind(path:found:use:)`` for a pixel model.
  func trajectories(for use: String) throws(LearningCommandError) -> SavedModel {
    guard case .trajectories(let saved) = self else {
      throw .wrongModelKind(path: path, found: kind, use: use)
    }
    return saved
  }

  /// The pixel model, for `use`.
  /// - Throws: ``LearningCommandError/wrongModelKind(path:found:use:)`` for a model of
  ///   trajectories.
  func pixels(for use: String) throws(LearningCommandError) -> SavedPixelModel {
    guard case .pixels(let saved) = self else {
      throw .wrongModelKind(path: path, found: kind, use: use)
    }
    return saved
  }
}
