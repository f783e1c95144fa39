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
tools: $(WASM_TOOLS) wasm-target ## Install what the build needs (wasm-tools, the Wasm target)

$(WASM_TOOLS):
	@if ! "$(WASM_TOOLS)" --version 2>/dev/null | grep -q "$(WASM_TOOLS_V)"; then \
	  echo "installing wasm-tools $(WASM_TOOLS_V) into .tools/ (a few minutes, once)"; \
	  $(CARGO) install --locked --quiet wasm-tools@$(WASM_TOOLS_V) --no-default-features \
	    --features component,validate,strip,print,parse,metadata --root "$(TOOLS)"; \
	fi

.PHONY: wasm-target
wasm-target:
	@rustup target list --installed | grep -qx $(WASM_TARGET) || rustup target add $(WASM_TARGET)

# ---- artifacts ---------------------------------------------------------------------------

.PHONY: component
component: $(COMPONENT) ## Build dist/dnschild.component.wasm (the WIT component, no imports)

$(COMPONENT): $(CORE_SRC) | $(WASM_TOOLS) wasm-target
	$(CARGO) build --quiet --target $(WASM_TARGET) --profile wasm -p dnschild-component
	@mkdir -p $(DIST)
	$(WASM_TOOLS) component new $(CORE_WASM) -o $@
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

# ---- tests -------------------------------------------------------------------------------

.PHONY: test
test: test-core test-component test-cli check-imports ## Run every test (what CI runs)

.PHONY: test-core
test-core: ## Unit, property, golden and corpus tests of the native core
	$(CARGO) test --quiet -p dnschild

.PHONY: test-component
test-component: $(COMPONENT) ## The built component in wasmtime against the native core
	$(CARGO) test --quiet --release -p dnschild-cli --test component

.PHONY: test-cli
test-cli: $(COMPONENT) ## The host CLI: input formats, annotate mode, errors, exit codes
	$(CARGO) test --quiet --release -p dnschild-cli --lib --test cli

.PHONY: check-imports
check-imports: $(COMPONENT) ## The component imports nothing and exports only the rule
	@wit=$$($(WASM_TOOLS) component wit $(COMPONENT)); \
	if grep -q '^\s*import ' <<<"$$wit"; then echo "component has imports:"; grep '^\s*import ' <<<"$$wit"; exit 1; fi; \
	grep -q 'export dnschild:detector/rule@0.1.0;' <<<"$$wit" || { echo "component does not export the rule"; exit 1; }; \
	if $(WASM_TOOLS) print $(CORE_WASM) | grep -q '^\s*(import '; then echo "core module has imports"; exit 1; fi; \
	echo "check-imports: $(COMPONENT) imports nothing, exports dnschild:detector/rule@0.1.0"

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
