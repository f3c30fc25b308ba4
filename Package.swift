// swift-tools-version: 6.1
// VINKit: structure-preserving integrators and Variational Integrator Networks in Swift.
// GPL-3.0-or-later (links GSL, which is GPL-3.0).

import Foundation
import PackageDescription

// MARK: - Example programs

/// Each example is one executable target under `Examples/NAME`.
let examples = [
  "PendulumEnergy", "Dzhanibekov", "SpinningTop", "DoublePendulum", "LearnPendulum",
  "LearnRigidBody", "LearnAndControl", "PixelPendulum",
]

/// The files beside an example's sources that are not built (README.md, figures).
func documentation(ofExample name: String) -> [String] {
  let directory = Context.packageDirectory + "/Examples/" + name
  let files = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
  return files.filter { !$0.hasSuffix(".swift") }.sorted()
}

let package = Package(
  name: "VINKit",
  platforms: [.macOS(.v14)],
  products: [
    .library(name: "VINKit", targets: ["VINKit"]),
    .library(name: "Manifolds", targets: ["Manifolds"]),
    .library(name: "DiscreteMechanics", targets: ["DiscreteMechanics"]),
    .library(name: "LagrangianLearning", targets: ["LagrangianLearning"]),
    .library(name: "Frames", targets: ["Frames"]),
    .executable(name: "vin", targets: ["vin"]),
  ],
  dependencies: [
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    .package(url: "https://github.com/apple/swift-numerics", from: "1.0.0"),
    .package(url: "https://github.com/swiftlang/swift-docc-plugin", from: "1.4.0"),
  ],
  targets: [
    // MARK: - System libraries

    .systemLibrary(
      name: "CGSL",
      pkgConfig: "gsl",
      providers: [.apt(["libgsl-dev"])]
    ),
    .systemLibrary(
      name: "COpenBLAS",
      pkgConfig: "openblas",
      providers: [.apt(["libopenblas-dev"])]
    ),
    .systemLibrary(
      name: "CPNG",
      pkgConfig: "libpng",
      providers: [.apt(["libpng-dev"])]
    ),
    // giflib has no pkg-config file on Debian: gif_lib.h is on the default include path.
    .systemLibrary(
      name: "CGIF",
      providers: [.apt(["libgif-dev"])]
    ),

    // MARK: - Kernels (C, for per-CPU instruction sets)

    .target(name: "CNetworkKernels"),

    // MARK: - Layers

    .target(
      name: "Manifolds",
      dependencies: [.product(name: "RealModule", package: "swift-numerics")]
    ),
    .target(
      name: "DiscreteMechanics",
      dependencies: ["Manifolds", "CGSL", .product(name: "RealModule", package: "swift-numerics")]
    ),
    .target(
      name: "LagrangianLearning",
      dependencies: [
        "DiscreteMechanics", "Frames", "COpenBLAS", "CNetworkKernels",
        .product(name: "RealModule", package: "swift-numerics"),
      ]
    ),
    .target(
      name: "VINKit",
      dependencies: ["Manifolds", "DiscreteMechanics", "LagrangianLearning", "Frames"]
    ),

    // MARK: - Plotting (SVG line charts for the tool and the examples; Foundation only)

    .target(name: "Plotting"),

    // MARK: - Output files (atomic writes, temporary files removed on SIGINT/SIGTERM; libc only)

    .target(name: "FileOutput"),

    // MARK: - Frames (videos of systems: NPY files, drawing, PNG strips and GIFs)

    .target(name: "Frames", dependencies: ["FileOutput", "CPNG", "CGIF"]),

    // MARK: - Command-line tool

    .executableTarget(
      name: "vin",
      dependencies: [
        "VINKit",
        "Plotting",
        "FileOutput",
        "Frames",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ]
    ),

    // MARK: - Tests

    .testTarget(
      name: "ManifoldsTests",
      dependencies: ["Manifolds", .product(name: "RealModule", package: "swift-numerics")]
    ),
    .testTarget(name: "DiscreteMechanicsTests", dependencies: ["DiscreteMechanics"]),
    .testTarget(name: "LagrangianLearningTests", dependencies: ["LagrangianLearning"]),
    .testTarget(name: "VINToolTests", dependencies: ["vin", "VINKit", "Plotting", "Frames"]),
    .testTarget(name: "FileOutputTests", dependencies: ["FileOutput"]),
    .testTarget(name: "FramesTests", dependencies: ["Frames", "CPNG", "CGIF"]),
    // User code as a package that depends on VINKit writes it: Docs/YourOwnModel.md's snippets.
    .testTarget(name: "GuideTests", dependencies: ["VINKit"]),
  ]
    + examples.map { name in
      .executableTarget(
        name: name, dependencies: ["VINKit", "Plotting", "FileOutput", "Frames"],
        path: "Examples/\(name)",
        exclude: documentation(ofExample: name))
    }
)
