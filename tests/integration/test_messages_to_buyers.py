"""Messages to buyers through the running stack: a marketplace's webhook opens a case,
resolution offers a remedy, and intake's message worker hands the offer to the local SMTP
server (`deploy/mail_server.py`), which keeps it as an .eml file."""

import email
import uuid
from email.policy import default as default_policy

from tests.conftest import eventually
from tests.factories import AGENT, post_case, webhook
from tests.integration.test_channels import stored_case


def mail_to(mail_server, address: str) -> list:
    found = []
    for path in mail_server.messages():
        parsed = email.message_from_bytes(path.read_bytes(), policy=default_policy)
        if parsed["To"] == address:
            found.append(parsed)
    return found


async def test_a_webhook_leads_to_the_offer_email_in_the_mail_folder(
    clients, mail_server, settings
):
    address = f"buyer-{uuid.uuid4().hex[:10]}@example.com"
    buyer = {"name": "Dana Whitfield", "email": address}
    body = webhook(buyer=buyer, buyer_ref=f"buyer-{uuid.uuid4().hex[:8]}")
    answer = await post_case(clients["intake"], body)
    assert answer.status_code == 202, answer.text
    case_id = answer.json()["case_id"]
    await eventually(lambda: stored_case(clients, case_id))

    async def offer_mail():
        subjects = (": our offer", ": what we will do")  # an offer, or a notice of one owed
        return [m for m in mail_to(mail_server, address) if m["Subject"].endswith(subjects)]

    [mail] = await eventually(offer_mail, timeout=60)
    assert mail["Subject"].startswith("Your case about Portable Bluetooth Speaker 20W")
    assert mail["Reply-To"].endswith(f"@{settings.reply_domain}")
    assert mail["Message-ID"].endswith(f"@{settings.reply_domain}>")
    text = mail.get_body(("plain",)).get_content()
    assert f"{settings.buyer_page_base_url}/buyer/" in text
    html = mail.get_body(("html",)).get_content()
    assert f'href="{settings.buyer_page_base_url}/buyer/' in html

    listed = await clients["intake"].get(f"/cases/{case_id}/messages", headers=AGENT)
    kinds = {m["kind"]: m["state"] for m in listed.json()}
    assert kinds.get("offer_made", kinds.get("remedy_owed")) == "sent", kinds
