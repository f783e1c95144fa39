# dnschild — `make help` lists the targets.
# Tools install into .tools/ only when missing, so a warm `make test` is quick.

SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

TOOLS        := $(CURDIR)/.tools
WASM_TOOLS   := $(TOOLS)/bin/wasm-tools
WASM_TOOLS_V := 1.263.0
WASM_TARGET  := wasm32-unknown-unknown
CARGO        ?= cargo
DIST         := dist
COMPONENT    := $(DIST)/dnschild.component.wasm
CLI          := $(DIST)/dnschild
CORE_WASM    := target/$(WASM_TARGET)/wasm/dnschild_component.wasm
CORE_SRC     := $(shell find src bindings/component/src wit -type f) Cargo.toml Cargo.lock bindings/component/Cargo.toml
CLI_SRC      := $(shell find host-examples/cli/src -type f) host-examples/cli/Cargo.toml

.PHONY: help
help: ## List the targets
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z_-]+:.*## / {printf "  make %-16s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

# ---- tools -------------------------------------------------------------------------------

.PHONY: tools
tools: $(WASM_TOOLS) $(WASM_OPT) wasm-target ## Install what the build needs (wasm-tools, wasm-opt, the Wasm target)

$(WASM_TOOLS):
	@if ! "$(WASM_TOOLS)" --version 2>/dev/null | grep -q "$(WASM_TOOLS_V)"; then \
	  echo "installing wasm-tools $(WASM_TOOLS_V) into .tools/ (a few minutes, once)"; \
	  $(CARGO) install --locked --quiet wasm-tools@$(WASM_TOOLS_V) --no-default-features \
	    --features component,validate,strip,print,parse,metadata --root "$(TOOLS)"; \
	fi

# Binaryen's wasm-opt, from Debian (apt), shrinks the wasm32-unknown-unknown artifacts by
# about 8% after rustc; version 108 needs the feature flags spelled out. For the JS package
# it runs before wasm-bindgen (after it, version 108 breaks wasm-bindgen's externref table).
WASM_OPT       := /usr/bin/wasm-opt
WASM_OPT_FLAGS := -Os --strip-producers --enable-simd --enable-bulk-memory --enable-sign-ext --enable-mutable-globals \
                  --enable-nontrapping-float-to-int --enable-multivalue --enable-reference-types

$(WASM_OPT):
	@$(call apt_install,binaryen)

# apt-get install, as root or through sudo (Debian's chromium and binaryen).
define apt_install
	echo "installing Debian $(1)"; \
	if [ "$$(id -u)" = 0 ]; then sudo=; elif command -v sudo >/dev/null; then sudo="sudo -n"; \
	  else echo "need root (or sudo) to apt-get install $(1)"; exit 1; fi; \
	$$sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -qq $(1) >/dev/null
endef

.PHONY: wasm-target
wasm-target:
	@rustup target list --installed | grep -qx $(WASM_TARGET) || rustup target add $(WASM_TARGET)

# ---- artifacts ---------------------------------------------------------------------------

.PHONY: component
component: $(COMPONENT) ## Build dist/dnschild.component.wasm (the WIT component, no imports)

$(COMPONENT): $(CORE_SRC) .cargo/config.toml | $(WASM_TOOLS) $(WASM_OPT) wasm-target
	$(CARGO) build --quiet --target $(WASM_TARGET) --profile wasm -p dnschild-component
	@mkdir -p $(DIST)
	$(WASM_OPT) $(WASM_OPT_FLAGS) $(CORE_WASM) -o $(CORE_WASM:.wasm=.opt.wasm)
	$(WASM_TOOLS) component new $(CORE_WASM:.wasm=.opt.wasm) -o $@
	$(WASM_TOOLS) validate --features component-model $@
	@echo "built $@ ($$(stat -c %s $@) bytes)"

.PHONY: cli
cli: $(CLI) ## Build dist/dnschild (the wasmtime host CLI)

$(CLI): $(CLI_SRC) wit/dnschild.wit Cargo.lock
	$(CARGO) build --quiet --release -p dnschild-cli
	@mkdir -p $(DIST)
	cp target/release/dnschild $@

# ---- the demo ----------------------------------------------------------------------------

.PHONY: demo
demo: $(COMPONENT) $(CLI) ## Scan the shipped sample events and print the alerts
	@echo "== dist/dnschild scan samples/*  (alerts go to stdout as NDJSON; here one line each)"
	@status=0; $(CLI) scan samples/positives.ndjson samples/negatives.ndjson samples/*.xml \
	  > $(DIST)/demo-alerts.ndjson || status=$$?; \
	python3 -c 'import json,sys; [print("ALERT  %-24s %-22s %s  <-  %s" % (a["shape"], a.get("hostname","-"), a.get("process_name","-"), a.get("parent_process_name","-"))) for a in map(json.loads, open(sys.argv[1]))]' $(DIST)/demo-alerts.ndjson; \
	echo "== exit status $$status (1 = alerts found); all alerts in $(DIST)/demo-alerts.ndjson"; test $$status -eq 1
	@echo "== one alert in full (dist/dnschild scan --pretty):"
	@printf '%s\n' '{"actionname":"Process started","PARENTPROCESSNAME":"C:\\Windows\\System32\\dns.exe","PROCESSNAME":"C:\\Windows\\System32\\cmd.exe","COMMANDLINE":"cmd.exe /c whoami","USERNAME":"NT AUTHORITY\\SYSTEM","HOSTNAME":"DNS01.corp.example"}' \
	  | $(CLI) scan --pretty --summary none || test $$? -eq 1

# ---- Extism ------------------------------------------------------------------------------

EXTISM      := $(DIST)/dnschild.extism.wasm
EXTISM_WASM := target/$(WASM_TARGET)/wasm/dnschild_extism.wasm
VENV        := $(TOOLS)/venv
PY_STAMP    := $(VENV)/.installed
VERDICTS    := target/release/examples/verdicts
NODE_EXTISM := host-examples/node-extism

.PHONY: extism
extism: $(EXTISM) ## Build dist/dnschild.extism.wasm (Extism plugin: evaluate, evaluate_batch, configure, rule_info)

$(EXTISM): $(CORE_SRC) $(shell find bindings/extism -type f) .cargo/config.toml | $(WASM_OPT) wasm-target
	$(CARGO) build --quiet --target $(WASM_TARGET) --profile wasm -p dnschild-extism
	@mkdir -p $(DIST)
	$(WASM_OPT) $(WASM_OPT_FLAGS) $(EXTISM_WASM) -o $@
	@echo "built $@ ($$(stat -c %s $@) bytes)"

$(PY_STAMP): host-examples/python/requirements.txt
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check -r $<
	@touch $@

$(VERDICTS): $(CORE_SRC) examples/verdicts.rs
	$(CARGO) build --quiet --release --example verdicts

$(NODE_EXTISM)/node_modules/.package-lock.json: $(NODE_EXTISM)/package.json $(NODE_EXTISM)/package-lock.json
	cd $(NODE_EXTISM) && npm ci --no-audit --no-fund --loglevel=error

.PHONY: test-python
test-python: $(EXTISM) $(PY_STAMP) $(VERDICTS) ## Python host (extism from PyPI): samples, corpus parity, errors, memory
	cd host-examples/python && DNSCHILD_VERDICTS=$(CURDIR)/$(VERDICTS) $(VENV)/bin/python -m pytest -q tests

.PHONY: test-node-extism
test-node-extism: $(EXTISM) $(VERDICTS) $(NODE_EXTISM)/node_modules/.package-lock.json ## Node host (@extism/extism): the same checks
	cd $(NODE_EXTISM) && DNSCHILD_VERDICTS=$(CURDIR)/$(VERDICTS) node --no-warnings --test test/

.PHONY: bench-native
bench-native: ## criterion: the native core vs a case-insensitive scan and a serde_json::Value parse
	$(CARGO) bench --bench core

.PHONY: bench-extism
bench-extism: $(COMPONENT) $(EXTISM) $(PY_STAMP) $(NODE_EXTISM)/node_modules/.package-lock.json ## Per-call time: native, component (wasmtime), Extism in Python and Node
	@$(CARGO) run --quiet --release -p dnschild-cli --example percall -- 100000
	@$(VENV)/bin/python host-examples/python/bench.py 100000
	@cd $(NODE_EXTISM) && node --no-warnings bench.mjs 100000

# ---- Fluent Bit --------------------------------------------------------------------------
# The module for Fluent Bit's native `wasm` filter (host-examples/fluent-bit/README.md).
# opt-level z for this artifact only: at the profile's "s" it is 142 KB, over its 120 KiB budget.
# `cargo rustc --crate-type cdylib`: the crate is also an rlib (for the fuzz targets), and a
# build of both kinds at once gives up LTO, which costs the module 20 KB.

FB_TARGET    := wasm32-wasip1
FLUENT_BIT   := $(DIST)/dnschild.fluent-bit.wasm
FB_WASM      := target/$(FB_TARGET)/wasm/dnschild_fluent_bit.wasm
FB_SRC       := $(shell find src bindings/fluent-bit/src -type f) Cargo.toml Cargo.lock bindings/fluent-bit/Cargo.toml
FB_MAX_BYTES := 122880

.PHONY: fluent-bit
fluent-bit: $(FLUENT_BIT) ## Build dist/dnschild.fluent-bit.wasm (the Fluent Bit wasm filter module)

$(FLUENT_BIT): $(FB_SRC) | $(WASM_TOOLS) fluent-bit-target
	$(CARGO) rustc --quiet --target $(FB_TARGET) --profile wasm --config 'profile.wasm.opt-level="z"' -p dnschild-fluent-bit --crate-type cdylib
	@mkdir -p $(DIST)
	cp $(FB_WASM) $@
	$(WASM_TOOLS) validate $@
	@size=$$(stat -c %s $@); echo "built $@ ($$size bytes)"; \
	test $$size -le $(FB_MAX_BYTES) || { echo "$@ is over $(FB_MAX_BYTES) bytes"; rm -f $@; exit 1; }

.PHONY: fluent-bit-target
fluent-bit-target:
	@rustup target list --installed | grep -qx $(FB_TARGET) || rustup target add $(FB_TARGET)

.PHONY: test-fluent-bit
test-fluent-bit: $(FLUENT_BIT) ## The Fluent Bit module in an emulation of Fluent Bit's wasm filter
	$(CARGO) test --quiet -p dnschild-fluent-bit
	$(CARGO) test --quiet -p dnschild-fluent-bit-harness

.PHONY: bench-fluent-bit
bench-fluent-bit: $(FLUENT_BIT) ## Cost per record of the Fluent Bit module in the emulation
	$(CARGO) test --quiet --release -p dnschild-fluent-bit-harness --test bench -- --ignored --nocapture

# ---- JavaScript --------------------------------------------------------------------------
# The wasm-bindgen package (dist/js/), the Node examples, the jco check and the playground.

WASM_BINDGEN    := $(TOOLS)/bin/wasm-bindgen
WASM_BINDGEN_V  := 0.2.130
JS_PKG          := $(DIST)/js
JS_WASM         := $(JS_PKG)/wasm/dnschild_js_bg.wasm
JS_CORE_WASM    := target/$(WASM_TARGET)/wasm-js/dnschild_js.wasm
JS_SRC          := $(shell find bindings/js/src bindings/js/package -type f) bindings/js/Cargo.toml
NODE_EX         := host-examples/node
BROWSER_EX      := host-examples/browser
NODE_EX_DEPS    := $(NODE_EX)/node_modules/.package-lock.json
BROWSER_EX_DEPS := $(BROWSER_EX)/node_modules/.package-lock.json
JCO_OUT         := target/jco
PLAYGROUND      := $(DIST)/playground
PLAYGROUND_SRC  := $(shell find $(BROWSER_EX)/site -type f) $(BROWSER_EX)/build.mjs $(wildcard samples/*)
CHROMIUM        := /usr/bin/chromium
PLAYGROUND_PORT ?= 8000

$(WASM_BINDGEN):
	@if ! "$(WASM_BINDGEN)" --version 2>/dev/null | grep -q "$(WASM_BINDGEN_V)"; then \
	  echo "installing wasm-bindgen-cli $(WASM_BINDGEN_V) into .tools/ (a few minutes, once)"; \
	  $(CARGO) install --quiet wasm-bindgen-cli --version $(WASM_BINDGEN_V) --root "$(TOOLS)"; \
	fi

# Debian's chromium for the browser tests (no test tool downloads a browser).
$(CHROMIUM):
	@$(call apt_install,chromium)

.PHONY: js
js: $(JS_WASM) ## Build dist/js/ (the wasm-bindgen package for Node and the browser)

$(JS_WASM): $(CORE_SRC) $(JS_SRC) .cargo/config.toml | $(WASM_BINDGEN) $(WASM_TOOLS) $(WASM_OPT) wasm-target
	$(CARGO) rustc --quiet --target $(WASM_TARGET) --profile wasm-js -p dnschild-js --crate-type cdylib
	rm -rf $(JS_PKG) && mkdir -p $(JS_PKG)/wasm
	cp bindings/js/package/* $(JS_PKG)/
	$(WASM_OPT) $(WASM_OPT_FLAGS) $(JS_CORE_WASM) -o $(JS_CORE_WASM:.wasm=.opt.wasm)
	$(WASM_BINDGEN) --target web --no-typescript --out-dir $(JS_PKG)/wasm.tmp --out-name dnschild_js $(JS_CORE_WASM:.wasm=.opt.wasm)
	mv $(JS_PKG)/wasm.tmp/dnschild_js.js $(JS_PKG)/wasm/
	$(WASM_TOOLS) strip --all $(JS_PKG)/wasm.tmp/dnschild_js_bg.wasm -o $@
	rm -rf $(JS_PKG)/wasm.tmp
	@echo "built $(JS_PKG)/ ($$(stat -c %s $@) wasm bytes, $$(gzip -9c $@ | wc -c) gzipped)"

$(NODE_EX_DEPS): $(NODE_EX)/package.json $(NODE_EX)/package-lock.json
	cd $(NODE_EX) && npm ci --no-audit --no-fund --loglevel=error

$(BROWSER_EX_DEPS): $(BROWSER_EX)/package.json $(BROWSER_EX)/package-lock.json
	cd $(BROWSER_EX) && npm ci --no-audit --no-fund --loglevel=error

# The WIT component as an ES module (jco); the package.json makes Node read it as ESM.
$(JCO_OUT)/dnschild.js: $(COMPONENT) $(NODE_EX_DEPS)
	rm -rf $(JCO_OUT)
	$(NODE_EX)/node_modules/.bin/jco transpile $(COMPONENT) --name dnschild --out-dir $(JCO_OUT) --quiet
	echo '{"type":"module"}' > $(JCO_OUT)/package.json

$(PLAYGROUND)/index.html: $(JS_WASM) $(PLAYGROUND_SRC)
	node $(BROWSER_EX)/build.mjs $(PLAYGROUND)

.PHONY: playground
playground: $(PLAYGROUND)/index.html ## Serve the playground on http://127.0.0.1:$(PLAYGROUND_PORT)/ (PLAYGROUND_PORT=0: any free port)
	node $(BROWSER_EX)/serve.mjs $(PLAYGROUND) $(PLAYGROUND_PORT)

.PHONY: test-js
test-js: $(JS_WASM) $(JCO_OUT)/dnschild.js $(VERDICTS) $(NODE_EX_DEPS) ## JS package (node --test): samples, corpus parity, errors, types; jco; scan script
	DNSCHILD_VERDICTS=$(CURDIR)/$(VERDICTS) node --no-warnings --test bindings/js/test/*.test.mjs $(NODE_EX)/test/*.test.mjs

.PHONY: test-playground
test-playground: $(PLAYGROUND)/index.html $(BROWSER_EX_DEPS) | $(CHROMIUM) ## The playground in headless Chromium (Playwright); screenshots in target/
	cd $(BROWSER_EX) && node --no-warnings --test test/*.test.mjs

.PHONY: bench-js
bench-js: $(JS_WASM) $(PLAYGROUND)/index.html $(BROWSER_EX_DEPS) | $(CHROMIUM) ## Per-call time of the JS package in Node and in Chromium
	@node $(NODE_EX)/bench.mjs 100000
	@node $(BROWSER_EX)/bench.mjs $(PLAYGROUND) 100000

# ---- benchmarks across hosts ------------------------------------------------------------

BENCH_DIR     ?= target/bench
BENCH_SECONDS ?= 2

.PHONY: bench
bench: $(COMPONENT) $(EXTISM) $(FLUENT_BIT) $(JS_WASM) $(PY_STAMP) $(NODE_EXTISM)/node_modules/.package-lock.json ## Every host on the same workloads, one table (events/s, ×native, sizes); writes BENCHMARKS.md
	$(CARGO) build --quiet --release -p dnschild-cli --example bench_hosts
	$(CARGO) build --quiet --release -p dnschild-fluent-bit-harness --example bench_workloads
	python3 bench/run.py $(BENCH_DIR) --seconds $(BENCH_SECONDS)

# ---- fuzzing ------------------------------------------------------------------------------
# cargo-fuzz (libFuzzer + AddressSanitizer) on the nightly toolchain; where rustup has no
# nightly, the stable compiler with RUSTC_BOOTSTRAP=1 builds the same targets.
# Seed corpora come from samples/ (one event per file) and the Fluent Bit example config.

CARGO_FUZZ     := $(TOOLS)/bin/cargo-fuzz
CARGO_FUZZ_V   := 0.13.2
FUZZ_TARGETS   := json xml fluent_bit config evaluate shapes
FUZZ_TOOLCHAIN := $(shell rustup run nightly rustc --version >/dev/null 2>&1 && echo +nightly)
FUZZ_ENV       := $(if $(FUZZ_TOOLCHAIN),,RUSTC_BOOTSTRAP=1)
FUZZ_RUNS      ?= 10000000
FUZZ_SMOKE     ?= 8
# Long runs skip AddressSanitizer: the code under test is safe Rust (the core forbids
# `unsafe`; the Fluent Bit crate's `unsafe` is in its Wasm-only ffi module, not built here),
# and without it each target runs several times faster. The smoke runs keep it on.
FUZZ_LONG_FLAGS ?= -s none
FUZZ_RUN        = cd fuzz && $(FUZZ_ENV) PATH="$(TOOLS)/bin:$$PATH" $(CARGO) $(FUZZ_TOOLCHAIN) fuzz

$(CARGO_FUZZ):
	@if ! "$(CARGO_FUZZ)" --version 2>/dev/null | grep -q "$(CARGO_FUZZ_V)"; then \
	  echo "installing cargo-fuzz $(CARGO_FUZZ_V) into .tools/ (a minute, once)"; \
	  $(CARGO) install --locked --quiet cargo-fuzz@$(CARGO_FUZZ_V) --root "$(TOOLS)"; \
	fi

.PHONY: fuzz-seeds
fuzz-seeds:
	@for t in $(FUZZ_TARGETS); do \
	  d=fuzz/corpus/$$t; mkdir -p $$d; \
	  if [ -z "$$(ls -A $$d)" ]; then \
	    n=0; for f in samples/*.ndjson; do while IFS= read -r line; do n=$$((n+1)); printf '%s' "$$line" > $$d/sample-$$n; done < $$f; done; \
	    cp samples/*.xml $$d/; cp host-examples/fluent-bit/config/dnschild.json $$d/config.json; \
	  fi; \
	done

.PHONY: fuzz-smoke
fuzz-smoke: $(CARGO_FUZZ) fuzz-seeds ## Every fuzz target for $(FUZZ_SMOKE) s (part of make test)
	$(FUZZ_RUN) build -O
	@for t in $(FUZZ_TARGETS); do \
	  printf '%-12s ' $$t; \
	  ( $(FUZZ_RUN) run -O $$t -- -max_total_time=$(FUZZ_SMOKE) -max_len=16384 ) > target/fuzz-$$t.log 2>&1 \
	    || { echo FAILED; tail -40 target/fuzz-$$t.log; exit 1; }; \
	  grep -E '^Done [0-9]+ runs' target/fuzz-$$t.log; \
	done

.PHONY: fuzz
fuzz: $(CARGO_FUZZ) fuzz-seeds ## Long fuzzing: each target for FUZZ_RUNS executions (default 10^7, hours); findings in fuzz/artifacts/
	$(FUZZ_RUN) build -O $(FUZZ_LONG_FLAGS)
	@for t in $(FUZZ_TARGETS); do \
	  echo "== $$t: $(FUZZ_RUNS) runs"; \
	  ( $(FUZZ_RUN) run -O $(FUZZ_LONG_FLAGS) $$t -- -runs=$(FUZZ_RUNS) -max_len=65536 -print_final_stats=1 ) > target/fuzz-long-$$t.log 2>&1 \
	    || { echo "$$t FAILED: see target/fuzz-long-$$t.log and fuzz/artifacts/$$t/"; exit 1; }; \
	  grep -E '^Done|stat::number_of_executed_units|stat::new_units_added' target/fuzz-long-$$t.log; \
	done

# ---- tests -------------------------------------------------------------------------------

.PHONY: test
test: test-core test-component test-cli test-serve check-imports test-python test-node-extism test-fluent-bit test-js test-playground fuzz-smoke ## Run every test (what CI runs)

.PHONY: test-core
test-core: ## Unit, property, golden and corpus tests of the native core
	$(CARGO) test --quiet -p dnschild

.PHONY: test-component
test-component: $(COMPONENT) ## The built component in wasmtime against the native core
	$(CARGO) test --quiet --release -p dnschild-cli --test component

.PHONY: test-cli
test-cli: $(COMPONENT) | $(WASM_TOOLS) ## The host CLI: input formats, annotate mode, errors, exit codes, plugin faults
	WASM_TOOLS=$(WASM_TOOLS) $(CARGO) test --quiet --release -p dnschild-cli --lib --test cli --test faults

.PHONY: test-serve
test-serve: $(COMPONENT) ## dnschild serve, playing Vector's part: 1M events, signals, backpressure, outputs, short soak
	$(CARGO) test --quiet --release -p dnschild-cli --test serve --test soak

SOAK_EVENTS ?= 10000000

.PHONY: soak
soak: $(COMPONENT) $(FLUENT_BIT) ## SOAK_EVENTS (default 10^7) mixed events through serve and through the Fluent Bit emulation
	DNSCHILD_SOAK_EVENTS=$(SOAK_EVENTS) $(CARGO) test --quiet --release -p dnschild-cli --test soak -- --nocapture 2>&1 | grep -v '^dnschild serve: '
	DNSCHILD_SOAK_RECORDS=$(SOAK_EVENTS) $(CARGO) test --quiet --release -p dnschild-fluent-bit-harness --test soak -- --nocapture

.PHONY: bench-serve
bench-serve: $(COMPONENT) ## Events/s of dnschild serve beside the component and the native core
	@echo "== $$(nproc) CPU(s), $$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), $$(date -u +%Y-%m-%d)"
	$(CARGO) test --quiet --release -p dnschild-cli --test serve -- --ignored --nocapture bench_serve 2>&1 | grep -v '^dnschild serve: '

.PHONY: check-imports
check-imports: $(COMPONENT) $(EXTISM) $(FLUENT_BIT) $(JS_WASM) ## Least privilege: what each artifact imports, exactly
	@wit=$$($(WASM_TOOLS) component wit $(COMPONENT)); \
	if grep -q '^\s*import ' <<<"$$wit"; then echo "component has imports:"; grep '^\s*import ' <<<"$$wit"; exit 1; fi; \
	grep -q 'export dnschild:detector/rule@0.1.0;' <<<"$$wit" || { echo "component does not export the rule"; exit 1; }; \
	core=$$($(WASM_TOOLS) print $(CORE_WASM)); \
	if grep -q '^\s*(import ' <<<"$$core"; then echo "core module has imports"; exit 1; fi; \
	echo "check-imports: $(COMPONENT) imports nothing, exports dnschild:detector/rule@0.1.0"
	@imports() { $(WASM_TOOLS) print "$$1" | sed -n 's/^\s*(import "\([^"]*\)" "\([^"]*\)".*/\1 \2/p' | LC_ALL=C sort | tr '\n' ';'; }; \
	check() { got=$$(imports "$$1"); if [ "$$got" != "$$2" ]; then echo "$$1 imports: $$got"; echo "expected:   $$2"; exit 1; fi; echo "check-imports: $$1 imports only: $$3"; }; \
	check $(FLUENT_BIT) "wasi_snapshot_preview1 fd_close;wasi_snapshot_preview1 fd_prestat_get;wasi_snapshot_preview1 fd_read;wasi_snapshot_preview1 fd_write;wasi_snapshot_preview1 path_open;" \
	  "WASI fd_prestat_get, path_open, fd_read, fd_close (its config file) and fd_write (one message on stderr)"; \
	check $(JS_WASM) "./dnschild_js_bg.js __wbg___wbindgen_string_get_7ce8eee7fd327545;./dnschild_js_bg.js __wbg___wbindgen_throw_4c88d8bf264fd984;./dnschild_js_bg.js __wbg_failure_new;./dnschild_js_bg.js __wbindgen_init_externref_table;" \
	  "four wasm-bindgen glue functions (its error class, throw, string read, table init): no fetch, clock or DOM"
	@wat=$$($(WASM_TOOLS) print $(EXTISM)); \
	mods=$$(sed -n 's/^\s*(import "\([^"]*\)".*/\1/p' <<<"$$wat" | sort -u); \
	test "$$mods" = "extism:host/env" || { echo "extism plugin imports from: $$mods"; exit 1; }; \
	for f in evaluate evaluate_batch configure rule_info; do \
	  grep -q "(export \"$$f\" (func" <<<"$$wat" || { echo "extism plugin lacks export $$f"; exit 1; }; \
	done; \
	echo "check-imports: $(EXTISM) imports only extism:host/env, exports evaluate, evaluate_batch, configure, rule_info"

.PHONY: lint
lint: ## clippy on every crate, warnings as errors
	$(CARGO) clippy --quiet -p dnschild --all-targets -- -D warnings
	$(CARGO) clippy --quiet --release -p dnschild-cli --all-targets -- -D warnings

.PHONY: size
size: $(COMPONENT) ## Print artifact sizes
	@for f in $(DIST)/*.wasm; do printf "%-40s %8d bytes  %6d gzipped\n" $$f $$(stat -c %s $$f) $$(gzip -9c $$f | wc -c); done

.PHONY: clean
clean: ## Remove build outputs (not .tools/)
	$(CARGO) clean
	rm -rf $(DIST)
