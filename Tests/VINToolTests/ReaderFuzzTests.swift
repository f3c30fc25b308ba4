import Foundation
import Testing
import VINKit

/// Bounded fuzzing of the two readers of untrusted files, the trajectory CSV reader
/// (`ObservedTrajectory(csv:)`) and the model-file decoder (`ModelFile(json:)`): random
/// mutations of valid inputs, from a fixed seed, for a fixed number of executions or a time
/// budget (whichever ends first). Every input must either be rejected with a typed
/// `LearningError` or give a value that satisfies the reader's contract; a crash fails the run.
/// Docs/CLI.md reports the executions and findings.
@Suite struct ReaderFuzzTests {
  /// Executions per target, and the wall-clock budget that bounds them in a slow debug build.
  static let executions = 20_000
  static let budget: Duration = .seconds(3)

  /// Valid inputs the mutations start from.
  static let csvSeeds = [
    "t,q1,v1,energy\n0.0,1.0,0.0,-5.3\n0.1,0.95,-0.98,-5.3\n0.2,0.81,-1.9,-5.3\n",
    "t,q1,q2,v1,v2\n0,1,0,0,1\n0.05,0.99,0.05,-0.05,0.99\n0.1,0.98,0.1,-0.1,0.98\n",
    "t,q1\n0,1\n0.1,0.9\n0.2,0.7\n",
    "t,R11,R12,R13,R21,R22,R23,R31,R32,R33,w1,w2,w3,energy\n"
      + "0,1,0,0,0,1,0,0,0,1,0.1,0.2,3,1\n0.01,1,0,0,0,1,0,0,0,1,0.1,0.2,3,1\n",
  ]

  static let modelSeeds = [
    """
    {"format": "vinkit-model", "version": 1, "kind": "vin-vv", "dimension": 1, "stepSize": 0.1,
     "potential": {"kind": "quadratic", "parameters": [4]},
     "mass": {"kind": "identity", "parameters": []}}
    """,
    // A `vin fit --width 2` model: an MLP potential with its shape, a learned mass, and the
    // training summary with its configuration.
    """
    {"dimension":1,"format":"vinkit-model","kind":"vin-vv","mass":{"epsilon":0.0001,\
    "kind":"constant","parameters":[0.5421666522928733]},"potential":{"kind":"mlp",\
    "parameters":[0.7656216164514655,-0.13794400553293473,-0.9481324565903245,\
    0.942763951409658,-0.555709847690797,-0.24519822640342395,-0.4612204870854966],\
    "shape":{"activation":"tanh","depth":1,"inputDimension":1,"outputDimension":1,"width":2}},\
    "stepSize":0.1,"training":{"bestIteration":1,"bestLoss":12.922172690840847,\
    "configuration":{"batchSize":32,"gradientClipNorm":10,"horizon":2,"initialNoiseScale":0.1,\
    "initialStates":"learned","iterations":1,"learningRate":0.001,\
    "learningRateSchedule":"constant","loss":"nll","seed":0,"shards":2,"validationFraction":0,\
    "validationInterval":10},"finalLoss":12.98237790967344,"iterations":1,\
    "noiseScale":0.10010005001656758,"stopReason":{"completed":{}},"trainingWindows":19,\
    "validationWindows":0},"version":1}
    """,
  ]

  /// Fragments inserted by the mutations: separators, signs, exponents, special numbers, a NUL.
  static let fragments = [
    ",", "\n", "\r\n", "\u{0}", "-", "+", "e", "E308", "e-400", ".", "nan", "inf", "-0",
    "1e308", "9223372036854775807", "0x1p3", " ", "\"", "{", "}", "[", "]", ":", "null",
    "true", "-1", "0", "4611686018427387904", "1e-320", "ü",
  ]

  @Test func csvReaderRejectsOrReadsEveryMutation() {
    var generator = SeededGenerator(seed: 9)
    let (count, accepted) = Self.fuzz(seeds: Self.csvSeeds, generator: &generator) { text in
      guard let trajectory = try? ObservedTrajectory(csv: text) else { return false }
      // The contract of an accepted file: one sample per time, finite values throughout.
      #expect(trajectory.count >= 1)
      #expect(trajectory.times.allSatisfy { $0.isFinite })
      switch trajectory.states {
      case .coordinates(let positions, let velocities):
        #expect(positions.count == trajectory.count)
        #expect(positions.allSatisfy { row in row.allSatisfy { $0.isFinite } })
        #expect(velocities.map { $0.count == trajectory.count } ?? true)
      case .rigidBody(let attitudes, let angularVelocities):
        #expect(attitudes.count == trajectory.count)
        #expect(angularVelocities.count == trajectory.count)
        #expect(attitudes.allSatisfy { r in r.matrix.entries.allSatisfy { $0.isFinite } })
        #expect(angularVelocities.allSatisfy { w in w.components.allSatisfy { $0.isFinite } })
      }
      return true
    }
    print("CSV reader fuzzing: \(count) executions, \(accepted) accepted, no crash")
    #expect(count >= 1000)
  }

  @Test func modelFileDecoderRejectsOrReadsEveryMutation() {
    var generator = SeededGenerator(seed: 11)
    let (count, accepted) = Self.fuzz(seeds: Self.modelSeeds, generator: &generator) { text in
      guard let file = try? ModelFile(json: Data(text.utf8)) else { return false }
      // What is read is a valid model file: it writes and reads back to itself.
      #expect((try? ModelFile(json: file.encoded())) == file)
      return true
    }
    print("Model file fuzzing: \(count) executions, \(accepted) accepted, no crash")
    #expect(count >= 1000)
  }

  /// Runs `body` on mutations of `seeds` until ``executions`` or ``budget``; returns the number
  /// of executions and of inputs `body` accepted.
  static func fuzz(
    seeds: [String], generator: inout SeededGenerator, _ body: (String) -> Bool
  ) -> (executions: Int, accepted: Int) {
    let clock = ContinuousClock()
    let start = clock.now
    var accepted = 0
    var count = 0
    while count < executions, clock.now - start < budget {
      var text = Array(seeds[Int(generator.next() % UInt64(seeds.count))].unicodeScalars)
      for _ in 0...(generator.next() % 4) { mutate(&text, &generator) }
      if body(String(String.UnicodeScalarView(text))) { accepted += 1 }
      count += 1
    }
    return (count, accepted)
  }

  /// One random edit: insert a fragment, delete a range, replace a number by a fragment,
  /// duplicate a line, or flip a character.
  static func mutate(_ text: inout [Unicode.Scalar], _ generator: inout SeededGenerator) {
    func index(_ bound: Int) -> Int { Int(generator.next() % UInt64(max(bound, 1))) }
    let position = index(text.count + 1)
    switch generator.next() % 5 {
    case 0:
      text.insert(contentsOf: fragments[index(fragments.count)].unicodeScalars, at: position)
    case 1:
      let end = min(text.count, position + 1 + index(8))
      if position < end { text.removeSubrange(position..<end) }
    case 2:
      // Replace the number (digits, sign, dot, exponent) around `position`.
      var start = min(position, text.count)
      var end = start
      let numeric = Set("0123456789.-+eE".unicodeScalars)
      while start > 0, numeric.contains(text[start - 1]) { start -= 1 }
      while end < text.count, numeric.contains(text[end]) { end += 1 }
      text.replaceSubrange(start..<end, with: fragments[index(fragments.count)].unicodeScalars)
    case 3:
      let lines = String(String.UnicodeScalarView(text)).split(
        separator: "\n", omittingEmptySubsequences: false)
      var copy = lines
      copy.insert(lines[index(lines.count)], at: index(lines.count + 1))
      text = Array(copy.joined(separator: "\n").unicodeScalars)
    default:
      if position < text.count {
        text[position] = Unicode.Scalar(UInt8(truncatingIfNeeded: generator.next() % 128))
      }
    }
  }
}
