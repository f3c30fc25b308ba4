/// The working memory of one training run: a ``RolloutWorkspace`` per shard, created with the
/// run and reused by every iteration (each shard's rollouts run on one thread at a time), and
/// how the shards are scheduled. Used by one run, from the thread that calls the trainer.
final class TrainingWorkspace: @unchecked Sendable {
  /// One per shard, shard s at index s.
  let shards: [RolloutWorkspace]
  /// Whether the shards run one after the other instead of in parallel: once their rollouts
  /// have run matrix products through an OpenBLAS that uses several threads itself. Two shards
  /// in parallel, each calling a multithreaded OpenBLAS, oversubscribe the cores; measured on 2
  /// cores (VIN-VV, depth 2, width 300, 130 windows, H 20; Docs/Benchmarks.md) 24–29 s per 20
  /// iterations against 2.8–3.0 s with the shards in turn. The shards and their reduction order
  /// stay the same, so the numbers do not change.
  private(set) var shardsInTurn = false
  /// OpenBLAS's thread count (read, never set: it is the user's, `OPENBLAS_NUM_THREADS`).
  private let matrixProductThreads = MatrixProducts.threadCount

  init(shards: Int) {
    self.shards = (0..<max(shards, 1)).map { _ in RolloutWorkspace() }
  }

  /// Updates ``shardsInTurn`` after an iteration.
  func noteIteration() {
    if matrixProductThreads > 1, shards.contains(where: \.ranMatrixProducts) {
      shardsInTurn = true
    }
  }
}
