"""How a seller's buyers answered (`workflows/outcomes.py`), learnt over the real
PostgreSQL: a troubleshooting guide buyers keep declining sinks, and the next buyer with
the same symptom gets another guide that answers it, until the seller rewrites it."""

import uuid
from dataclasses import replace

from faststream.kafka import TestKafkaBroker

from services.resolution.domain.troubleshooting import starter_guides
from services.resolution.tables import CaseDecision
from services.resolution.workflows import knowledge_base, outcomes
from shared.events import BuyerAnswer, CaseItem, Scenario
from tests.factories import case_opened
from tests.handlers.resolution.conftest import publish, reply, row

SPEAKER = CaseItem(sku="BT-SPK-200-BLK", category="electronics", quantity=1, unit_price_minor=4999)
# With the default 50% acceptance worth 20 answers, 14 declines in a row take the
# guide's learnt decline rate past 70%.
DECLINES_TO_SINK = 14


def first_guide(record: CaseDecision) -> str:
    return record.plan[0]["guide"]["guide_id"]


async def test_a_guide_buyers_keep_declining_sinks(resolution):
    seller = f"seller-{uuid.uuid4().hex[:6]}"

    def cannot_pair():
        return case_opened(scenario=Scenario.FUNCTIONAL_FAULT).model_copy(
            update={
                "seller_account": seller,
                "items": [SPEAKER],
                "buyer_comment": "The speaker won't pair with my phone",
            }
        )

    async with TestKafkaBroker(resolution.broker) as broker:
        first = cannot_pair()
        await publish(broker, first)
        await publish(broker, reply(first.case_id, BuyerAnswer.DECLINE))
        for _ in range(DECLINES_TO_SINK - 1):
            declined = cannot_pair()
            await publish(broker, declined)
            await publish(broker, reply(declined.case_id, BuyerAnswer.DECLINE))
        outcomes._by_guide.clear()  # as if a minute had passed
        case = cannot_pair()
        await publish(broker, case)

    before = await row(resolution, CaseDecision, first.case_id)
    after = await row(resolution, CaseDecision, case.case_id)
    assert before.symptoms == ["wont_pair"]
    assert first_guide(before) == "BT-SPK-200-BLK.pairing.en"
    assert first_guide(after) == "electronics.pairing.en"
    async with resolution.sessions() as session:
        answers = await outcomes.guide_answers_of(session, seller)
    assert answers == {"BT-SPK-200-BLK.pairing.en": (0, DECLINES_TO_SINK)}


async def test_a_guide_fewer_buyers_decline_stays_first(resolution):
    seller = f"seller-{uuid.uuid4().hex[:6]}"
    case = case_opened(scenario=Scenario.FUNCTIONAL_FAULT).model_copy(
        update={
            "seller_account": seller,
            "items": [SPEAKER],
            "buyer_comment": "The speaker won't pair with my phone",
        }
    )
    async with TestKafkaBroker(resolution.broker) as broker:
        for _ in range(3):  # a few declines: not enough to sink it
            declined = case.model_copy(update={"case_id": f"case-{uuid.uuid4()}"})
            await publish(broker, declined)
            await publish(broker, reply(declined.case_id, BuyerAnswer.DECLINE))
        outcomes._by_guide.clear()
        await publish(broker, case)
    assert first_guide(await row(resolution, CaseDecision, case.case_id)) == (
        "BT-SPK-200-BLK.pairing.en"
    )


async def test_a_sunk_guide_rewritten_by_the_seller_starts_afresh(resolution):
    seller = f"seller-{uuid.uuid4().hex[:6]}"

    def cannot_pair():
        return case_opened(scenario=Scenario.FUNCTIONAL_FAULT).model_copy(
            update={
                "seller_account": seller,
                "items": [SPEAKER],
                "buyer_comment": "Bluetooth pairing fails every time",
            }
        )

    rewritten = replace(
        starter_guides()["BT-SPK-200-BLK.pairing.en"], title="Pairing, step by step"
    )
    async with TestKafkaBroker(resolution.broker) as broker:
        for _ in range(DECLINES_TO_SINK):
            declined = cannot_pair()
            await publish(broker, declined)
            await publish(broker, reply(declined.case_id, BuyerAnswer.DECLINE))
        outcomes._by_guide.clear()
        sunk = cannot_pair()
        await publish(broker, sunk)
        async with resolution.transaction() as session:
            await knowledge_base.save_guide(session, seller, rewritten, author="sam")
        case = cannot_pair()
        await publish(broker, case)

    assert first_guide(await row(resolution, CaseDecision, sunk.case_id)) == (
        "electronics.pairing.en"
    )
    record = await row(resolution, CaseDecision, case.case_id)
    assert first_guide(record) == "BT-SPK-200-BLK.pairing.en"
    assert record.plan[0]["guide"]["title"] == "Pairing, step by step"
