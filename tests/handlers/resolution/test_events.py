"""Resolution's event handlers (`handlers/events.py`) against the real PostgreSQL: events
in through FastStream's test broker, the case's offers, answers, decisions and refunds owed
out."""

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from faststream.kafka import TestKafkaBroker
from sqlalchemy import select

from services.resolution.tables import CaseClock, CaseDecision, Refund
from shared.events import (
    BuyerAnswer,
    CaseItem,
    Disposition,
    DispositionDecided,
    Envelope,
    Grade,
    ProductFacts,
    Scenario,
)
from shared.markets import Currency, Market, Region
from tests.factories import case_opened, envelope_bytes
from tests.handlers.conftest import outbox_of
from tests.handlers.resolution.conftest import publish, reply, row, types_of


async def test_an_accepted_partial_refund_is_decided_and_owed_once(resolution):
    case = case_opened(scenario=Scenario.MINOR_DEFECT)
    accepted = Envelope.wrap(reply(case.case_id, BuyerAnswer.ACCEPT))
    async with TestKafkaBroker(resolution.broker) as broker:
        await publish(broker, case)
        for _ in range(2):  # a redelivered answer
            await broker.publish(envelope_bytes(accepted), "intake.events")
    events = await outbox_of(resolution, case.case_id)
    assert types_of(events) == ["resolution.offered", "resolution.accepted", "resolution.decided"]
    decided = events[-1]["data"]
    assert (decided["remedy"], decided["refund_minor"], decided["policy_version"]) == (
        "partial_refund",
        499,
        0,
    )
    weighed = {a["remedy"]: a for a in decided["alternatives"]}
    assert weighed["refund_without_return"]["excluded_by"].startswith("seller policy v0")
    assert (
        weighed["partial_refund"]["expected_cost_minor"]
        < weighed["return_full_refund"]["cost_minor"]
    )
    async with resolution.sessions() as session:
        refunds = list(await session.scalars(select(Refund).where(Refund.case_id == case.case_id)))
    assert [(r.amount_minor, r.state, r.remedy) for r in refunds] == [
        (499, "pending", "partial_refund")
    ]


async def test_a_declined_offer_moves_to_the_next_remedy(resolution):
    case = case_opened(scenario=Scenario.MINOR_DEFECT).model_copy(
        update={"seller_account": "acme-us"}
    )
    async with TestKafkaBroker(resolution.broker) as broker:
        await publish(broker, case)
        await publish(broker, reply(case.case_id, BuyerAnswer.DECLINE))
        await publish(broker, reply(case.case_id, BuyerAnswer.ACCEPT))  # nothing open: ignored
    events = await outbox_of(resolution, case.case_id)
    assert types_of(events) == [
        "resolution.offered",
        "resolution.declined",
        "resolution.offered",  # the notice of the return, owed without asking
        "resolution.decided",
    ]
    assert events[1]["data"]["cause"] == "declined"
    assert events[2]["data"]["needs_answer"] is False
    assert events[3]["data"]["remedy"] == "return_full_refund"
    assert events[3]["data"]["refund_minor"] == 4999
    assert events[3]["data"]["seller_account"] == "acme-us"  # fulfillment keys its rows by it


async def test_an_offer_failing_the_lint_is_held_for_an_agent(resolution):
    case = case_opened(scenario=Scenario.FUNCTIONAL_FAULT).model_copy(
        update={"seller_account": f"seller-{uuid.uuid4().hex[:6]}"}
    )
    async with resolution.transaction() as session:
        from services.resolution.domain.troubleshooting import Guide
        from services.resolution.workflows import knowledge_base

        await knowledge_base.save_guide(
            session,
            case.seller_account,
            Guide(
                guide_id="BT-SPK-200-BLK.quick-fix.en",  # wins over the starter guide
                language="en",
                title="Quick fix",
                steps=(
                    "Charge the speaker for two hours.",
                    "Hold the power button for 10 seconds.",
                    "It comes with a lifetime warranty.",
                ),
                sku="BT-SPK-200-BLK",
            ),
            author="agent",
        )
    async with TestKafkaBroker(resolution.broker) as broker:
        await publish(broker, case)
    events = await outbox_of(resolution, case.case_id)
    assert types_of(events) == ["resolution.held_for_agent"]
    assert events[0]["data"]["findings"] == ["banned_promise: lifetime warranty"]
    assert (await row(resolution, CaseDecision, case.case_id)).state == "held"


async def test_a_new_policy_version_is_used_and_recorded(resolution):
    from services.resolution.domain.policy import RefundTier, SellerPolicy
    from services.resolution.workflows import policies

    seller = f"seller-{uuid.uuid4().hex[:6]}"
    async with resolution.transaction() as session:
        await policies.save_policy(session, seller, SellerPolicy(), "test")
        tiers = [RefundTier(up_to_price_minor=5000, percent=15), RefundTier(percent=10)]
        await policies.save_policy(
            session, seller, SellerPolicy(partial_refund_tiers=tiers), "test"
        )
    case = case_opened(scenario=Scenario.MINOR_DEFECT).model_copy(update={"seller_account": seller})
    async with TestKafkaBroker(resolution.broker) as broker:
        await publish(broker, case)
    decision = await row(resolution, CaseDecision, case.case_id)
    assert decision.policy_version == 2
    assert decision.plan[0]["refund_minor"] == 749  # 15% of $49.99: the tier up to $50


async def test_a_returned_unit_makes_the_full_refund_owed(resolution):
    from shared.events import ReturnReceived

    # A UK buyer rejecting faulty goods within 30 days: the return for a refund, owed at once.
    uk = {"market": Market.UK, "region": Region.UK, "currency": Currency.GBP}
    case = case_opened(scenario=Scenario.QUALITY_DEFECT).model_copy(update=uk)
    async with TestKafkaBroker(resolution.broker) as broker:
        await publish(broker, case)
        received = ReturnReceived(
            case_id=case.case_id, rma_id="RMA-1", warehouse="BOS1", received_at=datetime.now(UTC)
        )
        await publish(broker, received, "fulfillment.events")
    decision = await row(resolution, CaseDecision, case.case_id)
    assert decision.remedy == "return_full_refund"
    async with resolution.sessions() as session:
        (refund,) = await session.scalars(select(Refund).where(Refund.case_id == case.case_id))
        clock = await session.get(CaseClock, (case.case_id, "refund"))
    assert (refund.amount_minor, refund.state) == (4999, "pending")
    assert clock is not None and clock.state == "running"
    async with resolution.sessions() as session:  # answered as it opened: no reply clock ran
        assert await session.get(CaseClock, (case.case_id, "first_reply")) is None


async def test_an_answer_in_the_same_batch_as_its_case_is_applied_in_the_batch(resolution):
    """The batch path writes rows at commit; a reply must still find the offer made a few
    records earlier, without falling back to applying the batch one event at a time."""
    from types import SimpleNamespace

    from aiokafka import ConsumerRecord

    case = case_opened(scenario=Scenario.MINOR_DEFECT)
    events = [case, reply(case.case_id, BuyerAnswer.ACCEPT)]
    batch = [
        ConsumerRecord("intake.events", 0, offset, 0, 0, b"k", payload, None, 0, 0, [])
        for offset, payload in enumerate(envelope_bytes(Envelope.wrap(e)) for e in events)
    ]
    consumer = resolution.consumer
    calls: list[bool] = []
    apply_all = consumer._apply_all

    async def spy(session, deliveries, one_by_one):
        calls.append(one_by_one)
        await apply_all(session, deliveries, one_by_one)

    consumer._apply_all = spy
    async with TestKafkaBroker(resolution.broker):
        await consumer.consume_batch(SimpleNamespace(raw_message=batch))
    assert calls == [False]  # applied as one batch
    assert types_of(await outbox_of(resolution, case.case_id)) == [
        "resolution.offered",
        "resolution.accepted",
        "resolution.decided",
    ]


@pytest.mark.parametrize(
    ("variant_price", "difference", "refund"),
    [(5999, 1000, 0), (3999, -1000, 1000), (4999, 0, 0)],
)
async def test_an_exchange_for_another_variant_settles_only_the_price_difference(
    resolution, variant_price, difference, refund
):
    from shared.events import ExchangeChoice

    case = case_opened(scenario=Scenario.SIZE_STYLE_MISMATCH)  # one $49.99 unit
    choice = ExchangeChoice(sku="BT-SPK-300-BLU", unit_price_minor=variant_price)
    accepted = reply(case.case_id, BuyerAnswer.ACCEPT).model_copy(update={"exchange_for": choice})
    async with TestKafkaBroker(resolution.broker) as broker:
        await publish(broker, case)
        await publish(broker, accepted)
    decided = (await outbox_of(resolution, case.case_id))[-1]["data"]
    assert decided["remedy"] == "exchange"
    assert [(i["sku"], i["unit_price_minor"]) for i in decided["items"]] == [
        ("BT-SPK-300-BLU", variant_price)
    ]
    assert (decided["price_difference_minor"], decided["refund_minor"]) == (difference, refund)
    async with resolution.sessions() as session:
        owed = list(await session.scalars(select(Refund).where(Refund.case_id == case.case_id)))
    assert [r.amount_minor for r in owed] == ([refund] if refund else [])


async def test_an_exchange_beyond_the_policys_price_difference_moves_to_the_next_remedy(
    resolution,
):
    from shared.events import ExchangeChoice

    case = case_opened(scenario=Scenario.SIZE_STYLE_MISMATCH)
    choice = ExchangeChoice(sku="BT-SPK-900-GLD", unit_price_minor=9999)  # $50 dearer
    accepted = reply(case.case_id, BuyerAnswer.ACCEPT).model_copy(update={"exchange_for": choice})
    async with TestKafkaBroker(resolution.broker) as broker:
        await publish(broker, case)
        await publish(broker, accepted)
    events = await outbox_of(resolution, case.case_id)
    declined = next(e["data"] for e in events if e["type"] == "resolution.declined")
    assert (declined["remedy"], declined["cause"]) == ("exchange", "impossible")
    assert "exceeds the policy's 2000" in declined["note"]
    assert events[-1]["type"] == "resolution.decided"
    assert events[-1]["data"]["remedy"] == "return_full_refund"


async def test_the_engine_learns_how_a_sellers_buyers_answer(resolution):
    from services.resolution.workflows import outcomes

    seller = f"seller-{uuid.uuid4().hex[:6]}"

    def minor_defect():
        return case_opened(scenario=Scenario.MINOR_DEFECT).model_copy(
            update={"seller_account": seller}
        )

    async with TestKafkaBroker(resolution.broker) as broker:
        for _ in range(5):  # five buyers in a row turn the partial refund down
            declined = minor_defect()
            await publish(broker, declined)
            await publish(broker, reply(declined.case_id, BuyerAnswer.DECLINE))
        outcomes._cached.clear()  # as if a minute had passed
        case = minor_defect()
        await publish(broker, case)
    decision = await row(resolution, CaseDecision, case.case_id)
    partial = next(a for a in decision.alternatives if a["remedy"] == "partial_refund")
    assert partial["acceptance"] == pytest.approx((0.8 * 20 + 0) / (20 + 5))


@pytest.mark.parametrize("scenario", [Scenario.QUALITY_DEFECT, None])
async def test_a_case_amazon_fulfilled_is_amazons_no_label_no_refund_no_clock(resolution, scenario):
    case = case_opened(scenario=scenario).model_copy(update={"marketplace": "amazon_fba"})
    async with TestKafkaBroker(resolution.broker) as broker:
        await publish(broker, case)
        await publish(broker, reply(case.case_id, BuyerAnswer.ACCEPT))  # nothing open: ignored
    events = await outbox_of(resolution, case.case_id)
    assert types_of(events) == ["resolution.held_for_agent"]
    assert "fulfilled by Amazon" in events[0]["data"]["findings"][0]
    async with resolution.sessions() as session:
        record = await session.get(CaseDecision, case.case_id)
        refunds = list(await session.scalars(select(Refund).where(Refund.case_id == case.case_id)))
        clocks = list(
            await session.scalars(select(CaseClock).where(CaseClock.case_id == case.case_id))
        )
    assert record.state == "held" and record.plan == []
    assert refunds == [] and clocks == []


async def store_credit_seller(resolution) -> str:
    from services.resolution.domain.policy import SellerPolicy
    from services.resolution.workflows import policies

    seller = f"seller-{uuid.uuid4().hex[:6]}"
    policy = SellerPolicy(store_credit_enabled=True, store_credit_bonus_percent=10)
    async with resolution.transaction() as session:
        await policies.save_policy(session, seller, policy, "test")
    return seller


async def test_an_accepted_store_credit_is_decided_and_owed_once_as_a_gift_card(resolution):
    seller = await store_credit_seller(resolution)
    case = case_opened(scenario=Scenario.MINOR_DEFECT).model_copy(
        update={"seller_account": seller, "marketplace": "shopify"}
    )
    accepted = Envelope.wrap(reply(case.case_id, BuyerAnswer.ACCEPT))
    async with TestKafkaBroker(resolution.broker) as broker:
        await publish(broker, case)
        await publish(broker, reply(case.case_id, BuyerAnswer.DECLINE))  # the partial refund
        for _ in range(2):  # a redelivered answer
            await broker.publish(envelope_bytes(accepted), "intake.events")
    events = await outbox_of(resolution, case.case_id)
    offered = [e["data"] for e in events if e["type"] == "resolution.offered"]
    assert [o["remedy"] for o in offered] == ["partial_refund", "store_credit"]
    assert offered[1]["amount_minor"] == 5498  # 4999 and a 10% bonus
    assert all(f"${amount}" in offered[1]["message"] for amount in ("54.98", "4.99", "49.99"))
    decided = events[-1]["data"]
    assert (decided["remedy"], decided["refund_minor"]) == ("store_credit", 5498)
    async with resolution.sessions() as session:
        refunds = list(await session.scalars(select(Refund).where(Refund.case_id == case.case_id)))
    assert [(r.amount_minor, r.state, r.remedy) for r in refunds] == [
        (5498, "pending", "store_credit")
    ]


async def test_a_declined_store_credit_leads_on_to_the_refund(resolution):
    seller = await store_credit_seller(resolution)
    case = case_opened(scenario=Scenario.MINOR_DEFECT).model_copy(
        update={"seller_account": seller, "marketplace": "shopify"}
    )
    async with TestKafkaBroker(resolution.broker) as broker:
        await publish(broker, case)
        await publish(broker, reply(case.case_id, BuyerAnswer.DECLINE))  # the partial refund
        await publish(broker, reply(case.case_id, BuyerAnswer.DECLINE))  # the store credit
    events = await outbox_of(resolution, case.case_id)
    declined = [e["data"]["remedy"] for e in events if e["type"] == "resolution.declined"]
    assert declined == ["partial_refund", "store_credit"]
    decided = events[-1]["data"]
    assert decided["remedy"] in ("refund_without_return", "return_full_refund")
    assert decided["refund_minor"] == 4999


def changed_mind_in_germany(delivered_days_ago: int):

    from shared.markets import Currency, Market, Region

    return case_opened(scenario=Scenario.CHANGED_MIND).model_copy(
        update={
            "marketplace": "shopify",
            "market": Market.DE,
            "region": Region.EU,
            "currency": Currency.EUR,
            "buyer_language": "de",
            "delivered_at": datetime.now(UTC) - timedelta(days=delivered_days_ago),
        }
    )


async def test_a_changed_mind_after_every_window_hears_nothing_is_owed_and_waits_for_an_agent(
    resolution,
):
    from shared.compliance import REQUIRED_DISCLOSURES, lint
    from shared.markets import Market

    case = changed_mind_in_germany(60)  # past the 14-day withdrawal and the shop's 30 days
    async with TestKafkaBroker(resolution.broker) as broker:
        await publish(broker, case)
        await publish(broker, case)  # redelivered: nothing new
    events = await outbox_of(resolution, case.case_id)
    assert types_of(events) == ["resolution.held_for_agent"]
    assert events[0]["dataschema"].endswith(":v2")
    held = events[0]["data"]
    assert held["nothing_owed"] == "return_window_closed"
    assert held["language"] == "de"
    assert REQUIRED_DISCLOSURES["legal_guarantee"]["de"] in held["message"]
    assert lint(held["message"], "de", Market.DE, ["legal_guarantee"]) == []
    assert "the buyer was told" in held["findings"][0]
    record = await row(resolution, CaseDecision, case.case_id)
    assert record.state == "held"  # in the agents' queue: an agent may still offer a remedy
    assert "nothing owed" in record.rule
    async with resolution.sessions() as session:
        clocks = list(
            await session.scalars(select(CaseClock).where(CaseClock.case_id == case.case_id))
        )
    assert clocks == []  # answered at once: no first-reply clock runs


async def test_a_gift_card_walmart_does_not_take_back_hears_why_no_return_label(resolution):
    from shared.events import CaseItem

    card = CaseItem(sku="GC-50", title="eGift Card $50", quantity=1, unit_price_minor=5000)
    case = case_opened(scenario=Scenario.CHANGED_MIND).model_copy(
        update={
            "marketplace": "walmart",
            "items": [card],
            "delivered_at": datetime.now(UTC) - timedelta(days=3),
        }
    )
    async with TestKafkaBroker(resolution.broker) as broker:
        await publish(broker, case)
    events = await outbox_of(resolution, case.case_id)
    assert types_of(events) == ["resolution.held_for_agent"]  # no offer, no decision, no label
    held = events[0]["data"]
    assert held["nothing_owed"] == "not_returnable"
    assert "gift cards" in held["message"]
    assert held["findings"][0].startswith("nothing owed (not_returnable: walmart.cards_and_codes")


async def test_a_changed_mind_inside_the_windows_is_offered_the_return_not_told_no(resolution):
    case = changed_mind_in_germany(10)
    async with TestKafkaBroker(resolution.broker) as broker:
        await publish(broker, case)
    events = await outbox_of(resolution, case.case_id)
    assert "resolution.held_for_agent" not in types_of(events)
    assert "return_full_refund" in {e["data"].get("remedy") for e in events}


def disposition(case_id: str, grade: Grade, net_minor: int) -> DispositionDecided:
    return DispositionDecided(
        case_id=case_id,
        inspection_id=f"insp-{uuid.uuid4().hex[:8]}",
        rma_id=f"rma-{uuid.uuid4().hex[:8]}",
        warehouse="reno",
        grade=grade,
        disposition=Disposition.RECYCLE,
        net_minor=net_minor,
        currency=Currency.USD,
        items=[CaseItem(sku="BT-SPK-200-BLK", quantity=1, unit_price_minor=4999)],
        alternatives=[],
    )


async def test_the_cost_model_learns_what_a_sellers_faulty_units_recover(resolution):
    from services.resolution.tables import Recovery
    from services.resolution.workflows import recoveries

    seller = f"seller-{uuid.uuid4().hex[:6]}"

    def faulty():
        return case_opened(scenario=Scenario.FUNCTIONAL_FAULT).model_copy(
            update={"seller_account": seller}
        )

    def return_cost(decision: CaseDecision) -> int:
        return next(
            a["cost_minor"] for a in decision.alternatives if a["remedy"] == "return_full_refund"
        )

    first = faulty()
    recycled = [disposition(first.case_id, Grade.D, 0) for _ in range(30)]
    async with TestKafkaBroker(resolution.broker) as broker:
        await publish(broker, first)
        for event in [*recycled, recycled[0]]:  # one redelivered
            await publish(broker, event, topic="refurbish.events")
        recoveries._cached.clear()  # as if a minute had passed
        later = faulty()
        await publish(broker, later)
    async with resolution.sessions() as session:
        rows = list(
            await session.scalars(select(Recovery).where(Recovery.seller_account == seller))
        )
    assert len(rows) == 30
    assert {(r.condition, r.grade, r.net_minor, r.price_minor) for r in rows} == {
        ("faulty", "D", 0, 4999)
    }
    before = await row(resolution, CaseDecision, first.case_id)
    after = await row(resolution, CaseDecision, later.case_id)
    assert return_cost(after) > return_cost(before)  # the units came back worth nothing


async def test_a_disposition_of_a_case_resolution_does_not_know_is_ignored(resolution):
    from services.resolution.tables import Recovery

    event = disposition(f"case-{uuid.uuid4()}", Grade.A, 3000)
    async with TestKafkaBroker(resolution.broker) as broker:
        await publish(broker, event, topic="refurbish.events")
    assert await row(resolution, Recovery, event.inspection_id) is None


@pytest.mark.parametrize(
    ("reason", "first"), [("style", "partial_refund"), ("size_too_small", "exchange")]
)
async def test_a_colour_complaint_is_offered_a_discount_to_keep_it_a_size_an_exchange(
    resolution, reason, first
):
    case = case_opened(scenario=Scenario.SIZE_STYLE_MISMATCH).model_copy(update={"reason": reason})
    async with TestKafkaBroker(resolution.broker) as broker:
        await publish(broker, case)
    decision = await row(resolution, CaseDecision, case.case_id)
    assert decision.reason == reason
    assert decision.plan[0]["remedy"] == first


SPEAKER_EN = "Portable Bluetooth Speaker 20W, IPX7 Waterproof, Black"
SPEAKER_TITLES = {
    "en": SPEAKER_EN,
    "de": "Tragbarer Bluetooth-Lautsprecher 20 W, IPX7 wasserdicht, Schwarz",
    "fr": "Enceinte Bluetooth portable 20 W, étanche IPX7, noire",
}


@pytest.mark.parametrize(
    ("language", "market", "named"),
    [
        ("de", Market.DE, SPEAKER_TITLES["de"]),
        ("fr", Market.FR, SPEAKER_TITLES["fr"]),
        ("it", Market.IT, SPEAKER_EN),  # the catalog has no Italian title: the channel's
    ],
)
async def test_an_offer_names_the_item_by_the_catalogs_title_in_the_buyers_language(
    resolution, language, market, named
):
    item = CaseItem(
        sku="BT-SPK-200-BLK",
        title=SPEAKER_EN,
        quantity=1,
        unit_price_minor=4999,
        product=ProductFacts(product_id="gid://shopify/Product/1", titles=SPEAKER_TITLES),
    )
    case = case_opened(scenario=Scenario.MINOR_DEFECT).model_copy(
        update={
            "buyer_language": language,
            "market": market,
            "region": Region.EU,
            "currency": Currency.EUR,
            "items": [item],
        }
    )
    async with TestKafkaBroker(resolution.broker) as broker:
        await publish(broker, case)
    offered = [
        e for e in await outbox_of(resolution, case.case_id) if e["type"].endswith("offered")
    ]
    message = offered[0]["data"]["message"]
    assert offered[0]["data"]["language"] == language
    assert named in message
    if named != SPEAKER_EN:
        assert SPEAKER_EN not in message


async def test_an_item_without_a_catalog_product_keeps_the_channels_title(resolution):
    item = CaseItem(sku="BT-SPK-200-BLK", title=SPEAKER_EN, quantity=1, unit_price_minor=4999)
    case = case_opened(scenario=Scenario.MINOR_DEFECT).model_copy(
        update={"buyer_language": "de", "items": [item]}
    )
    async with TestKafkaBroker(resolution.broker) as broker:
        await publish(broker, case)
    offered = [
        e for e in await outbox_of(resolution, case.case_id) if e["type"].endswith("offered")
    ]
    assert SPEAKER_EN in offered[0]["data"]["message"]


async def test_a_unit_repaired_for_its_buyer_teaches_the_cost_model_nothing(resolution):
    """The buyer's own unit, repaired and sent back, recovers nothing for the seller."""
    from services.resolution.tables import Recovery

    case = case_opened(scenario=Scenario.QUALITY_DEFECT)
    async with TestKafkaBroker(resolution.broker) as broker:
        await publish(broker, case)
        async with resolution.transaction() as session:
            decision = await session.get(CaseDecision, case.case_id, with_for_update=True)
            decision.remedy = "repair"  # as when the buyer accepted a repair
            session.add(decision)
        repaired = disposition(case.case_id, Grade.B, -1500).model_copy(
            update={"disposition": Disposition.RETURN_TO_BUYER}
        )
        await publish(broker, repaired, topic="refurbish.events")
    async with resolution.sessions() as session:
        kept = await session.scalars(select(Recovery).where(Recovery.case_id == case.case_id))
        assert list(kept) == []


async def test_a_unit_the_repair_shop_cannot_repair_sends_the_case_to_an_agent(resolution):
    from datetime import UTC, datetime

    from shared.events import UnitHeldForAgent

    case = case_opened(scenario=Scenario.QUALITY_DEFECT)
    held = UnitHeldForAgent(
        case_id=case.case_id,
        inspection_id="insp-1",
        rma_id="RMA-1",
        warehouse="CVT1",
        reason="not repairable locally (not in the repair catalogue): fault 'cracked board'",
        at=datetime.now(UTC),
    )
    async with TestKafkaBroker(resolution.broker) as broker:
        await publish(broker, case)
        for _ in range(2):  # redelivered: held once
            await publish(broker, held, topic="refurbish.events")
    events = await outbox_of(resolution, case.case_id)
    holds = [e["data"] for e in events if e["type"] == "resolution.held_for_agent"]
    assert len(holds) == 1 and holds[0]["remedy"] == "repair"
    assert holds[0]["findings"] == [
        "repair shop CVT1 cannot repair the unit: not repairable locally (not in the repair "
        "catalogue): fault 'cracked board'"
    ]
    assert (await row(resolution, CaseDecision, case.case_id)).state == "held"
