import Foundation
import VINKit

/// The training progress on standard error: on a terminal one line rewritten in place (`\r`),
/// otherwise (a log file, a pipe) a line at every tenth of the run, at least every 5 seconds,
/// and at its end.
struct ProgressLine {
  private let isTerminal = isatty(STDERR_FILENO) == 1
  private var lastLength = 0
  private let clock = ContinuousClock()
  private var lastLine: ContinuousClock.Instant?

  mutating func show(_ progress: TrainingProgress) {
    let line = progress.description
    if isTerminal {
      let padding = String(repeating: " ", count: max(0, lastLength - line.count))
      lastLength = line.count
      write("\r" + line + padding)
    } else {
      let interval = max(1, progress.totalIterations / 10)
      let due = lastLine.map { clock.now - $0 >= .seconds(5) } ?? true
      if due || progress.iteration % interval == 0
        || progress.iteration == progress.totalIterations
      {
        lastLine = clock.now
        write(line + "\n")
      }
    }
  }

  /// Ends the rewritten line, so later messages start on a fresh one.
  mutating func finish() {
    if isTerminal, lastLength > 0 { write("\n") }
    lastLength = 0
  }

  private func write(_ text: String) {
    StandardError.write(text)
  }
}

/// One line on standard error.
func printToStandardError(_ line: String) {
  StandardError.write(line + "\n")
}
