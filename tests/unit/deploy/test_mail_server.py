"""The local mail server failing for a while (`deploy/mail_server.py`), armed over its
control port as `make chaos` arms it: each recipient gets the next answer in turn."""

import json
import smtplib
import threading
import urllib.request

import pytest

from deploy.components import free_port
from deploy.mail_server import CLOSING, FAULTS_PATH, TRANSIENT, MailServer, control_server


def arm(port: int, method: str, body: dict | None = None) -> int:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}{FAULTS_PATH}",
        data=json.dumps(body).encode() if body is not None else None,
        method=method,
    )
    try:
        with urllib.request.urlopen(request, timeout=5) as answer:  # noqa: S310 (loopback)
            return answer.status
    except urllib.error.HTTPError as refused:
        return refused.code


def send(port: int) -> None:
    with smtplib.SMTP("127.0.0.1", port, timeout=5) as smtp:
        smtp.sendmail("shop@example.com", ["buyer@example.com"], b"Subject: hi\r\n\r\nhello")


def test_a_failing_spell_answers_in_turn_until_cleared(tmp_path):
    with MailServer(tmp_path, port=free_port()) as server:
        control_port = free_port()
        control = control_server(server.faults, "127.0.0.1", control_port)
        threading.Thread(target=control.serve_forever, daemon=True).start()
        try:
            spell = {"failing_seconds": 60, "in_turn": [CLOSING, TRANSIENT]}
            assert arm(control_port, "PUT", spell) == 204
            for expected in (421, 451, 421):
                with pytest.raises(smtplib.SMTPRecipientsRefused) as refused:
                    send(server.port)
                assert refused.value.recipients["buyer@example.com"][0] == expected
            assert server.messages() == []
            assert arm(control_port, "PUT", {"failing_seconds": 60, "in_turn": ["no"]}) == 422
            assert arm(control_port, "DELETE") == 204
            send(server.port)
            assert len(server.messages()) == 1
        finally:
            control.shutdown()
