import ArgumentParser

/// `vin systems`: the built-in systems with their parameters, defaults, integrators and whether
/// `vin render` draws them.
struct SystemsCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "systems",
    abstract: "List the built-in systems, their parameters, inputs, defaults and integrators.")

  func run() throws {
    try StandardOutput.write(Self.listing() + "\n")
  }

  /// The text printed by `vin systems`; the properties of each integrator are its
  /// ``IntegratorTraits``, from the systems' entries.
  static func listing() -> String {
    var lines: [String] = []
    for entry in SystemCatalog.all {
      lines.append("\(entry.name): \(entry.configuration)")
      lines.append("  L = \(entry.lagrangian)")
      if entry.parameters.isEmpty {
        lines.append("  parameters:  none")
      } else {
        lines.append("  parameters:")
        for parameter in entry.parameters {
          lines.append("    \(parameter.name) = \(parameter.defaultValue)  \(parameter.meaning)")
        }
      }
      if let inputs = entry.inputs.listing {
        lines.append("  inputs (--control):")
        lines.append(contentsOf: inputs.map { "    \($0)" })
      } else {
        lines.append("  inputs:      none")
      }
      let (positionMeaning, velocityMeaning) =
        entry.initialConditionMeaning.map { (" (\($0.position))", " (\($0.velocity))") } ?? ("", "")
      let velocity =
        entry.defaultVelocity?.map(\.description).joined(separator: ",") ?? "0 (n entries)"
      lines.append(
        "  defaults:    --q0 \(entry.defaultPosition.map(\.description).joined(separator: ","))"
          + "\(positionMeaning)  --v0 \(velocity)\(velocityMeaning)")
      let others = entry.integrators.dropFirst().map(\.name)
      lines.append(
        "  integrators: \(entry.defaultIntegrator) (default)"
          + (others.isEmpty ? "" : ", " + others.joined(separator: ", ")))
      lines.append("  frames:      " + (entry.drawing == nil ? "none" : "drawn by vin render"))
      lines.append("")
    }
    lines.append("integrators:")
    for description in IntegratorCatalog.all {
      let variants = IntegratorCatalog.traits(of: description.name)
      let head = "  \(description.name.padding(12))\(description.title)"
      if variants.count == 1 {
        lines.append("\(head): \(variants[0].traits.properties)")
      } else {
        lines.append(head)
        for variant in variants {
          lines.append(
            "    on \(variant.systems.joined(separator: ", ")): \(variant.traits.properties)")
        }
      }
    }
    return lines.joined(separator: "\n")
  }
}

extension String {
  /// The string padded with spaces to `width` characters.
  fileprivate func padding(_ width: Int) -> String {
    self + String(repeating: " ", count: max(1, width - count))
  }
}
