import ArgumentParser

/// `--output` and `--plot`, shared by the commands that produce a trajectory.
struct OutputOptions: ParsableArguments {
  @Option(
    help: ArgumentHelp(
      "Write the CSV to this file instead of standard output.", valueName: "file.csv"))
  var output: String?

  @Option(help: ArgumentHelp("Also write an SVG plot to this file.", valueName: "file.svg"))
  var plot: String?
}
