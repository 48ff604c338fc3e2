# Two commands on a fresh clone: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: run test bench eval torture install clean
KEYSTROKE_ARGS ?=

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
	$(PY) benchmarks/import_memory.py --entries 100000
	# Fetching (loopback servers only): 20 hosts at once vs the slowest one,
	# an arXiv day from memory vs the same file from disk; the client's
	# refusal of a 60 MB body and the arXiv gate's spacing across processes.
	$(PY) benchmarks/fetch_bench.py
	$(PY) benchmarks/net_client_bench.py
	$(PY) benchmarks/fulltext_bench.py
	# A keystroke while P downloads a PDF, against the same presses idle (tmux).
	$(PY) benchmarks/fulltext_keys.py
	# Sync: 100,000 changes from another device, a sync with nothing new,
	# the synced files after a simulated year (exits 1 on a missed target).
	-$(PY) benchmarks/sync_bench.py
	# paperqueue serve: page opened to the first rows drawn in headless
	# Chromium, against a trivial Textual app served the same way.
	$(PY) benchmarks/serve_bench.py
	# For you: training and ranking at 100,000 papers and 1,000 labels.
	$(PY) benchmarks/ranking_bench.py
	# A pause of the garbage collector with a 100,000-paper queue frozen, against an empty process.
	$(PY) benchmarks/collector_bench.py
	# One j in a real terminal (tmux), against a trivial list+reader floor:
	# about 30 minutes; KEYSTROKE_ARGS=--quick for a smoke run.
	$(PY) benchmarks/keystroke.py $(KEYSTROKE_ARGS)

# For you, evaluated offline (a script, not a test): a synthetic corpus with
# topics, simulated readers, a chronological split; precision@10/@50 and
# NDCG@50 for recency, random, the star centroid (M) and the learned model.
eval: $(STAMP)
	$(PY) benchmarks/eval_ranking.py
	$(PY) benchmarks/eval_ranking.py --stars 5-12

# The crash tests at length: 1,000 random kills, and the write-boundary
# harness (a kill before and after every write, fsync, rename and truncate
# of an import, a merge, a fold, actions, undo/redo and log compaction) on
# four times the papers. `make test` runs the same harness on small queues.
torture: $(STAMP)
	PQ_KILLS=1000 PQ_SCALE=4 PQ_EVERY=1 $(PY) -m pytest -q tests/test_crash_safety.py tests/test_writer_crashes.py tests/test_store_crash_import.py tests/test_migrate_crash.py tests/test_sync_git_kills.py

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
