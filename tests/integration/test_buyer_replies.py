"""A buyer's e-mail reply through the running stack: sent by SMTP to intake's own mail
server, it accepts the open offer and resolution decides."""

import uuid
from email.message import EmailMessage

import aiosmtplib

from services.intake.adapters.buyer_links import BuyerLinks
from tests.conftest import eventually
from tests.factories import AGENT, post_case, webhook
from tests.integration.conftest import offers_of


async def test_a_reply_email_accepting_an_offer_makes_resolution_decide(stack, clients):
    items = [{**webhook()["items"][0], "sku": f"MUG-{uuid.uuid4().hex[:6]}"}]
    opened = await post_case(
        clients["intake"], webhook(reason_code="DAMAGED_PACKAGING", items=items)
    )
    assert opened.status_code == 202, opened.text
    case_id = opened.json()["case_id"]

    async def open_offer():
        offers = [o for o in await offers_of(clients, case_id) if o["state"] == "open"]
        return offers[0] if offers else None

    offer = await eventually(open_offer, timeout=60)
    links = BuyerLinks.from_settings(stack.settings)
    reply = EmailMessage()
    reply["From"] = "Buyer <buyer@example.com>"
    reply["To"] = links.reply_address(case_id)
    reply["Subject"] = "Re: your return"
    reply["Message-ID"] = f"<{uuid.uuid4()}@mail.example.com>"
    reply["In-Reply-To"] = links.message_id(case_id, f"offer-{offer['step']}")
    reply.set_content(
        "Yes, I accept.\n\nOn Mon, 1 Jun 2026 at 10:00, Shop <shop@example.com> wrote:\n"
        "> We offer a partial refund. Do you accept?\n\n-- \nA buyer"
    )
    _, answer = await aiosmtplib.send(
        reply, hostname="127.0.0.1", port=stack.settings.inbound_smtp_port
    )
    assert case_id in answer

    async def decision():
        response = await clients["resolution"].get(f"/decisions/{case_id}", headers=AGENT)
        decided = response.json() if response.status_code == 200 else {}
        return decided if decided.get("remedy") else None

    decided = await eventually(decision, timeout=60)
    assert decided["remedy"] == offer["remedy"]
