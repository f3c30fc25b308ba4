import DiscreteMechanics
import Foundation
import LagrangianLearning
import Manifolds
import Testing

/// A bounded, seeded fuzz of the model-file decoder (issue 9 §4): valid files of every kind
/// (version 2 and version 1), mutated by replacing numbers and strings with hostile values,
/// deleting spans and truncating. Every mutant must load or be refused with a
/// ``LearningError``; a mutant that loads must build its model and forecast (or fail with a
/// ``LearningError``) — never trap, hang or exhaust memory.
@Suite("Model file fuzz")
struct ModelFileFuzzTests {
  static let hostileNumbers = [
    "0", "-1", "1e308", "-1e308", "\(Int.max)", "\(Int.min)", "4611686018427387904", "5e9",
    "1e-320", "\"nan\"", "\"inf\"", "null", "true", "[]", "{}", "1000", "100", "2.5", "-0",
  ]
  static let hostileStrings = [
    "\"mlp\"", "\"angular-mlp\"", "\"quadratic\"", "\"cosine\"", "\"so3-gravity\"", "\"so3-mlp\"",
    "\"identity\"", "\"constant\"", "\"configuration\"", "\"so3-inertia\"", "\"registered\"",
    "\"vin-vv\"", "\"vin-so3\"", "\"vin-mq\"", "\"resnet\"", "\"softplus\"", "\"\"", "3",
  ]

  /// The ranges of `pattern`'s matches in `text`.
  static func matches(_ pattern: String, in text: String) -> [Range<String.Index>] {
    guard let expression = try? NSRegularExpression(pattern: pattern) else { return [] }
    return expression.matches(in: text, range: NSRange(text.startIndex..., in: text))
      .compactMap { Range($0.range, in: text) }
  }

  static func pick<T>(_ values: [T], _ generator: inout SeededGenerator) -> T {
    values[Int(generator.nextUniform() * Double(values.count)) % values.count]
  }

  static func mutate(_ text: String, _ generator: inout SeededGenerator) -> String {
    var text = text
    switch Int(generator.nextUniform() * 4) {
    case 0:
      let numbers = matches("-?[0-9][0-9.eE+-]*", in: text)
      if !numbers.isEmpty {
        text.replaceSubrange(pick(numbers, &generator), with: pick(hostileNumbers, &generator))
      }
    case 1:
      let strings = matches("\"[a-z0-9-]+\"(?! *:)", in: text)
      if !strings.isEmpty {
        text.replaceSubrange(pick(strings, &generator), with: pick(hostileStrings, &generator))
      }
    case 2:
      let start = Int(generator.nextUniform() * Double(text.count))
      let length = 1 + Int(generator.nextUniform() * 8)
      let lower = text.index(text.startIndex, offsetBy: start)
      let upper = text.index(lower, offsetBy: min(length, text.count - start))
      text.removeSubrange(lower..<upper)
    default:
      text = String(text.prefix(Int(generator.nextUniform() * Double(text.count))))
    }
    return text
  }

  @Test("3000 mutated model files load or are refused with a LearningError")
  func mutatedFilesAreHandled() throws {
    var seeds = try ModelSpecificationTests.specifiedModels().map { model in
      String(decoding: try ModelFile(model: model).encoded(), as: UTF8.self)
    }
    seeds.append(ModelFileTests.versionOneMLP)
    seeds += ModelFileValidationTests.cases.map(\.json)
    var generator = SeededGenerator(seed: 2026)
    var executions = 0
    var loaded = 0
    var forecasts = 0
    // VINKIT_FUZZ_MUTANTS runs a longer campaign (Docs/Learning.md reports one).
    let count = ProcessInfo.processInfo.environment["VINKIT_FUZZ_MUTANTS"].flatMap(Int.init) ?? 3000
    for _ in 0..<count {
      var text = Self.pick(seeds, &generator)
      for _ in 0...Int(generator.nextUniform() * 3) { text = Self.mutate(text, &generator) }
      executions += 1
      let file: ModelFile
      do {
        file = try ModelFile(json: Data(text.utf8))
      } catch {
        continue
      }
      loaded += 1
      do {
        let model = try file.model()
        let n = model.configurationDimension
        let initial: MechanicalState =
          switch model.observationLayout {
          case .coordinates:
            .coordinates(
              position: Array(repeating: 0.1, count: n), velocity: Array(repeating: 0, count: n))
          case .rigidBody: .rigidBody(attitude: .identity, angularVelocity: Vector3(0.1, 0, 0))
          }
        let forecast = try model.forecast(from: initial, steps: 3)
        #expect(forecast.times.count == 4)
        forecasts += 1
      } catch {
        continue
      }
    }
    print("model-file fuzz: \(executions) mutants, \(loaded) loaded, \(forecasts) forecast")
    #expect(executions == count)
    #expect(loaded > 0)
  }
}
