# Ringlet: `make run` for a working portal, `make test` for the whole suite.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
export DJANGO_SETTINGS_MODULE ?= portal.settings.dev

# Two installs: what running needs (`make run`: requirements/run.txt, and hls.js and pdf.js
# from npm), and everything (`make test` and the tools: requirements/dev.txt, and the npm
# devDependencies: axe-core, azurite, the Nu HTML checker). The second includes the first.
RUN_PACKAGES := $(VENV)/.installed-run node_modules/.installed-run
ALL_PACKAGES := $(VENV)/.installed node_modules/.installed

.PHONY: run test lint format migrations-check prerequisites system-deps run-system-deps venv clean help image-check bench bench-edge bench-watchers load checkov ralph

help:
	@echo "make run               portal with demo content on http://127.0.0.1:8000 (WEB_PORT)"
	@echo "make test              the whole test suite (needs PostgreSQL and Redis)"
	@echo "make lint              ruff check and format check, and the import layers (import-linter)"
	@echo "make migrations-check  fail if models changed without a migration"
	@echo "make image-check       build the Dockerfile offline with buildah and run the image"
	@echo "make bench             Ringlet against bare Wagtail (req/s, CPU per request), the edge tier, 1,000+ watchers; appends to bench/RESULTS.md"
	@echo "make bench-edge        anonymous pages through the edge tier (nginx) against static files; appends too"
	@echo "make bench-watchers    students watching a video: server CPU per watcher-minute (bench/watchers.py)"
	@echo "make load              the 5-minute locust scenario (LOAD_USERS, LOAD_TIME)"
	@echo "make checkov           checkov on every rendered overlay: failed checks per workload"

# Python 3.11 and Node.js 20.19+ with npm, checked before anything is installed.
prerequisites:
	@PYTHON=$(PYTHON) scripts/prerequisites.sh

venv: $(ALL_PACKAGES)

# Reinstall whenever a requirements file changes. `pip install` of the runtime set into a venv
# holding everything changes nothing, so both stamps are true after the full install.
$(VENV)/.installed-run: requirements/base.txt requirements/run.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements/run.txt
	touch $@

$(VENV)/.installed: requirements/base.txt requirements/prod.txt requirements/run.txt requirements/dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements/dev.txt
	touch $@ $(VENV)/.installed-run

# hls.js, Plyr, pdf.js and the package runtimes (scorm-again, h5p-standalone) come from the npm registry (pinned in package-lock.json) and are served as
# static files: no CDN. .npmrc refuses a Node.js older than the packages' engines and runs no
# install scripts (none is needed: the Nu checker uses the system's Java).
node_modules/.installed-run: package.json package-lock.json .npmrc
	npm ci --omit=dev --omit=optional
	touch $@

node_modules/.installed: package.json package-lock.json .npmrc
	npm ci
	touch $@ node_modules/.installed-run

# FFmpeg transcodes media; Chromium and Java (the Nu HTML checker) serve the tests. From Debian.
system-deps:
	@scripts/system-deps.sh

run-system-deps:
	@scripts/system-deps.sh run

# The checks and FFmpeg first (the demo media need it): nothing is half done without them.
# Ctrl-C stops web, workers and beat cleanly (scripts/run.py).
run: prerequisites run-system-deps $(RUN_PACKAGES)
	$(BIN)/python manage.py migrate --no-input
	$(BIN)/python manage.py demo_content
	@PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/python scripts/run.py

# Ralph, the Learning Record Store the xAPI tests start, lives in .venv-ralph (requirements/ralph.txt).
test: prerequisites system-deps $(ALL_PACKAGES) ralph
	@scripts/test.sh

ralph:
	@scripts/ralph-venv.sh

# Needs PostgreSQL (BENCH_DATABASE_SERVER) and Redis (BENCH_REDIS_URL or REDIS_URL); see bench/run.py.
# Four steps, each appending to bench/RESULTS.md: Ringlet's pages against a bare Wagtail page
# (bench/run.py: req/s; bench/python_cpu.py: server CPU per request), the edge tier against static files (bench/edge.py), and students watching
# through the edge (bench/watchers.py: 1,000 for 5 minutes, then more until p99 passes 250 ms).
# About 25 minutes in all.
WATCH_STEPS ?= 1000:5,1500,2000,2500,3000,4000
bench: venv
	@command -v wrk >/dev/null || scripts/system-deps.sh wrk
	@scripts/system-deps.sh test
	$(BIN)/python bench/run.py
	$(BIN)/python bench/python_cpu.py
	$(BIN)/python bench/edge.py
	BENCH_SCALE=0 $(BIN)/python bench/watchers.py $(WATCH_STEPS) 1 $(or $(SEGMENT_SECONDS),6)

# The edge tier in front of gunicorn (bench/edge.py); same environment as `make bench`.
bench-edge: venv
	@command -v wrk >/dev/null || scripts/system-deps.sh wrk
	@scripts/system-deps.sh test
	$(BIN)/python bench/edge.py

# Students watching a lesson video through the edge tier: server CPU per watcher-minute, p99s
# and the knee (bench/watchers.py; needs PostgreSQL, redis-server and nginx). WATCHERS is a list
# of steps ("1000:5,1500": 1,000 for 5 minutes, then 1,500 for WATCH_MINUTES).
bench-watchers: venv
	@scripts/system-deps.sh test
	BENCH_SCALE=0 $(BIN)/python bench/watchers.py $(or $(WATCHERS),$(WATCH_STEPS)) $(or $(WATCH_MINUTES),1) $(or $(SEGMENT_SECONDS),6)

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

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

format: venv
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

migrations-check: venv
	DJANGO_SETTINGS_MODULE=portal.settings.test $(BIN)/python manage.py makemigrations --check --dry-run

# checkov lives in a venv of its own (requirements/checkov.txt): a large tool with pins of its
# own. Kept out of `make test` for its install; running it takes seconds per overlay.
CHECKOV_VENV := .venv-checkov
$(CHECKOV_VENV)/.installed: requirements/checkov.txt
	test -x $(CHECKOV_VENV)/bin/python || $(PYTHON) -m venv $(CHECKOV_VENV)
	$(CHECKOV_VENV)/bin/python -m pip install --quiet -r requirements/checkov.txt
	touch $@

checkov: venv $(CHECKOV_VENV)/.installed
	$(BIN)/python scripts/checkov_report.py --checkov $(CHECKOV_VENV)/bin/checkov

# Builds the container image without a daemon (apt-get installs buildah and debootstrap) from a
# locally bootstrapped Debian root; see scripts/image-check.sh.
image-check: venv
	@scripts/image-check.sh

clean:
	rm -rf $(VENV) $(LOAD_VENV) $(CHECKOV_VENV) .venv-ralph var
