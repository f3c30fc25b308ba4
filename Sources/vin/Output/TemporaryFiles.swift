import Foundation
import Synchronization

/// The temporary files `vin` is writing, removed when SIGINT or SIGTERM ends the process, so
/// that an interrupted run leaves no `.NAME.*.tmp` file behind.
///
/// The paths are kept as C strings in a fixed set of lock-free slots: the signal handler only
/// loads the slots and calls `unlink(2)`, `signal(2)` and `raise(3)`, all async-signal-safe.
enum TemporaryFiles {
  /// The number of slots: more than the files one run writes at once.
  private static let capacity = 16

  /// Each slot holds a `strdup`ed path's address, or 0. The atomics live in memory allocated
  /// once and never freed, so their addresses are stable (an `Atomic` cannot be moved).
  private nonisolated(unsafe) static let slots: UnsafeMutablePointer<Atomic<Int>> = {
    let slots = UnsafeMutablePointer<Atomic<Int>>.allocate(capacity: capacity)
    for index in 0..<capacity { (slots + index).initialize(to: Atomic(0)) }
    return slots
  }()

  /// Installs the handler of SIGINT and SIGTERM: remove the registered files, then die of the
  /// signal as the default action would (the shell reports status 128 + signal number).
  ///
  /// Both signals are also unblocked: a parent (a test runner, a script) may have started this
  /// process with them blocked, which would leave them pending for ever.
  static func install() {
    _ = slots  // allocated before the handler can run
    var mask = sigset_t()
    sigemptyset(&mask)
    for signalNumber in [SIGINT, SIGTERM] {
      sigaddset(&mask, signalNumber)
      signal(signalNumber) { signalNumber in
        TemporaryFiles.removeAll()
        signal(signalNumber, SIG_DFL)
        raise(signalNumber)
      }
    }
    pthread_sigmask(SIG_UNBLOCK, &mask, nil)
  }

  /// Removes every registered file (from a signal handler too).
  static func removeAll() {
    for index in 0..<capacity {
      let address = slots[index].load(ordering: .acquiring)
      if let path = UnsafePointer<CChar>(bitPattern: address) { unlink(path) }
    }
  }

  /// Registers `path` for removal on a signal (a no-op when all slots are taken).
  static func register(_ path: String) {
    guard let copy = strdup(path) else { return }
    let address = Int(bitPattern: copy)
    for index in 0..<capacity
    where slots[index].compareExchange(expected: 0, desired: address, ordering: .releasing)
      .exchanged
    {
      return
    }
    free(copy)
  }

  /// Forgets `path` (once it has been renamed into place or removed).
  static func unregister(_ path: String) {
    for index in 0..<capacity {
      let address = slots[index].load(ordering: .acquiring)
      guard let registered = UnsafeMutablePointer<CChar>(bitPattern: address),
        String(cString: registered) == path,
        slots[index].compareExchange(
          expected: address, desired: 0, ordering: .acquiringAndReleasing
        )
        .exchanged
      else { continue }
      free(registered)
      return
    }
  }
}
