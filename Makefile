# Ringlet: `make run` for a working portal, `make test` for the whole suite.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
export DJANGO_SETTINGS_MODULE ?= portal.settings.dev

.PHONY: run test lint format migrations-check system-deps venv clean help image-check bench load checkov ralph

help:
	@echo "make run               portal with demo content on http://127.0.0.1:8000"
	@echo "make test              the whole test suite (needs PostgreSQL and Redis)"
	@echo "make lint              ruff check and format check, and the import layers (import-linter)"
	@echo "make migrations-check  fail if models changed without a migration"
	@echo "make image-check       build the Dockerfile offline with buildah and run the image"
	@echo "make bench             Ringlet against a bare Wagtail site with wrk; appends to bench/RESULTS.md"
	@echo "make load              the 5-minute locust scenario (LOAD_USERS, LOAD_TIME)"
	@echo "make checkov           checkov on every rendered overlay: failed checks per workload"

venv: $(VENV)/.installed node_modules/.package-lock.json

# hls.js, pdf.js and the package runtimes (scorm-again, h5p-standalone) come from the npm
# registry (pinned in package-lock.json) and are served as static files: no CDN.
# --ignore-scripts, as in the Dockerfile: h5p-standalone's published package runs
# "npx only-allow yarn" on install, which fails under npm, and nothing we use needs a script.
node_modules/.package-lock.json: package.json package-lock.json
	@command -v npm >/dev/null || { echo "Ringlet needs npm (Node.js 20) to install hls.js"; exit 1; }
	npm ci --ignore-scripts --no-audit --no-fund

# Reinstall whenever a requirements file changes.
$(VENV)/.installed: requirements/base.txt requirements/prod.txt requirements/dev.txt
	@command -v $(PYTHON) >/dev/null || { echo "Ringlet needs $(PYTHON) on PATH (or: make PYTHON=/path/to/python3.11)"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements/dev.txt
	touch $@

# FFmpeg transcodes media and Chromium runs the browser tests; both come from Debian.
system-deps:
	@scripts/system-deps.sh

# FFmpeg first: the demo media need it, and nothing should be half done without it.
run: venv
	@scripts/system-deps.sh run
	$(BIN)/python manage.py migrate --no-input
	$(BIN)/python manage.py demo_content
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/honcho start -f Procfile

# Ralph, the Learning Record Store the xAPI tests start, lives in .venv-ralph (requirements/ralph.txt).
test: venv system-deps ralph
	@scripts/test.sh

ralph:
	@scripts/ralph-venv.sh

# Needs PostgreSQL (BENCH_DATABASE_SERVER) and Redis (BENCH_REDIS_URL or REDIS_URL); see bench/run.py.
bench: venv
	@command -v wrk >/dev/null || scripts/system-deps.sh wrk
	$(BIN)/python bench/run.py

# The 5-minute locust scenario (bench/locustfile.py). locust lives in a venv of its own
# (requirements/bench.txt): it is a tool for this target, not a dependency of the portal.
LOAD_VENV := .venv-load
$(LOAD_VENV)/.installed: requirements/bench.txt
	test -x $(LOAD_VENV)/bin/python || $(PYTHON) -m venv $(LOAD_VENV)
	$(LOAD_VENV)/bin/python -m pip install --quiet -r requirements/bench.txt
	touch $@

var/bench/clip.mp4:
	@mkdir -p var/bench
	ffmpeg -loglevel error -y -f lavfi -i testsrc2=size=640x360:rate=25 -f lavfi -i sine -t 3 \
	  -c:v libx264 -pix_fmt yuv420p -c:a aac $@

load: venv $(LOAD_VENV)/.installed var/bench/clip.mp4
	LOCUST=$(CURDIR)/$(LOAD_VENV)/bin/locust LOCUST_CLIP=$(CURDIR)/var/bench/clip.mp4 \
	  $(BIN)/python bench/run.py --locust $(or $(LOAD_USERS),20) 5 $(or $(LOAD_TIME),5m)

# checkov lives in a venv of its own (requirements/checkov.txt): a large tool with pins of its
# own. Kept out of `make test` for its install; running it takes seconds per overlay.
CHECKOV_VENV := .venv-checkov
$(CHECKOV_VENV)/.installed: requirements/checkov.txt
	test -x $(CHECKOV_VENV)/bin/python || $(PYTHON) -m venv $(CHECKOV_VENV)
	$(CHECKOV_VENV)/bin/python -m pip install --quiet -r requirements/checkov.txt
	touch $@

checkov: venv $(CHECKOV_VENV)/.installed
	$(BIN)/python scripts/checkov_report.py --checkov $(CHECKOV_VENV)/bin/checkov

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

format: venv
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

migrations-check: venv
	DJANGO_SETTINGS_MODULE=portal.settings.test $(BIN)/python manage.py makemigrations --check --dry-run

# Builds the container image without a daemon (apt-get installs buildah, debootstrap and
# podman) from a locally bootstrapped Debian root; see scripts/image-check.sh.
image-check: venv
	@scripts/image-check.sh

clean:
	rm -rf $(VENV) $(LOAD_VENV) $(CHECKOV_VENV) .venv-ralph var
