# VINKit: two commands for a fresh machine, `make demo` and `make test`.
SWIFT ?= swift
APT_PACKAGES := libgsl-dev libopenblas-dev libpng-dev libgif-dev pkg-config
# giflib ships no pkg-config file on Debian: its header is the check.
GIF_HEADER := /usr/include/gif_lib.h

.PHONY: demo demo-pixels test deps bench docs format lint clean

## deps: install the C libraries VINKit links (GSL, OpenBLAS and libpng through pkg-config; giflib
## by its header) when missing.
deps:
	@if pkg-config --exists gsl openblas libpng 2>/dev/null && [ -f $(GIF_HEADER) ]; then exit 0; fi; \
	if [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null; then \
	  echo "Installing $(APT_PACKAGES) with apt-get"; \
	  (apt-get install -y $(APT_PACKAGES) >/dev/null 2>&1 || \
	   (apt-get update >/dev/null && apt-get install -y $(APT_PACKAGES) >/dev/null)) || exit 1; \
	else \
	  echo "VINKit needs GSL, OpenBLAS, libpng, giflib and pkg-config. Install them with:"; \
	  echo "  sudo apt-get install -y $(APT_PACKAGES)"; \
	  exit 1; \
	fi

## demo: release build, then the main demonstration.
demo: deps
	$(SWIFT) build -c release --product LearnPendulum
	mkdir -p out
	./.build/release/LearnPendulum out/learn-pendulum.svg

## demo-pixels: release build, then learning a pendulum from pixels (its pictures go to out/).
## OpenBLAS on one thread: the example then fits its four models two at a time, one per core.
demo-pixels: deps
	$(SWIFT) build -c release --product PixelPendulum
	mkdir -p out
	OPENBLAS_NUM_THREADS=1 ./.build/release/PixelPendulum out

## test: the whole test suite (debug build with optimisation of the numerics, see Package.swift).
test: deps
	$(SWIFT) test

## bench: side-by-side ratios against C and GSL, then the benchmark suite (release builds).
bench: deps
	cd Benchmarks && $(SWIFT) run -c release CompareIntegrators
	cd Benchmarks && $(SWIFT) package --allow-writing-to-package-directory benchmark

## docs: DocC for every module; warnings are errors.
docs: deps
	$(SWIFT) package generate-documentation --warnings-as-errors \
	  --target Manifolds --target DiscreteMechanics --target LagrangianLearning --target Plotting --target FileOutput \
	  --target Frames

## format / lint: the toolchain's swift-format.
format:
	$(SWIFT) format --in-place --recursive Package.swift Sources Tests Examples Benchmarks/Package.swift Benchmarks/Benchmarks Benchmarks/Sources

lint:
	$(SWIFT) format lint --strict --recursive Package.swift Sources Tests Examples

clean:
	rm -rf .build Benchmarks/.build
