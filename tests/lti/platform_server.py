"""An LTI 1.3 platform for the tests: Open edX's ``LtiAdvantageConsumer`` (lti-consumer-xblock),
served over HTTP on 127.0.0.1. It runs in a venv of its own (``scripts/lti-platform-venv.sh``,
var/lti-platform-venv), never in Ringlet's: this file imports nothing of Ringlet.

What comes from lti-consumer-xblock: the login initiation URL (``prepare_preflight_url``), the
signed launch (``generate_launch_request``, deep linking requests included), the platform JWKS
(``get_public_keyset``), the token endpoint (``access_token``: it checks the tool's client
assertion against the tool's JWKS URL), token checks on the service endpoints (``check_token``)
and the deep linking response check (``check_and_decode_deep_linking_token``). The AGS line items
and scores and the NRPS roster are kept here in memory, as a gradebook would, and every request
the services receive is recorded for the tests (``GET /_control/received``).

Test-only controls (``/_control/...``) set up a launch (user, role, claims, and tampering: a
rogue key, an expired token, another audience, issuer or deployment), the roster, and rotate keys.

Usage: python platform_server.py PORT ISSUER CLIENT_ID DEPLOYMENT_ID TOOL_BASE_URL
"""

import json
import sys
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlsplit

import django
from django.conf import settings

settings.configure(
    INSTALLED_APPS=["django.contrib.contenttypes", "django.contrib.auth"],
    CACHES={"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}},
    DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}},
    PLATFORM_NAME="Test LMS",
    LMS_ROOT_URL="http://platform.test",
    USE_TZ=True,
)
django.setup()

import jwt  # noqa: E402  (PyJWT, lti-consumer-xblock's own JOSE library)
from cryptography.hazmat.primitives import serialization  # noqa: E402
from cryptography.hazmat.primitives.asymmetric import rsa  # noqa: E402
from lti_consumer.data import Lti1p3LaunchData  # noqa: E402
from lti_consumer.lti_1p3.consumer import LtiAdvantageConsumer  # noqa: E402

PORT, ISSUER, CLIENT_ID, DEPLOYMENT_ID, TOOL = sys.argv[1:6]
BASE = f"http://127.0.0.1:{PORT}"
TOOL_LOGIN, TOOL_LAUNCH, TOOL_JWKS = f"{TOOL}/lti/login/", f"{TOOL}/lti/launch/", f"{TOOL}/lti/jwks/"
LOCK = threading.Lock()


def new_key():
    pem = rsa.generate_private_key(public_exponent=65537, key_size=2048).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return pem.decode(), uuid.uuid4().hex[:12]


STATE = {
    "key": new_key(),
    "rogue": new_key(),
    "scenarios": {},
    "line_items": {},
    "members": {},
    "received": {
        "token": [],
        "lineitems": [],
        "scores": [],
        "memberships": [],
        "deep_link": [],
        "authorize": [],
    },
}


def consumer(scenario=None):
    scenario = scenario or {}
    pem, kid = STATE["key"]
    made = LtiAdvantageConsumer(
        iss=ISSUER,
        lti_oidc_url=TOOL_LOGIN,
        lti_launch_url=scenario.get("target_link_uri") or TOOL_LAUNCH,
        client_id=CLIENT_ID,
        deployment_id=DEPLOYMENT_ID,
        rsa_key=pem,
        rsa_key_id=kid,
        redirect_uris=[TOOL_LAUNCH],
        tool_key=None,
        tool_keyset_url=TOOL_JWKS,
    )
    made.enable_deep_linking(TOOL_LAUNCH, f"{BASE}/deep-link-return")
    return made


def prepare(scenario):
    """The login initiation URL for a scenario (a dict of the launch's user, role and claims)."""
    scenario = {
        "user_id": "u1",
        "role": "student",
        "resource_link_id": "rl-1",
        "context_id": "ctx-1",
        **scenario,
    }
    launch_data = Lti1p3LaunchData(
        user_id=scenario["user_id"],
        user_role=scenario["role"],
        config_id=uuid.uuid4().hex,
        resource_link_id=scenario["resource_link_id"],
        message_type=scenario.get("message_type", "LtiResourceLinkRequest"),
        context_id=scenario["context_id"],
    )
    url = consumer(scenario).prepare_preflight_url(launch_data)
    hint = parse_qs(urlsplit(url).query)["lti_message_hint"][0]
    with LOCK:
        STATE["scenarios"][hint] = scenario
    params = parse_qs(urlsplit(url).query)
    for key, value in scenario.get("login_overrides", {}).items():
        params[key] = [value]
    return f"{TOOL_LOGIN}?{urlencode({key: values[0] for key, values in params.items()})}"


def launch_for(query):
    """The platform's answer to the tool's authentication request: state and a signed id_token."""
    hint = query.get("lti_message_hint", "")
    scenario = STATE["scenarios"].get(hint)
    if scenario is None:
        raise ValueError("unknown lti_message_hint")
    made = consumer(scenario)
    made.set_user_data(
        user_id=scenario["user_id"],
        role=scenario["role"],
        full_name=scenario.get("name"),
        email_address=scenario.get("email"),
    )
    made.set_resource_link_claim(scenario["resource_link_id"], title=scenario.get("title"))
    made.set_context_claim(scenario["context_id"], context_title=scenario.get("context_title", "Biology 101"))
    if scenario.get("custom"):
        made.set_custom_parameters(scenario["custom"])
    made.set_launch_presentation_claim(document_target="iframe", return_url=f"{BASE}/return")
    context = scenario["context_id"]
    made.enable_ags(
        lineitems_url=f"{BASE}/lineitems/{context}",
        lineitem_url=scenario.get("lineitem"),
        allow_programmatic_grade_interaction=True,
    )
    made.enable_nrps(f"{BASE}/memberships/{context}")
    answer = made.generate_launch_request(
        {
            "nonce": query.get("nonce"),
            "state": query.get("state"),
            "redirect_uri": query.get("redirect_uri"),
            "client_id": query.get("client_id"),
            "lti_message_hint": hint,
        }
    )
    tamper = scenario.get("tamper")
    if tamper:
        answer["id_token"] = retamper(answer["id_token"], tamper)
    return answer


def retamper(token, tamper):
    """The same launch re-signed with claims changed, or signed by another key (tests of refusals)."""
    claims = jwt.decode(token, options={"verify_signature": False})
    header = jwt.get_unverified_header(token)
    now = int(time.time())
    if "exp_offset" in tamper:
        claims["iat"], claims["exp"] = now - 3600, now + tamper["exp_offset"]
    for name in ("aud", "iss", "azp"):
        if name in tamper:
            claims[name] = tamper[name]
    if "deployment_id" in tamper:
        claims["https://purl.imsglobal.org/spec/lti/claim/deployment_id"] = tamper["deployment_id"]
    pem, _kid = STATE["rogue"] if tamper.get("rogue_key") else STATE["key"]
    # A rogue key under the platform's own kid: the signature, not the kid, must give it away.
    return jwt.encode(claims, pem, algorithm="RS256", headers={"kid": header["kid"]})


def bearer(handler, scopes):
    auth = handler.headers.get("Authorization", "")
    if not auth.startswith("Bearer "):
        return False
    try:
        return consumer().check_token(auth[7:], scopes)
    except Exception:
        return False


class Handler(BaseHTTPRequestHandler):
    def log_message(self, fmt, *args):
        sys.stderr.write("platform: " + fmt % args + "\n")

    def _send(self, status, body, content_type="application/json", headers=None):
        data = (
            body
            if isinstance(body, bytes)
            else (json.dumps(body) if not isinstance(body, str) else body).encode()
        )
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def _body(self):
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length).decode() if length else ""

    def do_GET(self):
        parts = urlsplit(self.path)
        query = {key: values[0] for key, values in parse_qs(parts.query).items()}
        path = parts.path
        if path == "/jwks":
            return self._send(200, consumer().get_public_keyset())
        if path == "/authorize":
            STATE["received"]["authorize"].append(query)
            try:
                answer = launch_for(query)
            except ValueError as error:
                return self._send(400, {"error": str(error)})
            if "application/json" in self.headers.get("Accept", ""):
                return self._send(200, {**answer, "redirect_uri": query["redirect_uri"]})
            fields = "".join(
                f'<input type="hidden" name="{name}" value="{value}">' for name, value in answer.items()
            )
            html = (
                f'<!doctype html><form id="f" method="post" action="{query["redirect_uri"]}">{fields}</form>'
                "<script>document.getElementById('f').submit()</script>"
            )
            return self._send(200, html, "text/html")
        if path.startswith("/lineitems/"):
            if not bearer(
                self,
                [
                    "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem",
                    "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem.readonly",
                ],
            ):
                return self._send(401, {"error": "invalid token"})
            context = path.split("/")[2]
            items = [item for item in STATE["line_items"].values() if item["context"] == context]
            if "resource_id" in query:
                items = [item for item in items if item.get("resourceId") == query["resource_id"]]
            public = [{k: v for k, v in item.items() if k != "context"} for item in items]
            return self._send(200, public, "application/vnd.ims.lis.v2.lineitemcontainer+json")
        if path.startswith("/memberships/"):
            STATE["received"]["memberships"].append(
                {"path": self.path, "authorization": self.headers.get("Authorization")}
            )
            if not bearer(
                self, ["https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly"]
            ):
                return self._send(401, {"error": "invalid token"})
            context = path.split("/")[2]
            members = STATE["members"].get(context, [])
            page, size = int(query.get("page", 1)), 2
            headers = {}
            if page * size < len(members):
                headers["Link"] = f'<{BASE}/memberships/{context}?page={page + 1}>; rel="next"'
            body = {
                "id": f"{BASE}{self.path}",
                "context": {"id": context},
                "members": members[(page - 1) * size : page * size],
            }
            return self._send(200, body, "application/vnd.ims.lti-nrps.v2.membershipcontainer+json", headers)
        if path == "/embed":
            html = (
                "<!doctype html><title>Course in the LMS</title><h1>LMS course</h1>"
                f'<iframe id="tool" name="tool" src="{query["url"]}" width="1000" height="700"></iframe>'
            )
            return self._send(200, html, "text/html")
        if path == "/.well-known/openid-configuration":
            # Dynamic Registration: this platform's configuration (its issuer is its own address).
            return self._send(
                200,
                {
                    "issuer": BASE,
                    "authorization_endpoint": f"{BASE}/authorize",
                    "token_endpoint": f"{BASE}/token",
                    "jwks_uri": f"{BASE}/jwks",
                    "registration_endpoint": f"{BASE}/register",
                    "https://purl.imsglobal.org/spec/lti-platform-configuration": {
                        "product_family_code": "openedx",
                        "version": "11.4.4",
                    },
                },
            )
        if path == "/_control/received":
            return self._send(200, STATE["received"])
        return self._send(404, {"error": "not found"})

    def do_POST(self):
        parts = urlsplit(self.path)
        path = parts.path
        raw = self._body()
        if path == "/_control/launch":
            return self._send(200, {"login_url": prepare(json.loads(raw or "{}"))})
        if path.startswith("/_control/members/"):
            STATE["members"][path.split("/")[3]] = json.loads(raw)
            return self._send(200, {"ok": True})
        if path == "/_control/rotate":
            STATE["key"] = new_key()
            return self._send(200, {"kid": STATE["key"][1]})
        if path == "/_control/reset":
            for value in STATE["received"].values():
                value.clear()
            STATE["line_items"].clear()
            STATE["members"].clear()
            return self._send(200, {"ok": True})
        if path == "/token":
            form = {key: values[0] for key, values in parse_qs(raw).items()}
            STATE["received"]["token"].append(form)
            try:
                return self._send(200, consumer().access_token(form))
            except Exception as error:
                return self._send(400, {"error": "invalid_client", "detail": repr(error)})
        if path.startswith("/lineitems/"):
            record = {
                "path": path,
                "content_type": self.headers.get("Content-Type"),
                "authorization": self.headers.get("Authorization"),
                "body": raw,
            }
            segments = path.strip("/").split("/")
            if len(segments) == 4 and segments[3] == "scores":
                STATE["received"]["scores"].append(record)
                if not bearer(self, ["https://purl.imsglobal.org/spec/lti-ags/scope/score"]):
                    return self._send(401, {"error": "invalid token"})
                if self.headers.get("Content-Type") != "application/vnd.ims.lis.v1.score+json":
                    return self._send(415, {"error": "score media type expected"})
                return self._send(204, b"")
            STATE["received"]["lineitems"].append(record)
            if not bearer(self, ["https://purl.imsglobal.org/spec/lti-ags/scope/lineitem"]):
                return self._send(401, {"error": "invalid token"})
            item = json.loads(raw)
            with LOCK:
                number = len(STATE["line_items"]) + 1
                item["id"] = f"{BASE}/lineitems/{segments[1]}/{number}"
                STATE["line_items"][number] = {**item, "context": segments[1]}
            return self._send(201, item, "application/vnd.ims.lis.v2.lineitem+json")
        if path == "/register":
            STATE["received"].setdefault("registration", []).append(
                {"authorization": self.headers.get("Authorization"), "body": json.loads(raw or "{}")}
            )
            if self.headers.get("Authorization") != "Bearer reg-token":
                return self._send(401, {"error": "invalid registration token"})
            answer = {
                "client_id": "dr-client",
                **json.loads(raw),
                "https://purl.imsglobal.org/spec/lti-tool-configuration": {"deployment_id": "dr-1"},
            }
            return self._send(200, answer)
        if path == "/deep-link-return":
            form = {key: values[0] for key, values in parse_qs(raw).items()}
            try:
                items = consumer().check_and_decode_deep_linking_token(form.get("JWT", ""))
                claims = jwt.decode(form["JWT"], options={"verify_signature": False})
            except Exception as error:
                STATE["received"]["deep_link"].append({"error": repr(error)})
                return self._send(400, {"error": repr(error)})
            STATE["received"]["deep_link"].append({"items": items, "claims": claims})
            return self._send(200, "<!doctype html><p>Content added.</p>", "text/html")
        return self._send(404, {"error": "not found"})


if __name__ == "__main__":
    server = ThreadingHTTPServer(("127.0.0.1", int(PORT)), Handler)
    print(f"platform listening on {BASE}", flush=True)
    server.serve_forever()
