/// A named pixel model of the VIN paper's pixel pendulum.
public struct NamedPixelModel: Hashable, Sendable {
  /// "VAE", "ResNet-VAE", "VIN-VV-VAE" or "VIN-SO(2)-VAE".
  public let name: String
  public let specification: PixelModelSpecification
}

extension PixelModelSpecification {
  /// The four models of the VIN paper's pixel pendulum (Saemundsson et al., *Variational
  /// Integrator Networks*, AISTATS 2020, §5.2; steindoringi/Variational_Integrator_Networks,
  /// config/pixels.gin): a plain VAE, and VAEs whose latent angle is stepped by a ResNet, a
  /// VIN-VV and a VIN-SO(2). One width W for every network: the encoder `area → W → W`, the
  /// decoder `→ W → W → area` and the latent dynamics' one hidden layer of W tanh units. As in
  /// the reference, the VIN-SO(2) steps by the frames' time step h, and the VIN-VV and the
  /// ResNet by 1 (their latent time is learned); the VINs' mass is fixed to 1.
  /// - Parameters:
  ///   - width: W (the paper's is 1000).
  ///   - h: the time between frames.
  ///   - frameSize: the side of a frame in pixels.
  ///   - context: the frames the initial state is inferred from.
  public static func referenceModels(
    width: Int = 1000, frameStep h: Double, frameSize: Int = 28, context: Int = 10
  ) -> [NamedPixelModel] {
    let network = NetworkArchitecture(width: width, depth: 1)
    let dynamics: [(String, ModelSpecification?)] = [
      ("VAE", nil),
      (
        "ResNet-VAE",
        ModelSpecification(
          kind: .residualNetwork, dimension: 1, stepSize: 1,
          network: BaselineNetworkSpecification(network))
      ),
      (
        "VIN-VV-VAE",
        ModelSpecification(
          kind: .vinVelocityVerlet, dimension: 1, stepSize: 1, potential: .mlp(network),
          mass: .identity)
      ),
      (
        "VIN-SO(2)-VAE",
        ModelSpecification(
          kind: .vinSO2, dimension: 1, stepSize: h, potential: .angularMLP(network),
          mass: .identity)
      ),
    ]
    return dynamics.map { name, dynamics in
      NamedPixelModel(
        name: name,
        specification: PixelModelSpecification(
          dynamics: dynamics, frameSize: frameSize, context: context, encoderWidth: width,
          decoderWidth: width))
    }
  }
}
