# Two entry points: `make demo` (set up, run the whole pipeline on corpora/) and
# `make test` (set up, run the tests). Both create .venv on a fresh machine.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test setup bench clean corpora browser mutation

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

setup: $(STAMP)

demo: $(STAMP)
	$(BIN)/textkit demo --out outputs/demo --force

test: $(STAMP) browser
	$(BIN)/ruff check textkit tests bench scripts
	$(BIN)/ruff format --check textkit tests bench scripts
	$(BIN)/python -m pytest -q

browser:
	bash scripts/install_browser.sh

# Mutation testing of the modules that carry promises ([tool.mutmut] in pyproject.toml); prints
# the surviving mutants. Slow: about 5,800 mutants, hours on the 2-core machine.
# Mutants of the functions listed in tests/mutation_scope.txt (the promise-carrying ones); prints the survivors.
# LOKY_MAX_CPU_COUNT=1: suggest fits in-process, as joblib's worker processes hang in mutmut's forked children.
mutation: $(STAMP)
	sed -e 's/#.*//' -e '/^[[:space:]]*$$/d' tests/mutation_scope.txt | LOKY_MAX_CPU_COUNT=1 xargs $(BIN)/mutmut run --max-children 2
	$(BIN)/mutmut results

bench: $(STAMP)
	$(BIN)/python bench/bench_code.py
	$(BIN)/python bench/bench_minutes.py
	$(BIN)/python bench/bench_suggest.py

corpora: $(STAMP)
	$(BIN)/python scripts/make_corpora.py
	$(BIN)/python scripts/make_minutes.py

clean:
	rm -rf $(VENV) outputs/demo .pytest_cache
