import FileOutput
import Foundation
import Synchronization

/// Ctrl-C during training: the first SIGINT sets a flag that the training progress callback
/// reads (the trainer then stops and returns the best model so far, which is written as usual);
/// a second SIGINT removes the ``TemporaryFiles`` and ends the process at once with status 130.
enum InterruptFlag {
  private static let requested = Atomic<Bool>(false)

  /// Whether SIGINT has arrived since ``install()``.
  static var isSet: Bool { requested.load(ordering: .relaxed) }

  /// Replaces the default SIGINT action (terminate) by a handler that sets the flag; the
  /// handler does nothing but a lock-free atomic exchange, ``TemporaryFiles/removeAll()`` and
  /// `_exit`, all safe in a signal handler. (A dispatch signal source needs the signal ignored
  /// or blocked in every thread, and a SIGINT that arrives while it is being registered is
  /// lost: a fit then never stops.)
  /// SIGINT is also unblocked: a parent (a test runner, a shell script) may have started this
  /// process with it blocked, which would leave the signal pending for ever. The training
  /// threads, created later, inherit the unblocked mask.
  static func install() {
    _ = requested.load(ordering: .relaxed)  // initialised before the handler can run
    signal(SIGINT) { _ in
      if InterruptFlag.requested.exchange(true, ordering: .relaxed) {
        TemporaryFiles.removeAll()
        _exit(130)
      }
    }
    var mask = sigset_t()
    sigemptyset(&mask)
    sigaddset(&mask, SIGINT)
    pthread_sigmask(SIG_UNBLOCK, &mask, nil)
  }
}
