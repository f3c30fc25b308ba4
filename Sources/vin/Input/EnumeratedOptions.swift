import ArgumentParser
import VINKit

// The enumerated options of `vin fit` are the library's own types, parsed by their raw values
// (the names in model files and configurations); argument-parser lists the values in the help
// and names a wrong one in its error.

extension ModelKind: ExpressibleByArgument {}
extension Activation: ExpressibleByArgument {}
extension LearningRateSchedule: ExpressibleByArgument {}
extension ForceSpecification.Dissipation: ExpressibleByArgument {}
extension ForceSpecification.InputMatrix: ExpressibleByArgument {}
extension RolloutLossKind: ExpressibleByArgument {}
extension FitModelOptions.PotentialOption: ExpressibleByArgument {}
extension FitModelOptions.MassOption: ExpressibleByArgument {}
extension FitModelOptions.ObservationOption: ExpressibleByArgument {}

extension InitialStateInference: ExpressibleByArgument {
  /// The raw values, and the earlier names `inferred` (``learned``) and `naive`
  /// (``firstObservation``).
  public init?(argument: String) {
    switch argument {
    case "inferred": self = .learned
    case "naive": self = .firstObservation
    default: self.init(rawValue: argument)
    }
  }
}
