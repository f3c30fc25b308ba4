import Foundation
import VINKit

/// A pixel model file read from disk (``LoadedModel`` reads it), with the model it describes.
struct SavedPixelModel {
  let path: String
  let file: PixelModelFile
  let model: PixelModel

  /// - Throws: ``LearningCommandError/model(path:_:)`` for truncated or corrupt JSON, an unknown
  ///   version, a specification out of range or parameters that do not fit it.
  init(path: String, data: Data) throws(LearningCommandError) {
    self.path = path
    do {
      file = try PixelModelFile(json: data)
      model = try file.model()
    } catch {
      throw .model(path: path, error)
    }
  }

  var specification: PixelModelSpecification { model.specification }

  /// The step size h of the latent dynamics (nil for a plain VAE).
  var stepSize: Double? { specification.dynamics?.stepSize }

  /// The video in the NPY file at `path` (the value of `option`), checked to have this model's
  /// frame size.
  func video(_ path: String, option: String) throws(LearningCommandError) -> VideoFile {
    try VideoFile(
      path: path, option: option,
      expectedSize: (specification.frameSize, because: "the frame size of the model '\(self.path)'")
    )
  }

  /// The forecast of `steps` frames from the first frames of `context`.
  /// - Throws: ``LearningCommandError/invalidOption(option:value:requirement:)`` for a plain VAE;
  ///   ``LearningCommandError/frames(path:option:detail:)`` for a context shorter than the model
  ///   needs; ``LearningCommandError/forecast(_:)`` for a forecast that fails.
  func forecast(from context: VideoFile, steps: Int) throws(LearningCommandError)
    -> PixelForecast
  {
    guard specification.dynamics != nil else {
      throw .invalidOption(
        option: "--model", value: "'\(path)'",
        requirement:
          "holds a plain VAE, which has no latent dynamics: it encodes and decodes frames but cannot forecast (fit vin-so2, vin-vv, vin-sv or resnet for forecasts)"
      )
    }
    let needed = specification.requiredContext
    guard context.video.frameCount >= needed else {
      throw .frames(
        path: context.path, option: context.option,
        detail:
          "it has \(context.video.frameCount) frame\(context.video.frameCount == 1 ? "" : "s"), but the \(specification.kindName) model '\(path)' infers its start from \(needed)"
      )
    }
    do {
      return try model.forecast(context: context.video, steps: steps)
    } catch {
      throw .forecast(error)
    }
  }
}

/// A video read from a NumPy `.npy` file (as `vin render --frames` writes it), as the pixel
/// models take it.
struct VideoFile {
  let path: String
  /// The option that named the file (`--frames`, `--context`, `--truth`).
  let option: String
  let frames: FrameStack
  let video: PixelVideo

  /// - Parameter expectedSize: the frame size the file must have, and whose it is.
  /// - Throws: ``LearningCommandError/unreadable(path:reason:)`` or
  ///   ``LearningCommandError/frames(path:option:detail:)`` naming what is wrong with the file
  ///   (its dtype, rank, size, a truncated body, a value out of range, no frames).
  init(path: String, option: String, expectedSize: (size: Int, because: String)? = nil)
    throws(LearningCommandError)
  {
    self.path = path
    self.option = option
    do {
      frames = try NPYFile.read(path, expectedSize: expectedSize?.size)
    } catch {
      guard let problem = error.problem else {
        throw .unreadable(path: path, reason: error.reason ?? "unknown error")
      }
      var detail = "\(problem)"
      if case .sizeMismatch = problem, let expectedSize { detail += " (\(expectedSize.because))" }
      throw .frames(path: path, option: option, detail: detail)
    }
    do {
      video = try PixelVideo(frames)
    } catch {
      throw .frames(path: path, option: option, detail: "\(error)")
    }
  }
}
