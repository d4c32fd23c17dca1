"""`make run`'s simulated buyers (`deploy/buyers_play.py`) against the running stack: they
read the offers the local mail server kept, answer some on their case's page and some by
replying to the e-mail through intake's own mail server, and every case gets decided from
those answers, not from the agents' route. Analytics shows each case's conversation."""

import uuid
from datetime import UTC, datetime

from deploy.buyers_play import EMAIL, PAGE, Buyers, Reach, mail_stamp, play_until_decided
from tests.conftest import eventually
from tests.factories import AGENT, post_case, webhook
from tests.integration.conftest import rows


async def test_buyers_answer_by_page_and_by_email_and_their_cases_are_decided(
    stack, clients, mail_server, database
):
    since = mail_stamp(datetime.now(UTC))
    addresses, case_ids = [], []
    for number in range(4):
        address = f"buyer-{uuid.uuid4().hex[:10]}@example.com"
        items = [{**webhook()["items"][0], "sku": f"MUG-{uuid.uuid4().hex[:6]}"}]
        body = webhook(
            reason_code="DAMAGED_PACKAGING",
            items=items,
            buyer={"name": f"Buyer {number}", "email": address},
            buyer_ref=f"buyer-{uuid.uuid4().hex[:8]}",
        )
        opened = await post_case(clients["intake"], body)
        assert opened.status_code == 202, opened.text
        addresses.append(address)
        case_ids.append(opened.json()["case_id"])

    reach = Reach(
        web=clients["intake"],
        smtp_port=stack.settings.inbound_smtp_port,
        mail_folder=mail_server.folder,
        since=since,
        only_to=frozenset(addresses),
    )
    buyers = Buyers(reach)
    async with stack.as_person("resolution", AGENT) as resolution:
        await play_until_decided(buyers, resolution, case_ids, timeout=90)

    for case_id in case_ids:
        decided = (await clients["resolution"].get(f"/decisions/{case_id}", headers=AGENT)).json()
        assert decided["state"] == "decided", decided
    answered = buyers.answered()
    assert answered[PAGE] == 2 and answered[EMAIL] == 2, answered
    replies = await rows(
        database,
        "SELECT case_id, message_id, answer FROM intake.buyer_messages "
        "WHERE case_id = ANY(:cases) AND kind = 'reply' ORDER BY at",
        cases=case_ids,
    )
    ways = {message_id.split(":", 1)[0] for _, message_id, _ in replies}
    assert ways == {"page", "mail"}, replies  # no agent's reply among them
    assert sum(answer == "decline" for _, _, answer in replies) == 1, replies
    assert {case_id for case_id, _, _ in replies} == set(case_ids)

    # Which buyer declines depends on the order their mail came in: follow one who accepted.
    accepted = next(case_id for case_id, _, answer in replies if answer == "accept")

    async def conversation():
        shown = await clients["analytics"].get(f"/cases/{accepted}/conversation", headers=AGENT)
        turns = shown.json()["turns"] if shown.status_code == 200 else []
        authors = [turn["author"] for turn in turns]
        return turns if "buyer" in authors and authors[0] == "seller" else None

    turns = await eventually(conversation, timeout=30)
    offer = turns[0]
    assert offer["kind"] in ("offer_made", "remedy_owed") and offer["state"] == "sent", offer
    assert offer["channel"] == "generic" and offer["way"] == "email"
    address = addresses[case_ids.index(accepted)]
    assert "/buyer/" not in offer["text"] and address not in offer["text"]
    assert [t for t in turns if t["author"] == "buyer"][0]["kind"] == "accept"
