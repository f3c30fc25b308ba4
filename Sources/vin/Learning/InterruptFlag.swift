import Dispatch
import Foundation
import Synchronization

/// Ctrl-C during training: the first SIGINT sets a flag that the training progress callback
/// reads (the trainer then stops and returns the best model so far, which is written as usual);
/// a second SIGINT ends the process at once with status 130.
enum InterruptFlag {
  private static let requested = Atomic<Bool>(false)
  nonisolated(unsafe) private static var source: (any DispatchSourceSignal)?

  /// Whether SIGINT has arrived since ``install()``.
  static var isSet: Bool { requested.load(ordering: .relaxed) }

  /// Replaces the default SIGINT action (terminate) by setting the flag.
  /// SIGINT is also unblocked: a parent (a test runner, a shell script) may have started this
  /// process with it blocked, which would leave the signal pending for ever.
  static func install() {
    var mask = sigset_t()
    sigemptyset(&mask)
    sigaddset(&mask, SIGINT)
    pthread_sigmask(SIG_UNBLOCK, &mask, nil)
    signal(SIGINT, SIG_IGN)
    let handler = DispatchSource.makeSignalSource(signal: SIGINT, queue: .global())
    handler.setEventHandler {
      if requested.exchange(true, ordering: .relaxed) { _exit(130) }
    }
    handler.resume()
    source = handler
  }
}
