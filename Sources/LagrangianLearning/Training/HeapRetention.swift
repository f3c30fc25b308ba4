#if canImport(Glibc)
  import Glibc
#endif

/// Keeps freed heap memory in the process for reuse during training.
///
/// A training iteration allocates and frees the same working set every time (each step's
/// network activations, B·width numbers per layer). With glibc's defaults, blocks above
/// 128 KiB are mapped and unmapped on every allocation, and freed memory above 128 KiB at the
/// top of the heap is returned to the kernel, so each iteration faults its working set back
/// in page by page: measured on the paper-setting pendulum (width 1000, 10 windows of 20
/// steps), 1.7 ms per iteration with the defaults against 1.06 ms with the thresholds
/// below, the difference all in the kernel's page-fault handler. ``Trainer`` raises the
/// thresholds once per process to 32 MiB (mapping) and 64 MiB (trimming): a process then
/// keeps up to 64 MiB of freed memory for reuse instead of returning it. Other C libraries
/// are left alone.
enum HeapRetention {
  /// Evaluated once, on first use.
  static let configured: Bool = {
    #if canImport(Glibc)
      // mallopt(3) and M_TRIM_THRESHOLD are in <malloc.h>, which the Glibc module leaves out;
      // RTLD_DEFAULT (a null handle) finds the C library's own mallopt.
      typealias Mallopt = @convention(c) (Int32, Int32) -> Int32
      guard let symbol = dlsym(nil, "mallopt") else { return false }
      let mallopt = unsafeBitCast(symbol, to: Mallopt.self)
      let mmapThreshold: Int32 = -3  // M_MMAP_THRESHOLD
      let trimThreshold: Int32 = -1  // M_TRIM_THRESHOLD
      return mallopt(mmapThreshold, 32 << 20) == 1 && mallopt(trimThreshold, 64 << 20) == 1
    #else
      return false
    #endif
  }()
}
