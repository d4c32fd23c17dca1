"""The local mail relay of `make run` and the tests: an SMTP server (`aiosmtpd`) that keeps
every message it takes as an `.eml` file (`<folder>/<UTC time>-<n>.eml`, the message as
received, with `X-Envelope-From` and `X-Envelope-To` lines naming its return path and
its recipients), and delivers nothing further.

Like the emulators it fails on demand (`Faults`), so that the services' handling can be
seen: the next answers to RCPT TO may be a 451 (try again later) or a 550 (no such
mailbox: a bounce), and any recipient may be refused for good.

    python -m deploy.mail_server --port 2525 --folder .run/mail
"""

import argparse
import itertools
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

TRANSIENT = "451 4.3.0 Mailbox busy, try again later"
BOUNCE = "550 5.1.1 No such mailbox here"


@dataclass
class Faults:
    """Answers to give instead of taking a message: the next `times` RCPT TOs answered
    `answer`, and recipients refused for good."""

    queued: list[str] = field(default_factory=list)
    refused: dict[str, str] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def answer_next(self, answer: str, times: int = 1) -> None:
        with self.lock:
            self.queued.extend([answer] * times)

    def refuse(self, address: str, answer: str = BOUNCE) -> None:
        with self.lock:
            self.refused[address.lower()] = answer

    def clear(self) -> None:
        with self.lock:
            self.queued.clear()
            self.refused.clear()

    def answer_to(self, address: str) -> str | None:
        with self.lock:
            if address.lower() in self.refused:
                return self.refused[address.lower()]
            return self.queued.pop(0) if self.queued else None


class KeepEveryMessage:
    """aiosmtpd's handler: each message taken is written to `folder`."""

    def __init__(self, folder: Path, faults: Faults) -> None:
        self.folder = folder
        self.faults = faults
        self.counter = itertools.count(1)

    async def handle_RCPT(  # noqa: N802 (aiosmtpd's hook names)
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list
    ) -> str:
        refusal = self.faults.answer_to(address)
        if refusal is not None:
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

    def __enter__(self) -> "MailServer":
        return self.start()

    def __exit__(self, *_: object) -> None:
        self.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=2525)
    parser.add_argument("--folder", type=Path, default=Path(".run/mail"))
    arguments = parser.parse_args()
    with MailServer(arguments.folder, arguments.host, arguments.port):
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass


if __name__ == "__main__":
    main()
