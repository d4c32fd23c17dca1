"""The local mail relay of `make run` and the tests: an SMTP server (`aiosmtpd`) that keeps
every message it takes as an `.eml` file (`<folder>/<UTC time>-<n>.eml`, the message as
received, with `X-Envelope-From` and `X-Envelope-To` lines naming its return path and
its recipients), and delivers nothing further. It numbers the SMTP sessions that bring
messages (`sessions_of`), so that a test tells how many sessions a batch took.

Like the emulators it fails on demand (`Faults`), so that the services' handling can be
seen: the next answers to RCPT TO may be a 451 (try again later) or a 550 (no such
mailbox: a bounce), any recipient may be refused for good, and the server may fail for a
while: each RCPT TO then gets the next answer of a list in turn, `HOLD` holding the answer
back (a client's timeout) before taking the recipient.

    python -m deploy.mail_server --port 2525 --folder .run/mail [--control-port 2526]

With `--control-port`, a process that did not start the server in its own (`make chaos`)
arms a failing spell over HTTP, in the emulators' words (`deploy/emulators/faults.py`):

    PUT /_emulator/faults/mail  {"failing_seconds": 60, "in_turn": ["421 4.3.2 ...", "hold"]}
    DELETE /_emulator/faults/mail
"""

import argparse
import asyncio
import itertools
import json
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

TRANSIENT = "451 4.3.0 Mailbox busy, try again later"
BOUNCE = "550 5.1.1 No such mailbox here"
CLOSING = "421 4.3.2 Service not available, closing transmission channel"
HOLD = "hold"  # no answer for HOLD_SECONDS: the client's timeout
HOLD_SECONDS = 20.0


@dataclass
class Faults:
    """Answers to give instead of taking a message: the next `times` RCPT TOs answered
    `answer`, and recipients refused for good."""

    queued: list[str] = field(default_factory=list)
    refused: dict[str, str] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)
    failing_until: float = 0.0  # a failing spell's end, on the monotonic clock
    in_turn: list[str] = field(default_factory=list)
    turn: int = 0

    def answer_next(self, answer: str, times: int = 1) -> None:
        with self.lock:
            self.queued.extend([answer] * times)

    def refuse(self, address: str, answer: str = BOUNCE) -> None:
        with self.lock:
            self.refused[address.lower()] = answer

    def fail_for(self, seconds: float, in_turn: list[str]) -> None:
        """For `seconds`, each RCPT TO gets the next answer of `in_turn` (HOLD: none for a
        while, then the recipient is taken), in turn."""
        if not in_turn or any(a != HOLD and not a[:3].isdigit() for a in in_turn):
            raise ValueError("in_turn: SMTP answers (`421 ...`) or `hold`")
        with self.lock:
            self.failing_until = time.monotonic() + seconds
            self.in_turn, self.turn = list(in_turn), 0

    def clear(self) -> None:
        with self.lock:
            self.queued.clear()
            self.refused.clear()
            self.failing_until, self.in_turn = 0.0, []

    def answer_to(self, address: str) -> str | None:
        with self.lock:
            if address.lower() in self.refused:
                return self.refused[address.lower()]
            if self.in_turn and time.monotonic() < self.failing_until:
                self.turn += 1
                return self.in_turn[(self.turn - 1) % len(self.in_turn)]
            return self.queued.pop(0) if self.queued else None


class KeepEveryMessage:
    """aiosmtpd's handler: each message taken is written to `folder`."""

    def __init__(self, folder: Path, faults: Faults) -> None:
        self.folder = folder
        self.faults = faults
        self.counter = itertools.count(1)
        self.sessions = itertools.count(1)
        self.session_of: dict[str, int] = {}  # each message's SMTP session, numbered

    async def handle_RCPT(  # noqa: N802 (aiosmtpd's hook names)
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list
    ) -> str:
        refusal = self.faults.answer_to(address)
        if refusal == HOLD:
            await asyncio.sleep(HOLD_SECONDS)
        elif refusal is not None:
            return refusal
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(  # noqa: N802
        self, server: SMTP, session: Session, envelope: Envelope
    ) -> str:
        self.folder.mkdir(parents=True, exist_ok=True)
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
        name = f"{stamp}-{next(self.counter):06d}.eml"
        content = envelope.original_content or envelope.content
        data = content if isinstance(content, bytes) else content.encode()
        header = (
            f"X-Envelope-From: <{envelope.mail_from or ''}>\r\n"
            f"X-Envelope-To: {', '.join(envelope.rcpt_tos)}\r\n"
        ).encode()
        partial = self.folder / f".{name}.part"
        partial.write_bytes(header + data)
        partial.rename(self.folder / name)  # whole or not at all, for whoever reads the folder
        if not hasattr(session, "number"):
            session.number = next(self.sessions)
        self.session_of[name] = session.number
        return f"250 2.0.0 OK queued as {name}"


class MailServer:
    """The server on `host:port`, in a thread of its own; `folder` holds what it took."""

    def __init__(self, folder: Path, host: str = "127.0.0.1", port: int = 2525) -> None:
        self.folder = Path(folder)
        self.host = host
        self.port = port
        self.faults = Faults()
        self.handler = KeepEveryMessage(self.folder, self.faults)
        self.controller = Controller(self.handler, hostname=host, port=port)

    def start(self) -> "MailServer":
        self.folder.mkdir(parents=True, exist_ok=True)
        self.controller.start()
        return self

    def stop(self) -> None:
        self.controller.stop()

    def messages(self) -> list[Path]:
        """The messages taken so far, oldest first."""
        return sorted(self.folder.glob("*.eml"))

    def sessions_of(self, messages: list[Path]) -> set[int]:
        """The SMTP sessions that brought `messages` (numbered in order)."""
        return {self.handler.session_of[path.name] for path in messages}

    def __enter__(self) -> "MailServer":
        return self.start()

    def __exit__(self, *_: object) -> None:
        self.stop()


FAULTS_PATH = "/_emulator/faults/mail"


def control_server(faults: Faults, host: str, port: int) -> ThreadingHTTPServer:
    """`PUT` (a failing spell) and `DELETE` (every fault cleared) of FAULTS_PATH, on `port`."""

    class Control(BaseHTTPRequestHandler):
        def _answer(self, status: int, reason: str = "") -> None:
            body = json.dumps({"detail": reason}).encode() if reason else b""
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_PUT(self) -> None:  # noqa: N802 (http.server's hook names)
            if self.path != FAULTS_PATH:
                return self._answer(404, f"faults are armed at {FAULTS_PATH}")
            try:
                asked = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))))
                faults.fail_for(float(asked["failing_seconds"]), list(asked["in_turn"]))
            except (ValueError, KeyError, TypeError) as error:
                return self._answer(422, f"{{failing_seconds, in_turn}}: {error}")
            return self._answer(204)

        def do_DELETE(self) -> None:  # noqa: N802
            if self.path != FAULTS_PATH:
                return self._answer(404, f"faults are cleared at {FAULTS_PATH}")
            faults.clear()
            return self._answer(204)

        def log_message(self, *_: object) -> None:  # quiet, as the SMTP side is
            pass

    return ThreadingHTTPServer((host, port), Control)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=2525)
    parser.add_argument("--folder", type=Path, default=Path(".run/mail"))
    parser.add_argument("--control-port", type=int, help="faults armed over HTTP on this port")
    arguments = parser.parse_args()
    with MailServer(arguments.folder, arguments.host, arguments.port) as server:
        control = None
        if arguments.control_port:
            control = control_server(server.faults, arguments.host, arguments.control_port)
            threading.Thread(target=control.serve_forever, daemon=True).start()
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass
        finally:
            if control is not None:
                control.shutdown()


if __name__ == "__main__":
    main()
