# Thin targets: each calls the imvdoc CLI. `make help` lists them.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
UV     := uv==0.13.9

.DEFAULT_GOAL := help
.PHONY: help letters draft check distribute site consultatie test bench bench-large clean lock

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-15s %s\n", $$1, $$2}'

# Exactly the versions in requirements.lock, each checked against its hashes; then imvdoc
# itself, without resolving dependencies again (built by the locked setuptools).
$(STAMP): pyproject.toml requirements.lock
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "imvdoc heeft Python 3.11 of nieuwer nodig")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	@touch $(STAMP)

# The lock: every dependency of pyproject.toml (with the test extra), for every platform,
# plus pip and setuptools, which install and build imvdoc. Pins that still fit stay;
# `make lock UV_ARGS=--upgrade` takes the newest versions.
lock: $(STAMP) ## Pin every dependency with hashes in requirements.lock (after changing pyproject.toml)
	$(BIN)/python -m pip install --quiet $(UV)
	printf 'pip\nsetuptools>=68\n' | $(BIN)/uv pip compile --quiet pyproject.toml - --extra test \
	    --universal --python-version 3.11 --generate-hashes --custom-compile-command 'make lock' \
	    --output-file requirements.lock $(UV_ARGS)

letters: $(STAMP) ## Build every letter of every mailing for every gemeente (DOCX, PDF, HTML)
	$(BIN)/imvdoc letters

draft: $(STAMP) ## Build every version of the plan (concept 0.9, adopted 1.0: DOCX, PDF, HTML) into build/plan/
	$(BIN)/imvdoc draft

check: $(STAMP) ## Validate content and templates; build nothing
	$(BIN)/imvdoc check

distribute: $(STAMP) ## Packages and e-mails per gemeente for every mailing (a dry run: sends nothing)
	@for m in content/mailings/*.md; do $(BIN)/imvdoc distribute --mailing $$(basename $$m .md) || exit 1; done

site: $(STAMP) ## The publication site in build/site/
	$(BIN)/imvdoc site

consultatie: $(STAMP) ## Everything of the consultation round (plan versions, reactienota, letters, register CSV, site), and where it is
	$(BIN)/imvdoc consultatie

test: $(STAMP) ## Run the tests
	$(BIN)/pytest

bench: $(STAMP) ## Benchmark: clean, reference, no-op and incremental builds; 1,000 recipients; cost per letter
	$(BIN)/python bench/run.py
	$(BIN)/python bench/furniture.py

bench-large: $(STAMP) ## The benchmark with 10,000 recipients as well
	$(BIN)/python bench/run.py --large

clean: ## Remove build/ (outputs only; .venv stays)
	rm -rf build
