# Two commands on a fresh clone: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: run test bench torture install clean

$(STAMP): pyproject.toml constraints.txt
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		{ echo "paperqueue needs Python 3.11 or newer (make PYTHON=python3.12 ...)"; exit 1; }
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	PIP_CONSTRAINT=$(CURDIR)/constraints.txt $(PY) -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(VENV)/bin/paperqueue

test: $(STAMP)
	$(PY) -m pytest

bench: $(STAMP)
	$(PY) benchmarks/run.py
	$(PY) benchmarks/similar_bench.py

torture: $(STAMP)
	PQ_KILLS=1000 $(PY) -m pytest tests/test_crash_safety.py -q

clean:
	rm -rf $(VENV) build dist .pytest_cache

# Mutation testing of the core (not part of `make test`; slow, one worker:
# about 5,400 mutants, hours on a busy 2-core machine). mutmut first runs the
# selected tests unmutated, so the suite must pass. `make mutation` runs every
# mutant not yet judged (results are kept in mutants/), then prints the table;
# `make mutation MUTANTS='paperqueue.core.history.*'` re-runs only those, and
# `python scripts/mutation_table.py --survivors history` lists what survived.
.PHONY: mutation
MUTANTS ?=
mutation: $(STAMP)
	$(VENV)/bin/mutmut run --max-children 1 $(foreach m,$(MUTANTS),'$(m)')
	$(PY) scripts/mutation_table.py
