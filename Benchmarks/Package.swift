// swift-tools-version: 6.1
// VINKit benchmarks: a nested package, so that building VINKit never builds the benchmark
// harness. Run with `swift package --allow-writing-to-package-directory benchmark` here.

import PackageDescription

let package = Package(
  name: "VINKitBenchmarks",
  platforms: [.macOS(.v14)],
  dependencies: [
    .package(name: "VINKit", path: ".."),
    .package(
      url: "https://github.com/ordo-one/benchmark", from: "1.38.0", traits: ["MallocInterposer"]),
  ],
  targets: [
    // MARK: - Shared by the benchmark suites and the side-by-side runner

    // The plain C Verlet loops (the hardware floor), compiled with -O2 whatever the
    // configuration's own flags are (no public API; unsafe flags are fine in this unpublished
    // nested package).
    .target(
      name: "CVerletPeer",
      cSettings: [.unsafeFlags(["-O2"])]
    ),
    // GSL rk8pd driven from C (-O2): ReferenceSolver without its Swift callbacks.
    .target(
      name: "CRK8PDPeer",
      cSettings: [.unsafeFlags(["-O2"])],
      linkerSettings: [.linkedLibrary("gsl"), .linkedLibrary("gslcblas")]
    ),
    // The benchmark cases (system, initial state, step size) and the energy-matched rk8pd.
    .target(
      name: "IntegratorWorkloads",
      dependencies: [
        "CVerletPeer",
        "CRK8PDPeer",
        .product(name: "DiscreteMechanics", package: "VINKit"),
      ]
    ),

    // MARK: - Side-by-side runner: `swift run -c release CompareIntegrators`

    .executableTarget(
      name: "CompareIntegrators",
      dependencies: [
        "IntegratorWorkloads",
        .product(name: "DiscreteMechanics", package: "VINKit"),
      ]
    ),

    // MARK: - Pixel model training speed: `swift run -c release PixelTrainingSpeed`

    .executableTarget(
      name: "PixelTrainingSpeed",
      dependencies: [.product(name: "LagrangianLearning", package: "VINKit")]
    ),

    // MARK: - Benchmark targets (one executable per suite, under Benchmarks/NAME)

    .executableTarget(
      name: "ManifoldsBenchmarks",
      dependencies: [
        .product(name: "Benchmark", package: "benchmark"),
        .product(name: "Manifolds", package: "VINKit"),
      ],
      path: "Benchmarks/ManifoldsBenchmarks",
      plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
    ),
    .executableTarget(
      name: "IntegratorBenchmarks",
      dependencies: [
        "IntegratorWorkloads",
        .product(name: "Benchmark", package: "benchmark"),
        .product(name: "DiscreteMechanics", package: "VINKit"),
      ],
      path: "Benchmarks/IntegratorBenchmarks",
      plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
    ),
  ]
)
