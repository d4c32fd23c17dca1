"""Bounces that come back later, through the running stack: each e-mail to a buyer leaves
with its own signed bounce address as return path; a delivery status notification sent
there (by SMTP to intake's own mail server) marks the message bounced with the reason, and
agents find it among the bounced messages. A forged bounce address is refused; a mail to a
real one that is no report changes nothing."""

import aiosmtplib
import pytest

from services.intake.adapters.buyer_links import BuyerLinks
from tests.factories import AGENT
from tests.integration.test_buyer_journey import buyer_case, mail_to

DIAGNOSTIC = "550 5.1.1 <{address}>: Recipient address rejected: mailbox unknown"


def delivery_report(address: str, action: str = "failed") -> bytes:
    return (
        "From: Mail Delivery System <MAILER-DAEMON@mx.example.net>\r\n"
        "Subject: Undelivered Mail Returned to Sender\r\n"
        "MIME-Version: 1.0\r\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="b1"\r\n'
        "\r\n--b1\r\nContent-Type: text/plain\r\n\r\nThe mail could not be delivered.\r\n"
        "--b1\r\nContent-Type: message/delivery-status\r\n\r\n"
        "Reporting-MTA: dns; mx.example.net\r\n\r\n"
        f"Final-Recipient: rfc822; {address}\r\nAction: {action}\r\nStatus: 5.1.1\r\n"
        f"Diagnostic-Code: smtp; {DIAGNOSTIC.format(address=address)}\r\n"
        "\r\n--b1--\r\n"
    ).encode()


async def report_to(stack, bounce_address: str, raw: bytes) -> str:
    port = stack.settings.inbound_smtp_port
    async with aiosmtplib.SMTP(hostname="127.0.0.1", port=port, start_tls=False) as smtp:
        # a report's null return path (RFC 3464)
        _, answer = await smtp.sendmail("", [bounce_address], raw)
    return answer


async def offer_sent(clients, mail_server) -> tuple[dict, str, str]:
    """An offer e-mailed to a buyer: the agents' view of it, its return path, the address."""
    case_id, address = await buyer_case(clients)
    mail = await mail_to(mail_server, address, ": our offer")
    listed = await clients["intake"].get(f"/cases/{case_id}/messages", headers=AGENT)
    [offer] = [m for m in listed.json() if m["kind"] == "offer_made"]
    return offer, mail["X-Envelope-From"].strip("<>"), address


async def test_a_later_bounce_marks_the_message_bounced_for_agents(stack, clients, mail_server):
    offer, return_path, address = await offer_sent(clients, mail_server)
    links = BuyerLinks.from_settings(stack.settings)
    assert links.message_of_bounce(return_path) == offer["message_id"]
    assert offer["state"] == "sent"

    answer = await report_to(stack, return_path, delivery_report(address))
    assert "recorded" in answer
    again = await report_to(stack, return_path, delivery_report(address))  # a repeat
    assert "recorded" in again

    bounced = await clients["intake"].get("/messages", params={"state": "bounced"}, headers=AGENT)
    [listed] = [m for m in bounced.json() if m["message_id"] == offer["message_id"]]
    assert listed["case_id"] == offer["case_id"]
    assert DIAGNOSTIC.format(address=address) in listed["error"]


async def test_a_report_that_it_was_delivered_marks_it_delivered(stack, clients, mail_server):
    offer, return_path, address = await offer_sent(clients, mail_server)
    await report_to(stack, return_path, delivery_report(address, action="delivered"))
    listed = await clients["intake"].get(f"/cases/{offer['case_id']}/messages", headers=AGENT)
    [now] = [m for m in listed.json() if m["message_id"] == offer["message_id"]]
    assert now["state"] == "delivered" and now["delivered_at"] is not None


async def test_a_forged_bounce_address_is_refused_and_a_non_report_ignored(
    stack, clients, mail_server
):
    offer, return_path, address = await offer_sent(clients, mail_server)
    local, domain = return_path.split("@")
    forged = f"{local[:-2]}{'aa' if local[-2:] != 'aa' else 'bb'}@{domain}"
    with pytest.raises(aiosmtplib.SMTPRecipientsRefused):
        await report_to(stack, forged, delivery_report(address))

    plain = b"From: someone@example.net\r\nSubject: hello\r\n\r\nNot a report.\r\n"
    assert "ignored" in await report_to(stack, return_path, plain)
    listed = await clients["intake"].get(f"/cases/{offer['case_id']}/messages", headers=AGENT)
    [now] = [m for m in listed.json() if m["message_id"] == offer["message_id"]]
    assert now["state"] == "sent"
