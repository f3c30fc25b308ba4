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
    // MARK: - Benchmark targets (one executable per suite, under Benchmarks/NAME)

    .executableTarget(
      name: "ManifoldsBenchmarks",
      dependencies: [
        .product(name: "Benchmark", package: "benchmark"),
        .product(name: "Manifolds", package: "VINKit"),
      ],
      path: "Benchmarks/ManifoldsBenchmarks",
      plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
    )
  ]
)
