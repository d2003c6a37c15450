# The two commands of the README: `make run` and `make test`.
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8501
DATA ?= data/demo
REPLICAS ?= $(shell nproc)

.PHONY: run serve test lint format bench load mutate viewcost clitime system-deps nginx demo

$(PY):
	python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip

$(VENV)/.run-deps: requirements.txt | $(PY)
	$(PY) -m pip install -q -r requirements.txt
	touch $@

$(VENV)/.dev-deps: requirements.txt requirements-dev.txt | $(PY)
	$(PY) -m pip install -q -r requirements-dev.txt
	touch $@ $(VENV)/.run-deps

# Debian's Chromium (browser tests), a CJK font (Chinese in exported images) and nginx (replicas).
system-deps:
	@missing=""; \
	[ -x /usr/bin/chromium ] || missing="$$missing chromium"; \
	[ -x /usr/sbin/nginx ] || missing="$$missing nginx"; \
	fc-list 2>/dev/null | grep -qi "Noto Sans CJK" || missing="$$missing fonts-noto-cjk"; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q $$missing; \
	  else echo "Please install:$$missing (sudo apt-get install$$missing)"; exit 1; fi; \
	fi

# Debian's nginx alone (make serve): run in the foreground with its own config, not as a service.
nginx:
	@if [ ! -x /usr/sbin/nginx ]; then \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q nginx; \
	  else echo "Please install: nginx (sudo apt-get install nginx)"; exit 1; fi; \
	fi

demo: $(VENV)/.run-deps
	@[ -f $(DATA)/manifest.json ] || $(PY) -m natality demo --out $(DATA)

run: $(VENV)/.run-deps demo
	MALLOC_ARENA_MAX=$${MALLOC_ARENA_MAX:-2} NATALITY_DATA=$(DATA) $(PY) -m natality.ui.serve --server.port $(PORT) --server.headless true

# REPLICAS app processes (default: one per core) behind nginx on one port, sticky per browser tab.
serve: $(VENV)/.run-deps demo nginx
	$(PY) deploy/serve.py --replicas $(REPLICAS) --port $(PORT) --data $(DATA)

test: $(VENV)/.dev-deps system-deps
	$(PY) -m pytest -q

# ruff (Python: checks and the formatter's layout) and sqlfluff (queries/: .sqlfluff, DuckDB dialect); CI runs it.
lint: $(VENV)/.dev-deps
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/sqlfluff lint queries

format: $(VENV)/.dev-deps
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/sqlfluff fix queries

# Both scenarios (county, 2,000-township province) with import and Chromium figures: ~10 min.
bench: $(VENV)/.dev-deps system-deps
	$(PY) bench/bench.py $(BENCH_ARGS)

# Simulated leaders (Locust, Streamlit's protocol): sweep 10-200 sessions on one process and on
# 2 replicas behind nginx while two imports publish, the burst, first views at once, 2 Chromium
# sessions; prints the capacity: ~15 min. Quick: LOAD_ARGS="--steps 5,10 --step-seconds 15
# --burst-seconds 15 --first-tries 1 --chromium-seconds 0"; province: LOAD_ARGS="--townships 2000".
load: $(VENV)/.dev-deps system-deps
	$(PY) bench/load.py $(LOAD_ARGS)

# Mutation testing: one wrong change at a time in srb/, scorecard/, importing/values.py (mutmut) and in
# the crosswalk and region SQL (bench/mutate.py); prints the share killed per module. Not in CI. By
# default every 16th Python mutant (~40 min on 2 shared cores); MUTATE_ARGS= runs all (~5 h).
MUTATE_ARGS ?= --sample 16
mutate: $(VENV)/.dev-deps
	$(PY) bench/mutate.py $(MUTATE_ARGS)

# Server CPU per page view (every page, both languages; county and a 2,000-township province)
# over Streamlit's websocket protocol, and the cold start; VIEWCOST_ARGS="--baseline REF" adds
# the same figures for git ref REF and the ratios: ~5 min (~10 with a baseline).
VIEWCOST_ARGS ?= --townships 2000
viewcost: $(VENV)/.dev-deps
	$(PY) bench/view_cost.py $(VIEWCOST_ARGS)

# ``python -m natality query scorecard -p year=2024`` at 2,000 townships as a process, against the
# bare ``import natality.cli`` in the same run (10 alternating runs each; wall and CPU): ~1 min.
clitime: $(VENV)/.run-deps
	$(PY) bench/cli_time.py $(CLITIME_ARGS)
