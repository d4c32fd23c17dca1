"""Delivery status notifications read (`services/intake/domain/delivery_reports.py`)."""

import pytest

from services.intake.domain.delivery_reports import NotAReport, read_report


def report(action: str, status: str, diagnostic: str = "", report_type="delivery-status"):
    diagnostic_line = f"Diagnostic-Code: smtp; {diagnostic}\r\n" if diagnostic else ""
    return (
        "From: MAILER-DAEMON@mx.example.net\r\n"
        "To: bounce+abc.def@replies.localhost\r\n"
        "Subject: Undelivered Mail Returned to Sender\r\n"
        "MIME-Version: 1.0\r\n"
        f'Content-Type: multipart/report; report-type={report_type}; boundary="b1"\r\n'
        "\r\n--b1\r\nContent-Type: text/plain\r\n\r\nYour message could not be delivered.\r\n"
        "--b1\r\nContent-Type: message/delivery-status\r\n\r\n"
        "Reporting-MTA: dns; mx.example.net\r\n\r\n"
        "Final-Recipient: rfc822; dana@example.com\r\n"
        f"Action: {action}\r\nStatus: {status}\r\n{diagnostic_line}"
        "\r\n--b1\r\nContent-Type: text/rfc822-headers\r\n\r\n"
        "Message-ID: <offer-1.x.y@replies.localhost>\r\n"
        "\r\n--b1--\r\n"
    ).encode()


def test_a_failed_report_says_why():
    found = read_report(report("failed", "5.1.1", "550 5.1.1 <dana@example.com>: no such user"))
    assert (found.action, found.status, found.recipient) == ("failed", "5.1.1", "dana@example.com")
    assert found.changes_state
    assert "550 5.1.1 <dana@example.com>: no such user" in found.reason


def test_a_delivered_report_changes_state_and_a_delay_does_not():
    assert read_report(report("delivered", "2.0.0")).changes_state
    delayed = read_report(report("delayed", "4.4.1", "connection timed out"))
    assert delayed.action == "delayed" and not delayed.changes_state


@pytest.mark.parametrize(
    "raw",
    [
        b"From: a@b.example\r\nSubject: hello\r\n\r\nJust words.\r\n",
        report("failed", "5.1.1", report_type="disposition-notification"),
        report("failed", "5.1.1").replace(b"Action: failed\r\n", b""),
        b"\x00\xff\xfe binary",
    ],
    ids=["plain mail", "read receipt", "no action", "binary"],
)
def test_anything_else_is_not_a_report(raw):
    with pytest.raises(NotAReport):
        read_report(raw)
