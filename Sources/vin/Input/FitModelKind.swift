import ArgumentParser
import VINKit

/// `vin fit --model`: a model kind of the library (``ModelKind``), or `vae`, the plain
/// per-frame variational autoencoder of pixel models, which has no latent dynamics.
enum FitModelKind: Equatable, ExpressibleByArgument {
  /// A model of trajectories, or the latent dynamics of a pixel model.
  case dynamics(ModelKind)
  /// A pixel model without latent dynamics.
  case vae

  init?(argument: String) {
    if argument == Self.vaeName {
      self = .vae
    } else if let kind = ModelKind(rawValue: argument) {
      self = .dynamics(kind)
    } else {
      return nil
    }
  }

  static var allValueStrings: [String] { ModelKind.allCases.map(\.rawValue) + [vaeName] }

  /// The name of the plain VAE, as ``PixelModelSpecification/kindName`` writes it.
  static let vaeName = "vae"

  /// The name on the command line and in messages.
  var name: String {
    switch self {
    case .dynamics(let kind): kind.rawValue
    case .vae: Self.vaeName
    }
  }

  /// The names `--model` takes with `--frames`.
  static var pixelNames: [String] {
    PixelModelSpecification.dynamicsKinds.map(\.rawValue) + [vaeName]
  }
}
