# Two commands do everything on a fresh machine: `make brief` and `make test`.
VENV := .venv
PY := $(VENV)/bin/python
# The notebooks' kernel ('python3') runs `python` from PATH: make it this environment's.
export PATH := $(CURDIR)/$(VENV)/bin:$(PATH)

# Optional: another story (DATA=data/georgia-recognition-2008) or page parameters of the brief.
DATA ?= data
ACTOR ?=
ISSUE ?=
AS_OF ?=

.PHONY: brief publish validate bytecode test test-slow lint refresh diff nbdiff bench clean

$(VENV)/.installed: pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $@

validate: $(VENV)/.installed
	for story in data/*/; do reactions validate --data $$story || exit 2; done

# The package compiled, as pip compiles every package it installs but not an editable one (and
# with PYTHONDONTWRITEBYTECODE set, nothing else writes it): every render process, and a warm
# kernel at each page, reads bytecode instead of compiling the package (0.035 -> 0.009 s a page).
bytecode: $(VENV)/.installed
	$(PY) -m compileall -q src

brief: validate bytecode
	reactions render brief --data $(DATA) --out report $(if $(ACTOR),--actor $(ACTOR)) \
	  $(if $(ISSUE),--issue $(ISSUE)) $(if $(AS_OF),--as-of $(AS_OF))

# Every brief of schedule.yml, two at a time, then report/index.html. Exit 1 if any failed.
publish: validate bytecode
	reactions publish --schedule schedule.yml --jobs 2 --data data --out report

# ruff, mypy, and the package's floors (pyproject.toml's [tool.importlinter], the README's Layout):
# no import from a module's own floor or above, no cycle, every module on a floor.
lint: $(VENV)/.installed
	$(PY) -m ruff check src tests bench notebooks
	$(PY) -m mypy
	$(VENV)/bin/lint-imports --no-cache

# axe-core, pinned by tools/axe/package-lock.json, for the accessibility test (needs npm).
AXE := tools/axe/node_modules/axe-core/axe.min.js
$(AXE): tools/axe/package.json tools/axe/package-lock.json
	cd tools/axe && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	touch $@

# Tests marked slow are skipped here (tests/conftest.py): `make test-slow` runs them (or
# REACTIONS_SLOW=1 make test runs everything).
test: lint $(AXE)
	$(PY) -m pytest tests notebooks --nbval  # the sanitize file: pyproject's addopts

# Minutes: 200 pages in one warm kernel, its memory measured (tests/test_kernel_memory.py).
test-slow: $(VENV)/.installed
	$(PY) -m pytest -m slow tests

# After an intended change of data or code: re-run the notebooks in place with their default
# parameters, through the engine every render uses (papermill's `reactions` engine), so their
# stored outputs become the new reference, cleaned (reactions.review: no timestamps, no data
# version); a notebook that fails is left as it was. Review with `make diff`. Last, trust what
# was just written, so that JupyterLab draws its committed charts for whoever refreshed (a
# signature in their own Jupyter data folder; nothing is written into the notebooks; anyone
# else runs `jupyter trust notebooks/*.ipynb`).
refresh: $(VENV)/.installed
	$(PY) -m reactions.review refresh notebooks/*.ipynb
	jupyter trust notebooks/*.ipynb

# What moved since the last commit: per notebook, only the findings that moved (the text nbval
# compares). `make nbdiff` shows everything nbdime sees, outputs included.
diff: $(VENV)/.installed
	git diff --stat -- notebooks data
	$(PY) -m reactions.review diff notebooks/*.ipynb

nbdiff: $(VENV)/.installed
	$(VENV)/bin/nbdiff --ignore-metadata --ignore-id HEAD -- notebooks/

# Prints (a)-(e) and writes bench/results.json; several minutes (20 briefs twice, 1M statements).
# BENCH=--quick skips (c) and the largest data; BENCH=--publishing prints (e) alone (publish
# against render, warm against fresh, no change); BENCH='--runs 5' takes medians of 5.
BENCH ?=
bench: bytecode
	$(PY) bench/run.py $(BENCH)

clean:
	rm -rf $(VENV) report/*.html report/*.ipynb report/*.svg report/*.png report/_failed
