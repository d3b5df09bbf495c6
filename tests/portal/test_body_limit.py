"""An upload larger than allowed is refused from its declared length, before its body is read
(issue 23): a real gunicorn, a raw socket, a 3 GiB Content-Length and a few bytes of body."""

import socket
from pathlib import Path

import pytest
import requests

from tests.processes import BASE_DIR, Process, child_env, free_port, wait_for

pytestmark = pytest.mark.slow
GUNICORN = str(Path(BASE_DIR) / ".venv" / "bin" / "gunicorn")
THREE_GIB = 3 * 1024**3


@pytest.fixture
def server(tmp_path):
    """gunicorn with the test settings, its temporary files in a folder of the test's own."""
    port = free_port()
    uploads = tmp_path / "tmp"
    uploads.mkdir()
    env = child_env(GUNICORN_BIND=f"127.0.0.1:{port}", WEB_CONCURRENCY=1, GUNICORN_THREADS=2, TMPDIR=uploads)
    web = Process([GUNICORN, "-c", "gunicorn.conf.py"], env, tmp_path / "gunicorn.log")

    def answers():
        try:
            return requests.get(f"http://127.0.0.1:{port}/health/", timeout=5).status_code == 200
        except requests.RequestException:
            return False

    try:
        wait_for(answers, timeout=60, message="gunicorn")
    except AssertionError:
        web.stop()
        raise AssertionError(web.output()) from None
    yield port, uploads
    web.stop()


def send_head(port, path, length, body=b"--b\r\n", extra=""):
    """Open a connection, send a POST's headers declaring ``length`` bytes and only ``body``;
    return the socket (the rest of the body is never sent)."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=30)
    head = (
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        "Content-Type: multipart/form-data; boundary=b\r\n"
        f"Content-Length: {length}\r\n{extra}\r\n"
    )
    sock.sendall(head.encode() + body)
    return sock


def read_response(sock):
    """What the server answers while the client still owes it almost the whole body."""
    data = b""
    while b"</html>" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            break
        data += chunk
    return data.decode("utf-8", "replace")


def test_a_3_gib_declared_media_upload_is_refused_before_the_body_is_sent(server):
    port, uploads = server
    sock = send_head(port, "/admin/media/video/add/", THREE_GIB)
    try:
        response = read_response(sock)
    finally:
        sock.close()

    # 5 bytes of 3 GiB were sent: the answer came from the declared length alone.
    assert response.startswith("HTTP/1.1 413 ")
    assert "This upload is too large: 3,072 MiB; the limit is 2,048 MiB." in response
    assert list(uploads.iterdir()) == []  # nothing was spooled to a temporary file


def test_any_other_post_declaring_more_than_the_largest_upload_is_refused_too(server):
    port, _ = server
    sock = send_head(port, "/accounts/login/", THREE_GIB)
    try:
        response = read_response(sock)
    finally:
        sock.close()

    assert response.startswith("HTTP/1.1 413 ")


def test_a_chunked_upload_to_the_media_admin_with_no_declared_length_is_refused(server):
    port, _ = server
    sock = socket.create_connection(("127.0.0.1", port), timeout=30)
    try:
        sock.sendall(
            b"POST /admin/media/video/add/ HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            b"Content-Type: multipart/form-data; boundary=b\r\nTransfer-Encoding: chunked\r\n\r\n"
            b"5\r\n--b\r\n\r\n"
        )
        response = read_response(sock)
    finally:
        sock.close()

    assert response.startswith("HTTP/1.1 411 ")
    assert "Uploads must say their length" in response


def test_an_upload_within_the_limit_reaches_the_view(server):
    port, _ = server

    response = requests.post(
        f"http://127.0.0.1:{port}/admin/media/video/add/",
        files={"file": ("a.mp4", b"\0" * 1024)},
        timeout=30,
        allow_redirects=False,
    )

    # Past the limit check: the admin itself answers (the CSRF check refuses a cookieless POST).
    assert response.status_code == 403
