"""Each case's conversation with its buyer, projected from intake's events: the messages
sent (`case.buyer_messaged`, one row per message at its latest state) and the buyer's
replies (`case.buyer_replied`), in order; rebuilt alike from the kept events; blanked for
an erased buyer."""

import uuid
from datetime import timedelta

from faststream.kafka import TestKafkaBroker

from services.analytics.workflows.rebuild import rebuild
from shared.events import BuyerAnswer, BuyerErased, BuyerMessaged, BuyerReplied, CaseOpened
from tests.factories import AGENT
from tests.handlers.analytics.conftest import CURTAIN, START, publish_at


def message(case_id: str, message_id: str, kind: str, state: str, minutes: int) -> BuyerMessaged:
    return BuyerMessaged(
        case_id=case_id,
        message_id=message_id,
        kind=kind,
        channel="shopify",
        way="email",
        state=state,
        language="de",
        subject=f"Ihr Fall: {kind}",
        text=f"Hallo, {kind}.",
        at=START + timedelta(minutes=minutes),
    )


async def a_conversation(api) -> str:
    case_id = f"case-{uuid.uuid4()}"
    first, second = str(uuid.uuid4()), str(uuid.uuid4())
    opened = CaseOpened(
        case_id=case_id,
        marketplace="shopify",
        marketplace_event_id=f"shopify:{case_id}",
        seller_account="conversation-shop",
        market="DE",
        region="EU",
        currency="EUR",
        order_id="1001",
        buyer_ref="buyer-1",
        reason="size_fit",
        reason_code="SIZE",
        items=[CURTAIN],
        buyer_language="de",
        opened_at=START,
    )
    declined = BuyerReplied(
        case_id=case_id,
        answer=BuyerAnswer.DECLINE,
        text="Nein, ich lehne ab.",
        language="de",
        at=START + timedelta(minutes=5),
    )
    accepted = declined.model_copy(
        update={"answer": BuyerAnswer.ACCEPT, "text": "Ja.", "at": START + timedelta(minutes=9)}
    )
    events = [
        opened,
        message(case_id, first, "offer_made", "sent", 1),
        declined,
        message(case_id, second, "offer_made", "sent", 6),
        accepted,
        message(case_id, first, "offer_made", "bounced", 1),  # the relay's later word
    ]
    async with TestKafkaBroker(api.service.broker) as broker:
        for minutes, event in enumerate(events):
            await publish_at(broker, event, START + timedelta(minutes=minutes, seconds=30))
    return case_id


def shown(turns: list[dict]) -> list[tuple]:
    return [(t["author"], t["kind"], t["state"], t["text"]) for t in turns]


async def test_the_conversation_shows_messages_and_replies_in_order(api):
    case_id = await a_conversation(api)
    answer = await api.get(f"/cases/{case_id}/conversation", headers=AGENT)
    assert answer.status_code == 200, answer.text
    turns = answer.json()["turns"]
    assert shown(turns) == [
        ("seller", "offer_made", "bounced", "Hallo, offer_made."),
        ("buyer", "decline", None, "Nein, ich lehne ab."),
        ("seller", "offer_made", "sent", "Hallo, offer_made."),
        ("buyer", "accept", None, "Ja."),
    ]
    assert turns[0]["channel"] == "shopify" and turns[0]["way"] == "email"
    assert turns[0]["subject"] == "Ihr Fall: offer_made" and turns[0]["language"] == "de"
    assert turns[0]["at"].startswith("2026-10-01T09:01")  # when it was first sent

    async with api.service.transaction() as session:
        await rebuild(session)
    rebuilt = (await api.get(f"/cases/{case_id}/conversation", headers=AGENT)).json()["turns"]
    assert rebuilt == turns

    assert (await api.get("/cases/no-such-case/conversation", headers=AGENT)).status_code == 404


async def test_an_erased_buyer_s_conversation_keeps_no_words(api):
    case_id = await a_conversation(api)
    async with TestKafkaBroker(api.service.broker) as broker:
        erased = BuyerErased(
            case_id=case_id,
            buyer_ref="buyer-1",
            requested_by="shopify customers/redact",
            at=START + timedelta(days=1),
        )
        await publish_at(broker, erased, START + timedelta(days=1))
    turns = (await api.get(f"/cases/{case_id}/conversation", headers=AGENT)).json()["turns"]
    assert [t["text"] for t in turns] == ["", "", "", ""]
    assert [t["kind"] for t in turns] == ["offer_made", "decline", "offer_made", "accept"]
