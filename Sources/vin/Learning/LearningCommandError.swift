import VINKit

/// A bad input or a failed run of `vin fit`, `vin forecast`, `vin evaluate` or `vin embed`, printed as one
/// line `Error: <description>` on standard error (exit status 1); every case names the file,
/// option or value at fault.
enum LearningCommandError: Error, CustomStringConvertible {
  /// An option value out of range.
  case invalidOption(option: String, value: String, requirement: String)
  /// A file could not be read at all.
  case unreadable(path: String, reason: String)
  /// A trajectory CSV file is malformed or its data do not suit the model.
  case data(path: String, LearningError)
  /// The t column of a data file is not uniformly spaced (row is 1-based, header = row 1).
  case nonUniformSampling(path: String, line: Int, spacing: Double, expected: Double)
  /// Two data files are sampled with different step sizes.
  case differentStepSizes(path: String, stepSize: Double, firstPath: String, firstStepSize: Double)
  /// A model file is corrupt, of an unknown version or kind, or inconsistent.
  case model(path: String, LearningError)
  /// A data file's layout (coordinates or SO(3)) does not suit the model (of that kind).
  case layout(path: String, ObservationLayout, model: ModelKind)
  /// Two data files have different layouts (coordinates and SO(3)).
  case mixedLayouts(
    path: String, ObservationLayout, firstPath: String, ObservationLayout)
  /// A model could not be built or trained from the options and data.
  case training(LearningError)
  /// A frames file (`.npy`, named by `option`) is malformed or does not suit the model.
  case frames(path: String, option: String, detail: String)
  /// A model file of the wrong kind for what the command does with it (`use`).
  case wrongModelKind(path: String, found: ModelFileKind, use: String)
  /// Options that do not apply to the kind of model fitted or used (`kind`), named together.
  case inapplicableOptions([String], kind: String, hint: String)
  /// A forecast of the learned model failed.
  case forecast(LearningError)
  /// The squared error of a forecast against the truth is NaN or infinite at time `time`.
  case nonFiniteError(truthPath: String, modelPath: String, time: Double, value: Double)

  var description: String {
    switch self {
    case .invalidOption(let option, let value, let requirement):
      return "\(option) \(value) is invalid: \(requirement)"
    case .unreadable(let path, let reason):
      return "cannot read '\(path)': \(reason)"
    case .data(let path, let error):
      return "data file '\(path)': \(error)"
    case .nonUniformSampling(let path, let line, let spacing, let expected):
      return
        "data file '\(path)', line \(line): time step \(spacing) differs from the first step \(expected); the t column must be uniformly spaced"
    case .differentStepSizes(let path, let h, let firstPath, let firstH):
      return
        "data file '\(path)' is sampled every \(h), but '\(firstPath)' every \(firstH); all trajectories need the same step size"
    case .layout(let path, .rigidBody, let model):
      return
        "data file '\(path)' holds a rigid body on SO(3) (t,R11..R33,w1,w2,w3), but the \(model.rawValue) model takes coordinates t,q1..qn,v1..vn (vin-so3, and resnet and feedforward fitted to SO(3) data, take SO(3))"
    case .layout(let path, _, let model):
      return
        "data file '\(path)' has q, v columns, but \(model.rawValue) takes the SO(3) layout t,R11..R33,w1,w2,w3 that `vin simulate heavy-top` writes"
    case .mixedLayouts(let path, let layout, let firstPath, let firstLayout):
      return
        "data file '\(path)' holds \(layout.stateDescription), but '\(firstPath)' holds \(firstLayout.stateDescription); all trajectories need the same layout"
    case .model(let path, let error):
      return "model file '\(path)': \(error)"
    case .frames(let path, let option, let detail):
      return "\(option) '\(path)': \(detail)"
    case .wrongModelKind(let path, let found, let use):
      let other: ModelFileKind = found == .pixels ? .trajectories : .pixels
      return
        "model file '\(path)' holds \(found) (format '\(found.format)'), but \(use) takes \(other) (format '\(other.format)')"
    case .inapplicableOptions(let options, let kind, let hint):
      let list = options.joined(separator: ", ")
      return
        "\(list) \(options.count == 1 ? "does" : "do") not apply to \(kind)\(hint.isEmpty ? "" : "; \(hint)")"
    case .training(let error):
      return "training failed: \(error)"
    case .forecast(let error):
      return "\(error)"
    case .nonFiniteError(let truthPath, let modelPath, let t, let value):
      return
        "the squared error of '\(modelPath)' against '\(truthPath)' at t = \(t) is \(value): the values are too large to compare in double precision, or the forecast is not finite"
    }
  }
}
