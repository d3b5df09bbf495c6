"""A mail server of the test's own, for worker processes whose email must be seen (or must hang).

``MailServer`` speaks just enough SMTP for Django's SMTP backend (EHLO/HELO, MAIL, RCPT, DATA,
RSET, NOOP, QUIT) and keeps every message it accepts. With ``hang = True`` it accepts
connections and never says a word, as a mail server stuck behind a dead firewall does; each
connection's accept and close times are recorded, so a test can see how long a client waited.
Point worker processes at it with ``TEST_EMAIL_URL=server.url`` (portal/settings/test.py).
"""

import email
import email.header
import socketserver
import threading
import time
from dataclasses import dataclass, field


@dataclass
class Received:
    sender: str
    recipients: list
    message: object  # email.message.Message

    @property
    def subject(self):
        return str(email.header.make_header(email.header.decode_header(self.message["Subject"])))


@dataclass
class Connection:
    opened: float
    closed: float | None = None
    hung: bool = False


@dataclass
class _State:
    hang: bool = False
    messages: list = field(default_factory=list)
    connections: list = field(default_factory=list)


class _Handler(socketserver.StreamRequestHandler):
    timeout = 120

    def handle(self):
        state = self.server.state
        record = Connection(opened=time.monotonic(), hung=state.hang)
        state.connections.append(record)
        try:
            if record.hung:
                self._wait_for_the_client_to_give_up()
            else:
                self._converse(state)
        finally:
            record.closed = time.monotonic()

    def _wait_for_the_client_to_give_up(self):
        self.request.settimeout(1)
        while not self.server.stopping:
            try:
                if not self.request.recv(4096):
                    return  # the client closed the connection
            except TimeoutError:
                continue
            except OSError:
                return

    def _send(self, line):
        self.wfile.write(line.encode() + b"\r\n")
        self.wfile.flush()

    def _converse(self, state):
        self._send("220 test-mail ESMTP ready")
        sender, recipients = "", []
        while True:
            line = self.rfile.readline()
            if not line:
                return
            command = line.decode("utf-8", "replace").strip()
            verb = command[:4].upper()
            if verb == "EHLO":
                self._send("250-test-mail")
                self._send("250-8BITMIME")
                self._send("250 SMTPUTF8")
            elif verb == "HELO":
                self._send("250 test-mail")
            elif verb == "MAIL":
                sender, recipients = command.split(":", 1)[1].strip().strip("<>").split(">")[0], []
                self._send("250 OK")
            elif verb == "RCPT":
                recipients.append(command.split(":", 1)[1].strip().strip("<>").split(">")[0])
                self._send("250 OK")
            elif verb == "DATA":
                self._send("354 End data with <CR><LF>.<CR><LF>")
                lines = []
                while True:
                    data = self.rfile.readline()
                    if not data or data in (b".\r\n", b".\n"):
                        break
                    lines.append(data[1:] if data.startswith(b"..") else data)
                state.messages.append(Received(sender, recipients, email.message_from_bytes(b"".join(lines))))
                self._send("250 OK: queued")
            elif verb in ("RSET", "NOOP"):
                self._send("250 OK")
            elif verb == "QUIT":
                self._send("221 Bye")
                return
            else:
                self._send("502 Command not implemented")


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, state):
        self.state = state
        self.stopping = False
        super().__init__(("127.0.0.1", 0), _Handler)


class MailServer:
    def __init__(self):
        self.state = _State()
        self._server = None
        self._thread = None

    @property
    def port(self):
        return self._server.server_address[1]

    @property
    def url(self):
        return f"smtp://127.0.0.1:{self.port}"

    @property
    def hang(self):
        return self.state.hang

    @hang.setter
    def hang(self, value):
        self.state.hang = value

    @property
    def messages(self):
        return self.state.messages

    @property
    def connections(self):
        return self.state.connections

    def to(self, address):
        return [m for m in self.messages if address in m.recipients]

    def start(self):
        self._server = _Server(self.state)
        self._thread = threading.Thread(target=self._server.serve_forever, name="test-mail", daemon=True)
        self._thread.start()
        return self

    def stop(self):
        self._server.stopping = True
        self._server.shutdown()
        self._server.server_close()

    def clear(self):
        self.state.messages.clear()
        self.state.connections.clear()
