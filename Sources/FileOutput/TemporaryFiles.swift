import Synchronization

#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

/// The temporary files of the ``AtomicFileWriter``s in flight, removed when SIGINT or SIGTERM
/// ends the process (once ``install()`` has been called), so that an interrupted run leaves no
/// `.NAME.*.tmp` file behind.
///
/// A writer registers its temporary file when it creates it and unregisters it once the file is
/// renamed into place or removed. The paths are kept as C strings in a fixed set of lock-free
/// slots: the signal handler only loads the slots and calls `unlink(2)`, `signal(2)` and
/// `raise(3)`, all async-signal-safe.
public enum TemporaryFiles {
  /// The number of slots: more than the files one run writes at once.
  private static let capacity = 16

  /// Each slot holds a `strdup`ed path's address, or 0. The atomics live in memory allocated
  /// once and never freed, so their addresses are stable (an `Atomic` cannot be moved).
  fileprivate nonisolated(unsafe) static let slots: UnsafeMutablePointer<Atomic<Int>> = {
    let slots = UnsafeMutablePointer<Atomic<Int>>.allocate(capacity: capacity)
    for index in 0..<capacity { (slots + index).initialize(to: Atomic(0)) }
    return slots
  }()

  /// Installs the handler of SIGINT and SIGTERM: remove the registered files, then die of the
  /// signal as the default action would (the shell reports status 128 + signal number).
  ///
  /// Both signals are also unblocked: a parent (a test runner, a script) may have started this
  /// process with them blocked, which would leave them pending for ever.
  public static func install() {
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

  /// Removes every registered file; async-signal-safe, for a signal handler of the caller's own
  /// (one that replaces the handler of ``install()``).
  public static func removeAll() {
    for index in 0..<capacity {
      let address = slots[index].load(ordering: .acquiring)
      if let path = UnsafePointer<CChar>(bitPattern: address) { unlink(path) }
    }
  }

  /// Registers `path` for removal on a signal (`nil`, and no removal, when all slots are taken).
  static func register(_ path: String) -> Registration? {
    guard let copy = strdup(path) else { return nil }
    for index in 0..<capacity
    where slots[index].compareExchange(
      expected: 0, desired: Int(bitPattern: copy), ordering: .releasing
    ).exchanged {
      return Registration(path: copy, slot: index)
    }
    free(copy)
    return nil
  }

  /// A path in a slot, until ``unregister()`` or until the last reference to it goes (a class,
  /// so that copies of a ``StagedFile`` share it and it is unregistered once).
  final class Registration: @unchecked Sendable {
    /// The `strdup`ed path, freed with the registration.
    private let path: UnsafeMutablePointer<CChar>
    private let slot: Int
    private let registered = Atomic<Bool>(true)

    fileprivate init(path: UnsafeMutablePointer<CChar>, slot: Int) {
      self.path = path
      self.slot = slot
    }

    deinit {
      unregister()
      free(path)
    }

    /// Whether the path is still in its slot (removed by a signal).
    var isRegistered: Bool { registered.load(ordering: .acquiring) }

    /// Empties the slot (once the file has been renamed into place or removed); a no-op after
    /// the first call.
    func unregister() {
      if registered.exchange(false, ordering: .acquiringAndReleasing) {
        TemporaryFiles.slots[slot].store(0, ordering: .releasing)
      }
    }
  }
}
