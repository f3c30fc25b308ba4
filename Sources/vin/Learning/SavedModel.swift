import Foundation
import VINKit

/// A model file read from disk, with the model it describes.
struct SavedModel {
  let path: String
  let file: ModelFile
  let model: any SpecifiedModel

  /// The model file `data`, read from `path` (``LoadedModel`` reads it).
  /// - Throws: ``LearningCommandError/model(path:_:)`` for truncated or corrupt JSON, an unknown
  ///   format, version or kind, or parameters that do not fit the architecture.
  init(path: String, data: Data) throws(LearningCommandError) {
    self.path = path
    do {
      file = try ModelFile(json: data)
      model = try file.model()
    } catch {
      throw .model(path: path, error)
    }
  }

  /// The forecast of `steps` steps from `initial`, a state in the model's layout, driven by
  /// `inputs` (one row per step; none for a model without inputs).
  func forecast(from initial: MechanicalState, inputs: [[Double]] = [], steps: Int)
    throws(LearningCommandError) -> ForecastTrajectory
  {
    do {
      return try model.forecast(from: initial, inputs: inputs, steps: steps)
    } catch {
      throw .forecast(error)
    }
  }
}
