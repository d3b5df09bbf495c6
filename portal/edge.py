"""The edge tier's nginx configuration, rendered from ``deploy/edge/nginx.conf.template``.

One template serves the Kubernetes Deployment (``python -m portal.edge serve``, the edge
container's command: it renders from the environment and becomes nginx), the tests'
fixture and ``make bench`` (``render(values)``). Every ``${EDGE_...}`` placeholder must get a
value (a missing one stops with its name); nginx's own ``$variables`` are left alone.

No Django here: the edge container runs it without settings or a database.
"""

import os
import re
import sys
from pathlib import Path

TEMPLATE = Path(__file__).resolve().parent.parent / "deploy" / "edge" / "nginx.conf.template"
_PLACEHOLDER = re.compile(r"\$\{(EDGE_[A-Z0-9_]+)\}")
_WORD = re.compile(r"^[A-Za-z0-9_.:/@-]+$")

DEFAULTS = {
    "EDGE_LISTEN": "8080",
    "EDGE_PURGE_LISTEN": "8081",
    # Who may purge: the cluster's pod network by default; the NetworkPolicy narrows it to web
    # and the workers.
    "EDGE_PURGE_ALLOW": "10.0.0.0/8",
    "EDGE_UPSTREAM": "ringlet-web:80",
    "EDGE_WORKERS": "auto",
    # An emptyDir of the edge pod's own (the root filesystem is read-only).
    "EDGE_RUN_DIR": "/tmp/edge",  # noqa: S108
    "EDGE_CACHE_DIR": "/tmp/edge/cache",  # noqa: S108
    "EDGE_CACHE_KEYS": "32m",
    "EDGE_CACHE_SIZE": "1g",
    "EDGE_STATIC_ROOT": "/app/static",
    "EDGE_MEDIA_ROOT": "/media",
    "EDGE_SESSION_COOKIE": "sessionid",
    "EDGE_MESSAGES_COOKIE": "messages",
    "EDGE_ACCESS_LOG": "off",
    "EDGE_LOG_LEVEL": "warn",
    "EDGE_MAX_BODY": "2048m",
    # Empty: nginx runs as whoever starts it (the image's unprivileged user).
    "EDGE_USER": "",
}
# No default: the edge refuses to start without the key that signs HLS URLs.
REQUIRED = ("EDGE_SIGNING_KEY",)


class EdgeConfigError(ValueError):
    pass


def values_from(environ):
    """The template's values: ``DEFAULTS`` overridden by ``environ``'s ``EDGE_*`` variables."""
    values = {**DEFAULTS, **{k: v for k, v in environ.items() if k.startswith("EDGE_")}}
    # MEDIA_MAX_UPLOAD_MB (the app's own limit) sets the body limit unless given.
    if "EDGE_MAX_BODY" not in environ and environ.get("MEDIA_MAX_UPLOAD_MB"):
        values["EDGE_MAX_BODY"] = f"{int(environ['MEDIA_MAX_UPLOAD_MB'])}m"
    return values


def render(values, template=TEMPLATE):
    """The configuration text for ``values`` (a dict of ``EDGE_*`` names)."""
    values = dict(values)
    for name in REQUIRED:
        if not values.get(name):
            raise EdgeConfigError(f"{name} must be set (the edge verifies signed media URLs with it).")
    key = values["EDGE_SIGNING_KEY"]
    if len(key) < 32 or not re.fullmatch(r"[A-Za-z0-9_-]+", key):
        raise EdgeConfigError("EDGE_SIGNING_KEY must be at least 32 letters, digits, '-' or '_'.")
    user = values.pop("EDGE_USER", "")
    values["EDGE_USER_LINE"] = f"user {user};" if user else ""
    checked = set(values) - {"EDGE_USER_LINE", "EDGE_PURGE_ALLOW", "EDGE_SIGNING_KEY"}
    for name in sorted(checked):
        value = values[name]
        if not _WORD.match(str(value)):
            raise EdgeConfigError(f"{name}={value!r} is not a plain word nginx can take.")

    def fill(match):
        name = match.group(1)
        if name not in values:
            raise EdgeConfigError(f"The edge template needs {name}.")
        return str(values[name])

    text = Path(template).read_text()
    # EDGE_PURGE_ALLOW may name several addresses: one allow line each.
    allow = [a for a in re.split(r"[\s,]+", values.get("EDGE_PURGE_ALLOW", "")) if a]
    if not allow or not all(_WORD.match(a) for a in allow):
        raise EdgeConfigError("EDGE_PURGE_ALLOW must name at least one address or CIDR block.")
    values["EDGE_PURGE_ALLOW"] = ";\n            allow ".join(allow)
    return _PLACEHOLDER.sub(fill, text)


def write(values, directory):
    """Render into ``directory`` (creating the run and cache directories); the config's path."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    for name in ("EDGE_RUN_DIR", "EDGE_CACHE_DIR"):
        Path(values[name]).mkdir(parents=True, exist_ok=True)
    path = directory / "nginx.conf"
    path.write_text(render(values))
    return path


def serve(environ=None):  # pragma: no cover - the container's entry point, exec()s nginx
    environ = os.environ if environ is None else environ
    values = values_from(environ)
    path = write(values, values["EDGE_RUN_DIR"])
    nginx = "/usr/sbin/nginx"
    os.execv(nginx, [nginx, "-e", "stderr", "-c", str(path), "-g", "daemon off;"])  # noqa: S606


if __name__ == "__main__":  # pragma: no cover
    command = sys.argv[1] if len(sys.argv) > 1 else "render"
    if command == "serve":
        serve()
    elif command == "render":
        sys.stdout.write(render(values_from(os.environ)))
    else:
        sys.exit(f"usage: python -m portal.edge [render|serve]; not {command!r}")
