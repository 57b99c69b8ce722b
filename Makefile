# Thin targets: each calls the imvdoc CLI. `make help` lists them.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

.DEFAULT_GOAL := help
.PHONY: help letters check test clean update-golden

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-15s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "imvdoc heeft Python 3.11 of nieuwer nodig")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	@touch $(STAMP)

letters: $(STAMP) ## Build every letter of every mailing for every gemeente (DOCX, PDF, HTML)
	$(BIN)/imvdoc letters

check: $(STAMP) ## Validate content and templates; build nothing
	$(BIN)/imvdoc check

test: $(STAMP) ## Run the tests
	$(BIN)/pytest

update-golden: $(STAMP) ## Regenerate the golden text files under tests/golden/
	$(BIN)/pytest tests/test_golden.py --update-golden

clean: ## Remove build/ (outputs only; .venv stays)
	rm -rf build
