import Foundation
import VINKit

/// `--control SPEC`, the inputs u of a run, held over each step (zero-order hold): a CSV file of
/// samples `t,u1,…,um`, or a signal for making identification data,
///
/// - `random:std=S,hold=T[,seed=K]`: each input an independent N(0, S²) value, drawn anew every T
///   time units (holds `[jT, (j+1)T)`, j = 0, 1, …) from the seed K (default 0), in the order
///   hold by hold, input by input;
/// - `sine:amplitude=A,frequency=F`: every input `A sin(2π F t)` at the start of each step.
///
/// Step k holds the signal's value at `t_k = k h` (a file's sample within 10⁻⁶ h before t_k
/// counts as at it, ``ZeroOrderHold``).
struct ControlSignal: Sendable {
  /// What the signal is.
  enum Source: Sendable {
    /// Samples read from a file.
    case samples(ZeroOrderHold)
    case random(standardDeviation: Double, hold: Double, seed: UInt64)
    case sine(amplitude: Double, frequency: Double)
  }

  /// The specification as given (messages name it).
  let specification: String
  let source: Source

  /// The signal `spec` names; a file is read and checked here.
  /// - Throws: ``CommandError/invalidControl(_:detail:)`` naming the bad part of the
  ///   specification, or the file's line and column.
  init(parsing spec: String) throws(CommandError) {
    specification = spec
    if spec.hasPrefix("random:") {
      let values = try Self.settings(
        spec, prefix: "random:", required: ["std", "hold"], optional: ["seed"])
      let std = try Self.number(values["std"], "std", in: spec)
      guard std >= 0 else {
        throw .invalidControl(spec, detail: "std = \(std) must be non-negative")
      }
      let hold = try Self.number(values["hold"], "hold", in: spec)
      guard hold > 0 else { throw .invalidControl(spec, detail: "hold = \(hold) must be positive") }
      var seed: UInt64 = 0
      if let text = values["seed"] {
        guard let value = UInt64(text) else {
          throw .invalidControl(
            spec, detail: "seed = '\(text)' must be an integer from 0 to \(UInt64.max)")
        }
        seed = value
      }
      source = .random(standardDeviation: std, hold: hold, seed: seed)
    } else if spec.hasPrefix("sine:") {
      let values = try Self.settings(
        spec, prefix: "sine:", required: ["amplitude", "frequency"], optional: [])
      source = .sine(
        amplitude: try Self.number(values["amplitude"], "amplitude", in: spec),
        frequency: try Self.number(values["frequency"], "frequency", in: spec))
    } else {
      source = .samples(try ControlFile.read(spec))
    }
  }

  /// Throws unless the signal can drive a run of `steps` steps of size h of a system with m
  /// inputs: a file must have m input columns and cover `[0, N h]`; a random signal's hold must
  /// be at least h (each step holds one input). `subject` names what is driven in messages
  /// (`system 'pendulum'`, `model 'm.json'`).
  func validate(inputs m: Int, steps: Int, stepSize h: Double, subject: String)
    throws(CommandError)
  {
    switch source {
    case .samples(let samples):
      guard samples.inputCount == m else {
        throw .invalidControl(
          specification,
          detail:
            "the file has \(samples.inputCount) input column\(samples.inputCount == 1 ? "" : "s"), \(subject) has \(m) input\(m == 1 ? " (u1)" : "s (u1…u\(m))")"
        )
      }
      do throws(IntegrationError) {
        try samples.validateCoverage(steps: steps, stepSize: h)
      } catch {
        throw .invalidControl(
          specification,
          detail:
            "its times run from \(samples.times.first ?? .nan) to \(samples.times.last ?? .nan), which does not cover the run from t = 0 to t = \(Double(steps) * h) (--steps \(steps), --dt \(h))"
        )
      }
    case .random(_, let hold, _):
      guard hold >= h else {
        throw .invalidControl(
          specification,
          detail: "hold = \(hold) is shorter than the step --dt \(h); each step holds one input")
      }
    case .sine:
      return
    }
  }

  /// The inputs of the run, step by step.
  func sequence(inputs m: Int, stepSize h: Double) -> ControlSequence {
    ControlSequence(signal: self, inputCount: m, stepSize: h)
  }

  /// `name=value` pairs after `prefix`, with the required names present and no others.
  private static func settings(
    _ spec: String, prefix: String, required: [String], optional: [String]
  ) throws(CommandError) -> [String: String] {
    var values: [String: String] = [:]
    let known = required + optional
    for entry in spec.dropFirst(prefix.count).split(
      separator: ",", omittingEmptySubsequences: false)
    {
      let parts = entry.split(separator: "=", omittingEmptySubsequences: false)
      let name = parts[0].trimmingCharacters(in: .whitespaces)
      guard parts.count == 2 else {
        throw .invalidControl(spec, detail: "'\(entry)' is not of the form NAME=VALUE")
      }
      guard known.contains(name) else {
        throw .invalidControl(
          spec,
          detail:
            "unknown setting '\(name)' (\(prefix)\(known.map { "\($0)=…" }.joined(separator: ",")))"
        )
      }
      values[name] = parts[1].trimmingCharacters(in: .whitespaces)
    }
    for name in required where values[name] == nil {
      throw .invalidControl(spec, detail: "missing \(name)=…")
    }
    return values
  }

  /// The finite number `text` of setting `name`.
  private static func number(_ text: String?, _ name: String, in spec: String)
    throws(CommandError) -> Double
  {
    guard let text, let value = Double(text) else {
      throw .invalidControl(spec, detail: "\(name) = '\(text ?? "")' is not a number")
    }
    guard value.isFinite else {
      throw .invalidControl(spec, detail: "\(name) = \(value) must be finite")
    }
    return value
  }
}

/// The inputs of a run from a ``ControlSignal``, step by step: ``input(atStep:)`` for
/// k = 0, 1, … in order (a random signal draws its holds as the steps reach them).
struct ControlSequence {
  let signal: ControlSignal
  let inputCount: Int
  let stepSize: Double
  private var generator: SeededGenerator?
  /// The last hold drawn and its values.
  private var hold = -1
  private var values: [Double]

  init(signal: ControlSignal, inputCount: Int, stepSize: Double) {
    self.signal = signal
    self.inputCount = inputCount
    self.stepSize = stepSize
    values = Array(repeating: 0, count: inputCount)
    if case .random(_, _, let seed) = signal.source { generator = SeededGenerator(seed: seed) }
  }

  /// `u_k`, the input held over step k (and written on row k).
  mutating func input(atStep k: Int) -> [Double] {
    let h = stepSize
    let t = Double(k) * h
    switch signal.source {
    case .samples(let samples):
      // Validated to cover the run.
      return samples.input(atStep: k, stepSize: h) ?? values
    case .random(let std, let length, _):
      let target = Int(((t + ZeroOrderHold.timeTolerance * h) / length).rounded(.down))
      while hold < target {
        for i in 0..<inputCount { values[i] = generator?.nextNormal(standardDeviation: std) ?? 0 }
        hold += 1
      }
      return values
    case .sine(let amplitude, let frequency):
      let value = amplitude * sin(2 * Double.pi * frequency * t)
      return Array(repeating: value, count: inputCount)
    }
  }
}
