# One image for every Ringlet process: the edge (nginx), web (gunicorn), the default and
# media Celery workers, beat, and the migrate Job; the Kubernetes manifests pick the command.
#   docker build -t ringlet .
# `make image-check` builds it without a daemon (buildah), offline.

# Replaced by `make image-check` with a locally bootstrapped Debian root.
ARG PYTHON_IMAGE=python:3.11-slim-bookworm

# --- builder: compilers, every wheel installed into a virtualenv, and npm packages ------
FROM ${PYTHON_IMAGE} AS builder
# Unpinned Debian packages: bookworm's point releases replace old versions, so pins
# would break the build; the base image's tag or digest fixes the release.
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends build-essential libpq-dev npm \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /build
# The player's hls.js and the PDF viewer's pdf.js, exactly as package-lock.json pins them
# (served as static files). No optional packages: pdf.js's only one is a canvas for Node.
COPY package.json package-lock.json ./
# Unset in an ordinary build; `make image-check` points it at this machine's CA bundle.
ARG NPM_CONFIG_CAFILE
RUN npm ci --omit=dev --omit=optional --ignore-scripts --no-audit --no-fund
COPY requirements/base.txt requirements/prod.txt requirements/
# PIP_FIND_LINKS and PIP_NO_INDEX can point pip at a wheelhouse downloaded beforehand.
ARG PIP_FIND_LINKS
ARG PIP_NO_INDEX
RUN python -m pip wheel --no-cache-dir --wheel-dir /wheels -r requirements/prod.txt \
    && python -m venv /opt/venv \
    && /opt/venv/bin/pip install --no-cache-dir --no-index --find-links /wheels -r requirements/prod.txt

# --- runtime: Python, FFmpeg, libpq and PostgreSQL's client tools, the virtualenv and the code
FROM ${PYTHON_IMAGE} AS runtime
# postgresql-client-15 brings pg_dump and pg_restore for `manage.py backup_db` and
# `restore_db`, the same major version as the PostgreSQL 15 server. nginx-light (built with
# secure_link) and its cache-purge module run the edge tier (`python -m portal.edge serve`,
# deploy/edge/), which serves this image's static files: about 2 MB.
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends ffmpeg libpq5 postgresql-client-15 \
        nginx-light libnginx-mod-http-cache-purge \
    && rm -rf /var/lib/apt/lists/* \
    && groupadd --system --gid 10001 ringlet \
    && useradd --system --uid 10001 --gid ringlet --no-create-home --home-dir /nonexistent \
        --shell /usr/sbin/nologin ringlet
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    DJANGO_SETTINGS_MODULE=portal.settings.production \
    STATIC_ROOT=/app/static
WORKDIR /app
COPY --from=builder /opt/venv /opt/venv
COPY . .
# Only the minified build the player loads and its source map (which the manifest storage
# resolves): the whole dist, every variant collected and compressed, adds about 100 MB.
COPY --from=builder /build/node_modules/hls.js/dist/hls.min.js /build/node_modules/hls.js/dist/hls.min.js.map \
    /app/node_modules/hls.js/dist/
# Plyr, the player's controls: its minified script, stylesheet and icon sprite.
COPY --from=builder /build/node_modules/plyr/dist/plyr.min.js /build/node_modules/plyr/dist/plyr.min.js.map \
    /build/node_modules/plyr/dist/plyr.css /build/node_modules/plyr/dist/plyr.svg /app/node_modules/plyr/dist/
# pdf.js: the minified library and its module worker, and the data they fetch on demand
# (portal/settings/base.py, STATICFILES_DIRS); not its maps, sources or legacy build (35 MB).
COPY --from=builder /build/node_modules/pdfjs-dist/build/pdf.min.mjs \
    /build/node_modules/pdfjs-dist/build/pdf.worker.min.mjs /app/node_modules/pdfjs-dist/build/
COPY --from=builder /build/node_modules/pdfjs-dist/standard_fonts /app/node_modules/pdfjs-dist/standard_fonts
COPY --from=builder /build/node_modules/pdfjs-dist/cmaps /app/node_modules/pdfjs-dist/cmaps
COPY --from=builder /build/node_modules/pdfjs-dist/wasm /app/node_modules/pdfjs-dist/wasm
# The content-package runtimes (packages/): scorm-again's SCORM APIs and the H5P player.
COPY --from=builder /build/node_modules/scorm-again/dist /app/node_modules/scorm-again/dist
COPY --from=builder /build/node_modules/h5p-standalone/dist /app/node_modules/h5p-standalone/dist
# Static files are collected at build time (the root filesystem is read-only in the
# cluster). Production settings insist on these variables; nothing reads them here.
RUN SECRET_KEY=collectstatic-only-not-a-secret \
    ALLOWED_HOSTS=localhost \
    DATABASE_URL=sqlite:////tmp/collectstatic.sqlite3 \
    python manage.py collectstatic --no-input --verbosity 0 \
    && python -m compileall -q /app
USER 10001:10001
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/health/', timeout=4)"]
# Exec form: gunicorn (or celery, given as the command) is PID 1 and gets SIGTERM.
CMD ["gunicorn", "--config", "gunicorn.conf.py"]
