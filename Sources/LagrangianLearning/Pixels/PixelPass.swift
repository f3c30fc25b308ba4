import RealModule

/// One evaluation of a ``PixelModel``'s negative ELBO over a batch of windows and, after it, the
/// hand-written backward pass (the formulas are in ``PixelModel``'s documentation). The
/// frame-sized values live in the ``PixelWorkspace``; what the backward pass needs of the
/// forward pass (the rollout's pullback, the latent positions) is kept here.
///
/// **Shared frames.** Windows overlap (window b holds frames `start … start + H` of its video),
/// and a window's *slots* (its first ``encodedPerWindow`` frames, slot `b · encodedPerWindow +
/// j` for its frame j) often hold the same frame as another window's. The per-frame encoder
/// runs once on each distinct frame (``encodedFrames``); every slot reads its frame's encoding
/// and posterior (``slotFrames``), and samples with its own noise. The backward pass adds each
/// slot's cotangent on its frame's posterior and encoding into the frame's (the chain rule for a
/// value used several times) before one encoder pullback over the distinct frames.
struct PixelPass {
  let model: PixelModel
  let videos: [PixelVideo]
  let windows: [PixelWindow]
  let horizon: Int
  let workspace: PixelWorkspace
  let encoder: RectifiedNetwork
  let decoder: RectifiedNetwork
  let recurrent: RecurrentEncoder?
  /// B, the windows; H + 1, the frames of a window; the slots per window and in all.
  let batch: Int
  let length: Int
  let encodedPerWindow: Int
  let encodedCount: Int
  /// The distinct frames of the windows' slots, in order of first use.
  let encodedFrames: [VideoFrame]
  /// For each slot, the index of its frame in ``encodedFrames`` (``encodedCount`` numbers).
  let slotFrames: [Int]
  /// The latent positions of every frame of every window (B (H + 1) d numbers).
  private var latent: [Double] = []
  /// The latent dynamics' pullback from the last ``loss(noise:)``.
  private var rolloutPullback: (([Double]) -> (parameters: [Double], initial: [Double]))?
  /// The rollout's row width.
  private var rowWidth = 0
  /// The noise of the last ``loss(noise:)``, with zeros for the windows rolled out from their
  /// posterior mean.
  private(set) var noise: [Double] = []
  /// The windows of the last ``loss(noise:)`` rolled out from their posterior mean.
  private(set) var meanStarts = 0

  init(
    model: PixelModel, videos: [PixelVideo], windows: [PixelWindow], horizon: Int,
    workspace: PixelWorkspace
  ) {
    let specification = model.specification
    self.model = model
    self.videos = videos
    self.windows = windows
    self.horizon = horizon
    self.workspace = workspace
    encoder = RectifiedNetwork(sizes: specification.encoderSizes)
    decoder = RectifiedNetwork(sizes: specification.decoderSizes)
    recurrent = specification.recurrentEncoder
    batch = windows.count
    length = horizon + 1
    encodedPerWindow =
      switch specification.start {
      case .velocity: specification.context
      case .twoPositions: 2
      case .perFrame: horizon + 1
      }
    encodedCount = batch * encodedPerWindow
    var frames: [VideoFrame] = []
    var indices: [VideoFrame: Int] = [:]
    var slots: [Int] = []
    slots.reserveCapacity(encodedCount)
    for window in windows {
      for j in 0..<encodedPerWindow {
        let frame = VideoFrame(video: window.video, index: window.start + j)
        if let index = indices[frame] {
          slots.append(index)
        } else {
          indices[frame] = frames.count
          slots.append(frames.count)
          frames.append(frame)
        }
      }
    }
    encodedFrames = frames
    slotFrames = slots
  }

  /// Frame `index` of video `video`.
  struct VideoFrame: Hashable {
    let video: Int
    let index: Int
  }

  var specification: PixelModelSpecification { model.specification }
  var area: Int { specification.frameArea }
  var d: Int { specification.latentDimension }

  // MARK: - Buffers

  /// The distinct frames encoded.
  var frameCount: Int { encodedFrames.count }

  var encoderInput: UnsafeMutablePointer<Double> {
    workspace.buffer(.encoderInput, count: frameCount * area)
  }
  var encoderHidden: UnsafeMutablePointer<Double> {
    workspace.buffer(.encoderHidden, count: encoder.hiddenCount(batch: frameCount))
  }
  var encoderOutput: UnsafeMutablePointer<Double> {
    workspace.buffer(.encoderOutput, count: frameCount * specification.encodingDimension)
  }
  /// Per encoded frame: μ (d), σ (d), dσ/ds (d).
  var posterior: UnsafeMutablePointer<Double> {
    workspace.buffer(.posterior, count: 3 * frameCount * d)
  }
  /// The LSTM's inputs: every slot's encoding, window after window.
  var recurrentInput: UnsafeMutablePointer<Double> {
    workspace.buffer(.recurrentInput, count: encodedCount * specification.encodingDimension)
  }
  var recurrentStorage: UnsafeMutablePointer<Double> {
    workspace.buffer(
      .recurrentStorage,
      count: recurrent?.storageCount(batch: batch, steps: encodedPerWindow) ?? 0)
  }
  /// The velocity read-out `(μ, s)` of every window.
  var recurrentOutput: UnsafeMutablePointer<Double> {
    workspace.buffer(.recurrentOutput, count: batch * 2 * d)
  }
  var decoderInput: UnsafeMutablePointer<Double> {
    workspace.buffer(.decoderInput, count: batch * length * specification.decoderInputDimension)
  }
  var decoderHidden: UnsafeMutablePointer<Double> {
    workspace.buffer(.decoderHidden, count: decoder.hiddenCount(batch: batch * length))
  }
  var logits: UnsafeMutablePointer<Double> {
    workspace.buffer(.logits, count: batch * length * area)
  }
  var scratch: UnsafeMutablePointer<Double> {
    workspace.buffer(
      .scratch,
      count: max(
        decoder.scratchCount(batch: batch * length), encoder.scratchCount(batch: frameCount),
        recurrent?.scratchCount(batch: batch) ?? 0))
  }

  // MARK: - Forward

  /// Runs the per-frame encoder on `count` frames at `frames` and writes μ, σ, dσ/ds of each
  /// to the posterior buffer, which it returns (on the circle `μ = atan2(b, a)`).
  @discardableResult
  func encode(_ frames: UnsafePointer<Double>, count: Int) -> UnsafeMutablePointer<Double> {
    let e = specification.encodingDimension
    let output = workspace.buffer(.encoderOutput, count: count * e)
    let hidden = workspace.buffer(.encoderHidden, count: encoder.hiddenCount(batch: count))
    model.encoderParameters.withUnsafeBufferPointer { pb in
      guard let p = pb.baseAddress else { return }
      encoder.forward(p, frames, batch: count, hidden: hidden, output: output)
    }
    let values = workspace.buffer(.posterior, count: 3 * count * d)
    for f in 0..<count {
      let row = output + f * e
      let target = values + 3 * f * d
      if specification.onCircle {
        target[0] = Double.atan2(y: row[1], x: row[0])
        (target[1], target[2]) = GaussianPosterior.scale(row[2])
      } else {
        for i in 0..<d {
          target[i] = row[i]
          (target[d + i], target[2 * d + i]) = GaussianPosterior.scale(row[d + i])
        }
      }
    }
    return values
  }

  /// Gathers the distinct frames of the windows' slots, encodes them and, for a velocity model,
  /// runs the LSTM over each window's encodings.
  func encodeWindows() {
    let input = encoderInput
    for (f, frame) in encodedFrames.enumerated() {
      videos[frame.video].pixels.withUnsafeBufferPointer { source in
        guard let base = source.baseAddress else { return }
        (input + f * area).update(from: base + frame.index * area, count: area)
      }
    }
    encode(input, count: frameCount)
    if let recurrent {
      let e = specification.encodingDimension
      let (output, inputs) = (encoderOutput, recurrentInput)
      for (s, f) in slotFrames.enumerated() {
        (inputs + s * e).update(from: output + f * e, count: e)
      }
      model.recurrentParameters.withUnsafeBufferPointer { pb in
        guard let p = pb.baseAddress else { return }
        recurrent.forward(
          p, inputs: inputs, batch: batch, steps: encodedPerWindow,
          storage: recurrentStorage, output: recurrentOutput)
      }
    }
  }

  /// The velocity posterior of window b, coordinate i: μ, σ, dσ/ds.
  func velocityPosterior(_ b: Int, _ i: Int) -> (Double, Double, Double) {
    let output = recurrentOutput
    let (sigma, derivative) = GaussianPosterior.scale(output[b * 2 * d + d + i])
    return (output[b * 2 * d + i], sigma, derivative)
  }

  /// The encoded frame (an index of ``encodedFrames``) in window b's slot j (0: q₀; 1: q₁ of a
  /// position-only model; frame j of a model without dynamics).
  func encodedFrame(_ b: Int, _ j: Int) -> Int { slotFrames[b * encodedPerWindow + j] }

  /// The sampled initial states `μ + σ ε` (2d numbers per window: `(q₀, q̇₀)` or `(q₀, q₁)`)
  /// of a model with dynamics, after ``encodeWindows()``.
  func initialStates(noise: [Double]) -> [Double] {
    let values = posterior
    var initial = [Double](repeating: 0, count: batch * 2 * d)
    for b in 0..<batch {
      for i in 0..<d {
        let first = values + 3 * encodedFrame(b, 0) * d
        initial[b * 2 * d + i] = first[i] + first[d + i] * noise[b * 2 * d + i]
        if specification.start == .velocity {
          let (mu, sigma, _) = velocityPosterior(b, i)
          initial[b * 2 * d + d + i] = mu + sigma * noise[b * 2 * d + d + i]
        } else {
          let second = values + 3 * encodedFrame(b, 1) * d
          initial[b * 2 * d + d + i] = second[i] + second[d + i] * noise[b * 2 * d + d + i]
        }
      }
    }
    return initial
  }

  /// The negative ELBO averaged over the windows, keeping what ``backward(noise:into:)`` needs:
  /// in place of each logit ℓ of target pixel y its cotangent `ℓ̄ = (σ(ℓ) − y)/B`. The Bernoulli
  /// term `softplus(ℓ) − y ℓ` and `σ(ℓ)` share one exponential `t = e^{−|ℓ|}`:
  ///
  ///     softplus(ℓ) = max(ℓ, 0) + log(1 + t),   σ(ℓ) = 1/(1 + t) (ℓ ≥ 0), t/(1 + t) (ℓ < 0),
  ///
  /// neither of which overflows or cancels for a saturated logit.
  mutating func loss(noise: [Double]) -> Double {
    latent = Array(repeating: 0, count: batch * length * d)
    self.noise = noise
    meanStarts = 0
    if let dynamics = model.dynamics {
      encodeWindows()
      rowWidth = dynamics.observationDimension
      var (rows, pullback) = rolloutWithPullback(
        dynamics, from: initialStates(noise: noise), steps: horizon, workspace: workspace.rollouts)
      // A window whose sample the dynamics cannot step is rolled out from its posterior mean.
      let span = length * rowWidth
      for b in 0..<batch where !rows[(b * span)..<((b + 1) * span)].allSatisfy(\.isFinite) {
        for i in 0..<(2 * d) { self.noise[b * 2 * d + i] = 0 }
        meanStarts += 1
      }
      if meanStarts > 0 {
        (rows, pullback) = rolloutWithPullback(
          dynamics, from: initialStates(noise: self.noise), steps: horizon,
          workspace: workspace.rollouts)
      }
      rolloutPullback = pullback
      for row in 0..<(batch * length) {
        for i in 0..<d { latent[row * d + i] = rows[row * rowWidth + i] }
      }
    } else {
      encodeWindows()
      let values = posterior
      for (s, f) in slotFrames.enumerated() {
        for i in 0..<d {
          latent[s * d + i] = values[3 * f * d + i] + values[3 * f * d + d + i] * noise[s * d + i]
        }
      }
    }
    Self.decodeLogits(model: model, decoder: decoder, positions: latent, workspace: workspace)
    var reconstruction = 0.0
    let l = logits
    let scale = 1 / Double(batch)
    for (b, window) in windows.enumerated() {
      videos[window.video].pixels.withUnsafeBufferPointer { source in
        guard let base = source.baseAddress else { return }
        let y = base + window.start * area
        let row = l + b * length * area
        for i in 0..<(length * area) {
          let logit = row[i]
          let t = Double.exp(-abs(logit))
          reconstruction += (logit > 0 ? logit : 0) + Double.log(onePlus: t) - y[i] * logit
          row[i] = scale * ((logit >= 0 ? 1 : t) / (1 + t) - y[i])
        }
      }
    }
    return (reconstruction + divergence(accumulate: nil)) / Double(batch)
  }

  /// The decoder's inputs for the latent positions (`(cos q, sin q)` on the circle) and its
  /// logits, in the workspace.
  static func decodeLogits(
    model: PixelModel, decoder: RectifiedNetwork, positions: [Double], workspace: PixelWorkspace
  ) {
    let specification = model.specification
    let inputs = specification.decoderInputDimension
    let count = positions.count / specification.latentDimension
    let input = workspace.buffer(.decoderInput, count: count * inputs)
    if specification.onCircle {
      for k in 0..<count {
        input[2 * k] = Double.cos(positions[k])
        input[2 * k + 1] = Double.sin(positions[k])
      }
    } else {
      for k in positions.indices { input[k] = positions[k] }
    }
    let hidden = workspace.buffer(.decoderHidden, count: decoder.hiddenCount(batch: count))
    let output = workspace.buffer(.logits, count: count * specification.frameArea)
    model.decoderParameters.withUnsafeBufferPointer { pb in
      guard let p = pb.baseAddress else { return }
      decoder.forward(p, input, batch: count, hidden: hidden, output: output)
    }
  }

  /// The decoded frames' Bernoulli means `σ(ℓ)` at `positions` (d numbers each, back to back).
  static func decodeProbabilities(
    model: PixelModel, positions: [Double], workspace: PixelWorkspace
  ) -> [Double] {
    let decoder = RectifiedNetwork(sizes: model.specification.decoderSizes)
    decodeLogits(model: model, decoder: decoder, positions: positions, workspace: workspace)
    let count =
      positions.count / model.specification.latentDimension * model.specification.frameArea
    let output = workspace.buffer(.logits, count: count)
    return (0..<count).map { Activation.logistic(output[$0]) }
  }

  /// The posterior means of the latent positions of every frame of `video`.
  static func encodedMeans(model: PixelModel, video: PixelVideo, workspace: PixelWorkspace)
    -> [Double]
  {
    let pass = PixelPass(
      model: model, videos: [video], windows: [], horizon: 0, workspace: workspace)
    let d = model.specification.latentDimension
    let values = video.pixels.withUnsafeBufferPointer { source in
      source.baseAddress.map { pass.encode($0, count: video.frameCount) }
    }
    guard let values else { return [] }
    var means = [Double](repeating: 0, count: video.frameCount * d)
    for f in 0..<video.frameCount {
      for i in 0..<d { means[f * d + i] = values[3 * f * d + i] }
    }
    return means
  }

  // MARK: - KL divergence

  /// The cotangents of the posteriors' means and standard deviations: per encoded frame, and
  /// of each window's velocity.
  struct PosteriorCotangents {
    var mean: [Double]
    var deviation: [Double]
    var velocityMean: [Double]
    var velocityDeviation: [Double]
  }

  /// The KL divergence of every window's posterior from the prior, summed over the windows;
  /// with `accumulate`, its derivatives times `scale` are added to the cotangents.
  func divergence(
    accumulate: (cotangents: UnsafeMutablePointer<PosteriorCotangents>, scale: Double)?
  )
    -> Double
  {
    let values = posterior
    var total = 0.0
    let h = model.dynamics?.stepSize ?? 1
    for b in 0..<batch {
      switch specification.start {
      case .perFrame:
        for k in 0..<encodedPerWindow {
          let f = encodedFrame(b, k)
          for i in 0..<d {
            let (mu, sigma) = (values[3 * f * d + i], values[3 * f * d + d + i])
            let kl = GaussianPosterior.divergence(mean: mu, deviation: sigma, priorVariance: 1)
            total += kl.value
            if let (c, scale) = accumulate {
              c.pointee.mean[f * d + i] += scale * kl.meanDerivative
              c.pointee.deviation[f * d + i] += scale * kl.deviationDerivative
            }
          }
        }
      case .velocity:
        let f = encodedFrame(b, 0)
        for i in 0..<d {
          let (mu, sigma) = (values[3 * f * d + i], values[3 * f * d + d + i])
          let position = GaussianPosterior.divergence(mean: mu, deviation: sigma, priorVariance: 1)
          let (vMu, vSigma, _) = velocityPosterior(b, i)
          let velocity = GaussianPosterior.divergence(
            mean: vMu, deviation: vSigma, priorVariance: specification.velocityPriorVariance)
          total += position.value + velocity.value
          if let (c, scale) = accumulate {
            c.pointee.mean[f * d + i] += scale * position.meanDerivative
            c.pointee.deviation[f * d + i] += scale * position.deviationDerivative
            c.pointee.velocityMean[b * d + i] += scale * velocity.meanDerivative
            c.pointee.velocityDeviation[b * d + i] += scale * velocity.deviationDerivative
          }
        }
      case .twoPositions:
        let (f0, f1) = (encodedFrame(b, 0), encodedFrame(b, 1))
        for i in 0..<d {
          let (mu0, sigma0) = (values[3 * f0 * d + i], values[3 * f0 * d + d + i])
          let (mu1, sigma1) = (values[3 * f1 * d + i], values[3 * f1 * d + d + i])
          let delta =
            specification.onCircle ? GaussianPosterior.wrappedAngle(mu1 - mu0) : mu1 - mu0
          let kl = GaussianPosterior.increment(
            mean0: mu0, deviation0: sigma0, mean1: mu1, deviation1: sigma1, increment: delta,
            variance: h)
          total += kl.value
          if let (c, scale) = accumulate {
            let (dMu0, dSigma0, dMu1, dSigma1) = kl.derivatives
            c.pointee.mean[f0 * d + i] += scale * dMu0
            c.pointee.deviation[f0 * d + i] += scale * dSigma0
            c.pointee.mean[f1 * d + i] += scale * dMu1
            c.pointee.deviation[f1 * d + i] += scale * dSigma1
          }
        }
      }
    }
    return total
  }

  // MARK: - Backward

  /// The gradient of the last ``loss(noise:)`` with respect to the model's
  /// ``PixelModel/flatParameters``, written to `g` (``PixelModel/parameterCount`` numbers).
  func backward(into g: UnsafeMutablePointer<Double>) {
    g.update(repeating: 0, count: model.parameterCount)
    let scale = 1 / Double(batch)
    let encoderGradient = g
    let recurrentGradient = encoderGradient + model.encoderParameters.count
    let decoderGradient = recurrentGradient + model.recurrentParameters.count
    let dynamicsGradient = decoderGradient + model.decoderParameters.count
    // ℓ̄ = (σ(ℓ) − y)/B, left in place of the logits by the loss.
    let l = logits
    let rows = batch * length
    let inputs = specification.decoderInputDimension
    let inputBar = workspace.buffer(.decoderInputCotangent, count: rows * inputs)
    let work = scratch
    model.decoderParameters.withUnsafeBufferPointer { pb in
      guard let p = pb.baseAddress else { return }
      decoder.accumulatePullback(
        p, decoderInput, batch: rows, hidden: decoderHidden, outputCotangent: l, scratch: work,
        into: decoderGradient, inputCotangent: inputBar)
    }
    // The latent positions' cotangents (through (cos q, sin q) on the circle).
    var latentBar = [Double](repeating: 0, count: rows * d)
    for k in latentBar.indices {
      latentBar[k] =
        specification.onCircle
        ? -Double.sin(latent[k]) * inputBar[2 * k] + Double.cos(latent[k]) * inputBar[2 * k + 1]
        : inputBar[k]
    }
    var cotangents = PosteriorCotangents(
      mean: Array(repeating: 0, count: frameCount * d),
      deviation: Array(repeating: 0, count: frameCount * d),
      velocityMean: Array(repeating: 0, count: batch * d),
      velocityDeviation: Array(repeating: 0, count: batch * d))
    if let rolloutPullback {
      var rowsBar = [Double](repeating: 0, count: rows * rowWidth)
      for row in 0..<rows {
        for i in 0..<d { rowsBar[row * rowWidth + i] = latentBar[row * d + i] }
      }
      let (parameters, initialBar) = rolloutPullback(rowsBar)
      for i in parameters.indices { dynamicsGradient[i] += parameters[i] }
      for b in 0..<batch {
        for i in 0..<d {
          let (first, second) = (b * 2 * d + i, b * 2 * d + d + i)
          let f0 = encodedFrame(b, 0) * d + i
          cotangents.mean[f0] += initialBar[first]
          cotangents.deviation[f0] += initialBar[first] * noise[first]
          if specification.start == .velocity {
            cotangents.velocityMean[b * d + i] += initialBar[second]
            cotangents.velocityDeviation[b * d + i] += initialBar[second] * noise[second]
          } else {
            let f1 = encodedFrame(b, 1) * d + i
            cotangents.mean[f1] += initialBar[second]
            cotangents.deviation[f1] += initialBar[second] * noise[second]
          }
        }
      }
    } else {
      for (s, f) in slotFrames.enumerated() {
        for i in 0..<d {
          cotangents.mean[f * d + i] += latentBar[s * d + i]
          cotangents.deviation[f * d + i] += latentBar[s * d + i] * noise[s * d + i]
        }
      }
    }
    _ = withUnsafeMutablePointer(to: &cotangents) { divergence(accumulate: ($0, scale)) }
    // The encoder outputs' cotangents, and the LSTM's pullback into them (each slot's into its
    // frame's).
    let e = specification.encodingDimension
    let outputBar = workspace.buffer(.encoderCotangent, count: frameCount * e)
    outputBar.update(repeating: 0, count: frameCount * e)
    if let recurrent {
      let readOutBar = workspace.buffer(.recurrentCotangent, count: batch * 2 * d)
      for b in 0..<batch {
        for i in 0..<d {
          let (_, _, derivative) = velocityPosterior(b, i)
          readOutBar[b * 2 * d + i] = cotangents.velocityMean[b * d + i]
          readOutBar[b * 2 * d + d + i] = cotangents.velocityDeviation[b * d + i] * derivative
        }
      }
      let inputBar = workspace.buffer(.recurrentInputCotangent, count: encodedCount * e)
      model.recurrentParameters.withUnsafeBufferPointer { pb in
        guard let p = pb.baseAddress else { return }
        recurrent.accumulatePullback(
          p, batch: batch, steps: encodedPerWindow, storage: recurrentStorage,
          outputCotangent: readOutBar, scratch: work, into: recurrentGradient,
          inputCotangent: inputBar)
      }
      for (s, f) in slotFrames.enumerated() {
        for j in 0..<e { outputBar[f * e + j] += inputBar[s * e + j] }
      }
    }
    let values = posterior
    let output = encoderOutput
    for f in 0..<frameCount {
      let row = outputBar + f * e
      if specification.onCircle {
        let (a, b) = (output[f * 3], output[f * 3 + 1])
        let radius2 = a * a + b * b
        row[0] += -b / radius2 * cotangents.mean[f]
        row[1] += a / radius2 * cotangents.mean[f]
        row[2] += cotangents.deviation[f] * values[3 * f + 2]
      } else {
        for i in 0..<d {
          row[i] += cotangents.mean[f * d + i]
          row[d + i] += cotangents.deviation[f * d + i] * values[3 * f * d + 2 * d + i]
        }
      }
    }
    model.encoderParameters.withUnsafeBufferPointer { pb in
      guard let p = pb.baseAddress else { return }
      encoder.accumulatePullback(
        p, encoderInput, batch: frameCount, hidden: encoderHidden, outputCotangent: outputBar,
        scratch: work, into: encoderGradient, inputCotangent: nil)
    }
  }
}
