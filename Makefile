# The two commands of the README: `make run` and `make test`.
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8501
DATA ?= data/demo

.PHONY: run test lint format bench load mutate system-deps demo

$(PY):
	python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip

$(VENV)/.run-deps: requirements.txt | $(PY)
	$(PY) -m pip install -q -r requirements.txt
	touch $@

$(VENV)/.dev-deps: requirements.txt requirements-dev.txt | $(PY)
	$(PY) -m pip install -q -r requirements-dev.txt
	touch $@ $(VENV)/.run-deps

# Debian's Chromium (browser tests) and a CJK font (Chinese in exported images).
system-deps:
	@missing=""; \
	[ -x /usr/bin/chromium ] || missing="$$missing chromium"; \
	fc-list 2>/dev/null | grep -qi "Noto Sans CJK" || missing="$$missing fonts-noto-cjk"; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q $$missing; \
	  else echo "Please install:$$missing (sudo apt-get install$$missing)"; exit 1; fi; \
	fi

demo: $(VENV)/.run-deps
	@[ -f $(DATA)/manifest.json ] || $(PY) -m natality demo --out $(DATA)

run: $(VENV)/.run-deps demo
	NATALITY_DATA=$(DATA) $(PY) -m streamlit run dashboard.py --server.port $(PORT) --server.headless true

test: $(VENV)/.dev-deps system-deps
	$(PY) -m pytest -q

lint: $(VENV)/.dev-deps
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(VENV)/.dev-deps
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

# Both scenarios (county, 2,000-township province) with import and Chromium figures: ~10 min.
bench: $(VENV)/.dev-deps system-deps
	$(PY) bench/bench.py $(BENCH_ARGS)

# 20 Chromium sessions through every page for 5 minutes while two imports publish: ~6 min.
load: $(VENV)/.dev-deps system-deps
	$(PY) bench/load.py $(LOAD_ARGS)

# Mutation testing: one wrong change at a time in srb/, scorecard/, importing/values.py (mutmut) and in
# the crosswalk and region SQL (bench/mutate.py); prints the share killed per module. Not in CI. By
# default every 16th Python mutant (~40 min on 2 shared cores); MUTATE_ARGS= runs all (~5 h).
MUTATE_ARGS ?= --sample 16
mutate: $(VENV)/.dev-deps
	$(PY) bench/mutate.py $(MUTATE_ARGS)
