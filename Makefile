# Two commands do everything on a fresh machine: `make brief` and `make test`.
VENV := .venv
PY := $(VENV)/bin/python
# The notebooks' kernel ('python3') runs `python` from PATH: make it this environment's.
export PATH := $(CURDIR)/$(VENV)/bin:$(PATH)

ACTOR ?= belarus
ISSUE ?= recognition
AS_OF ?= 2022-09-26

.PHONY: brief publish validate test lint refresh diff bench clean

$(VENV)/.installed: pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $@

validate: $(VENV)/.installed
	reactions validate --data data

brief: validate
	reactions render --actor $(ACTOR) --issue $(ISSUE) --as-of $(AS_OF) --data data --out report

# Every brief of schedule.yml, two at a time, then report/index.html. Exit 1 if any failed.
publish: validate
	reactions publish --schedule schedule.yml --jobs 2 --data data --out report

lint: $(VENV)/.installed
	$(PY) -m ruff check src tests bench

test: lint
	$(PY) -m pytest tests notebooks --nbval --nbval-sanitize-with notebooks/sanitize.cfg

# After an intended change of data or code: re-run the notebooks in place with their default
# parameters, so their stored outputs become the new reference. Review with `make diff`.
refresh: $(VENV)/.installed
	jupyter nbconvert --to notebook --execute --inplace notebooks/*.ipynb

diff:
	git diff --stat -- notebooks data
	nbdiff --ignore-metadata --ignore-details notebooks/*.ipynb 2>/dev/null || git diff -- notebooks

# Prints (a)-(d) and writes bench/results.json; several minutes (20 briefs twice, 1M statements).
bench: $(VENV)/.installed
	$(PY) bench/run.py

clean:
	rm -rf $(VENV) report/*.html report/*.ipynb report/*.svg report/*.png report/_failed
