"""The period reports read the cases tallied per seller and UTC day (`workflows/tallies`,
kept by a trigger on the cases): over the real PostgreSQL, their answers are those of a
plain fold of the period's case rows, whatever order the events came in, for periods that
start and end mid-day, across two sellers and behind the wall between them; folding the
tallies again from the cases gives the tallies kept; a redelivered batch counts once."""

import asyncio
import json
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from faststream.kafka import TestKafkaBroker
from sqlalchemy import func, select, text

from services.analytics.domain.case_facts import case_rows
from services.analytics.domain.outcomes import outcomes, savings_by_month
from services.analytics.domain.reports import as_json, by_listing, by_market
from services.analytics.tables import AppliedEvent, CaseView
from services.analytics.workflows.projection import upsert_cases
from services.analytics.workflows.tallies import refold
from shared.events import (
    Alternative,
    BuyerErased,
    DeadlineAlert,
    Disposition,
    DispositionDecided,
    Envelope,
    Grade,
    Remedy,
    ResolutionOffered,
    SatisfactionRated,
    Scenario,
)
from shared.markets import Market
from tests.factories import AGENT, bearer, envelope_bytes, token_of
from tests.handlers.analytics.conftest import CURTAIN, SPEAKER, events_of

T0 = datetime(2026, 11, 2, 0, 0, tzinfo=UTC)
MARKETS = (Market.US, Market.DE, Market.UK)
REMEDIES = (
    (Scenario.MINOR_DEFECT, Remedy.PARTIAL_REFUND),
    (Scenario.MINOR_DEFECT, Remedy.RETURN_FULL_REFUND),
    (Scenario.FUNCTIONAL_FAULT, Remedy.REPAIR),
    (Scenario.SIZE_STYLE_MISMATCH, Remedy.EXCHANGE),
)
REASONS = ("damaged", "defective", "size_fit")
TALLIES = ("case_tallies", "first_reply_tallies", "breach_tallies")


def priced(decided, remedy: Remedy, cost: int):
    return decided.model_copy(
        update={
            "alternatives": [
                Alternative(
                    remedy=remedy, cost_minor=cost, expected_cost_minor=cost, acceptance=0.8
                ),
                Alternative(
                    remedy=Remedy.RETURN_FULL_REFUND,
                    cost_minor=3000,
                    expected_cost_minor=3000,
                    acceptance=1.0,
                ),
            ]
        }
    )


def one_case(seller: str, index: int) -> list[tuple[Any, datetime]]:
    """A case's events and when each happened, in the order they are delivered: often not
    the order they happened in."""
    scenario, remedy = REMEDIES[index % len(REMEDIES)]
    item = (CURTAIN, SPEAKER)[index % 2]
    market = MARKETS[index % len(MARKETS)]
    opened, decided = events_of(
        seller, index, item, market, REASONS[index % 3], scenario, remedy, ("Too small", "en")
    )
    at = T0 + timedelta(hours=7 * index, minutes=11 * index, seconds=index, microseconds=index)
    opened = opened.model_copy(update={"opened_at": at})
    case_id = opened.case_id
    decided = priced(decided, remedy, 400 + 100 * index)
    reply = at + timedelta(minutes=5 + 37 * index, microseconds=3 * index)
    offer = ResolutionOffered(
        case_id=case_id,
        offer_id=f"offer-{uuid.uuid4()}",
        step=1,
        remedy=remedy,
        amount_minor=500,
        currency=opened.currency,
        language="en",
        message="…",
        expires_at=reply + timedelta(hours=48),
    )
    alert = DeadlineAlert(case_id=case_id, clock="first_reply", level="breached", due_at=at, at=at)
    events = [(alert, at + timedelta(hours=4))] if index % 3 == 0 else []  # before it opened
    events += [(decided, at + timedelta(hours=3))] if index % 2 else []  # decided first
    events += [(opened, at), (offer, reply + timedelta(hours=1)), (offer, reply)]
    events += [] if index % 2 else [(decided, at + timedelta(hours=3))]
    if index % 4 == 1:  # redecided later: its remedy, scenario and cost change
        again = priced(
            decided.model_copy(update={"remedy": Remedy.STORE_CREDIT}), Remedy.STORE_CREDIT, 99
        )
        events.append((again, at + timedelta(hours=5)))
    if index % 3 != 2:
        rated = SatisfactionRated(case_id=case_id, rating=1 + index % 5, at=at)
        events.append((rated, at + timedelta(days=1)))
    if index % 4 in (1, 2):
        disposed = DispositionDecided(
            case_id=case_id,
            inspection_id=f"insp-{index}",
            rma_id=f"RMA-{index}",
            warehouse="BOS1",
            grade=(Grade.B, Grade.C)[index % 2],
            disposition=Disposition.SELL_AS_RENEWED,
            net_minor=700 + index,
            currency=opened.currency,
            items=opened.items,
            alternatives=[],
        )
        events.append((disposed, at + timedelta(days=2)))
    if index % 5 == 0:
        near = alert.model_copy(update={"level": "near_breach", "clock": "refund"})
        events += [
            (near, at + timedelta(hours=2)),
            (alert.model_copy(update={"clock": "refund"}), at + timedelta(days=3)),
        ]
    if index == 4:
        erased = BuyerErased(case_id=case_id, buyer_ref="buyer-4", requested_by="test", at=at)
        events.append((erased, at + timedelta(days=4)))
    return events


async def deliver(api, raws: list[tuple[bytes, str, bytes]]) -> None:
    async with TestKafkaBroker(api.service.broker) as broker:
        for raw, topic, key in raws:
            await broker.publish(raw, topic, key=key)


def delivered(events: list[tuple[Any, datetime]]) -> list[tuple[bytes, str, bytes]]:
    raws = []
    for event, at in events:
        envelope = Envelope.wrap(event).model_copy(update={"time": at})
        raws.append((envelope_bytes(envelope), envelope.topic, event.case_id.encode()))
    return raws


@pytest.fixture
async def two_sellers(api) -> tuple[str, str, list]:
    sellers = (f"seller-{uuid.uuid4().hex[:8]}", f"seller-{uuid.uuid4().hex[:8]}")
    raws = [
        raw
        for n, seller in enumerate(sellers)
        for i in range(12)
        for raw in delivered(one_case(seller, i + n))
    ]
    await deliver(api, raws)
    return (*sellers, raws)


async def plain_fold(api, params: dict, sellers: tuple[str, ...]) -> dict[str, Any]:
    """Every report as the period's case rows fold, one by one, and the breached clocks as
    the kept events count them."""
    conditions = [CaseView.sku.is_not(None), CaseView.seller_account.in_(sellers)]
    if "seller" in params:
        conditions.append(CaseView.seller_account == params["seller"])
    if "market" in params:
        conditions.append(CaseView.market == params["market"])
    if "since" in params:
        conditions.append(CaseView.opened_at >= datetime.fromisoformat(params["since"]))
    if "until" in params:
        conditions.append(CaseView.opened_at < datetime.fromisoformat(params["until"]))
    clock = AppliedEvent.data["clock"].astext
    async with api.service.sessions() as session:
        query = select(CaseView.__table__).where(*conditions).order_by(CaseView.opened_at)
        rows = list((await session.execute(query)).mappings())
        breaches = await session.execute(
            select(clock, func.count())
            .where(
                AppliedEvent.type == "resolution.deadline_alert",
                AppliedEvent.data["level"].astext == "breached",
                AppliedEvent.case_id.in_(select(CaseView.case_id).where(*conditions)),
            )
            .group_by(clock)
        )
        breached = dict(breaches.all())
    return {
        "listings": [as_json(r) for r in by_listing(rows)],
        "markets": [as_json(r) for r in by_market(rows)],
        "outcomes": outcomes(rows, breached),
        "months": savings_by_month(rows),
        "per_listing": savings_by_month(rows, per_listing=True),
        "rows": len(rows),
    }


def without_phrases(reports: list[dict]) -> list[dict]:
    return [{k: v for k, v in r.items() if k != "phrases"} for r in reports]


async def answers(api, params: dict, headers: dict) -> dict[str, Any]:
    async def get(name: str, extra: dict | None = None) -> dict:
        answer = await api.get(f"/reports/{name}", params=params | (extra or {}), headers=headers)
        assert answer.status_code == 200, answer.text
        return answer.json()

    report = await get("outcomes")
    report.pop("period")
    return {
        "listings": without_phrases((await get("listings"))["listings"]),
        "markets": without_phrases((await get("markets"))["markets"]),
        "outcomes": report,
        "months": (await get("savings"))["months"],
        "per_listing": (await get("savings", {"per": "listing"}))["months"],
    }


def jsonable(value: Any) -> Any:
    return json.loads(json.dumps(value, default=str))


def mid(day: int, hour: int, minute: int = 0) -> str:
    return (T0 + timedelta(days=day, hours=hour, minutes=minute)).isoformat()


async def test_the_tallied_reports_answer_as_a_plain_fold_of_the_case_rows(api, two_sellers):
    a, b, _ = two_sellers
    both = bearer(token_of(["operations"], sellers=[a, b], name="otto"))  # theirs alone
    periods = [
        {},
        {"seller": a},
        {"seller": b, "market": "DE"},
        {"since": mid(0, 13, 30), "until": mid(3, 9, 15)},  # mid-day to mid-day
        {"seller": a, "since": mid(1, 6)},
        {"until": mid(2, 17, 45)},
        {"since": mid(1, 2), "until": mid(1, 20)},  # within one day
        {"since": mid(1, 0), "until": mid(3, 0)},  # whole days only
        {"since": (T0 + timedelta(days=1, hours=14)).astimezone().isoformat()},
    ]
    for params in periods:
        expected = jsonable(await plain_fold(api, params, (a, b)))
        assert expected.pop("rows") > 0, params
        expected["listings"] = without_phrases(expected["listings"])
        expected["markets"] = without_phrases(expected["markets"])
        assert await answers(api, params, both) == expected, params


async def test_behind_the_wall_a_seller_s_people_read_their_own_tallies(api, two_sellers):
    a, b, _ = two_sellers
    operations = bearer(token_of(["operations"], sellers=[a], name="otto"))
    for params in ({}, {"since": mid(0, 13), "until": mid(2, 11)}):
        expected = jsonable(await plain_fold(api, params, (a,)))
        expected.pop("rows")
        expected["listings"] = without_phrases(expected["listings"])
        expected["markets"] = without_phrases(expected["markets"])
        assert await answers(api, params, operations) == expected
        everyone = await answers(api, params, AGENT)
        assert everyone["outcomes"]["cases"] > expected["outcomes"]["cases"]  # b's are there
    refused = await api.get("/reports/outcomes", params={"seller": b}, headers=operations)
    assert refused.status_code == 404


async def tallies(api) -> dict[str, list]:
    async with api.service.sessions() as session:
        found = {}
        for table in TALLIES:
            measure = "breaches" if table == "breach_tallies" else "cases"
            rows = await session.execute(
                text(f"SELECT * FROM analytics.{table} WHERE {measure} <> 0")
            )
            found[table] = sorted(
                (tuple((k, str(v)) for k, v in row.items()) for row in rows.mappings()),
                key=str,
            )
    return found


async def test_the_tallies_folded_again_from_the_cases_are_those_kept(api, two_sellers):
    kept = await tallies(api)
    assert all(kept.values())  # cases, first replies and breaches tallied
    async with api.service.transaction() as session:
        await refold(session)
    assert await tallies(api) == kept


async def test_a_redelivered_batch_counts_once(api, two_sellers):
    a, _, raws = two_sellers
    kept = await tallies(api)
    report = await answers(api, {"seller": a}, AGENT)
    await deliver(api, raws[:40])
    assert await tallies(api) == kept
    assert await answers(api, {"seller": a}, AGENT) == report


async def test_two_replicas_applying_batches_at_once_keep_the_tallies_exact(api):
    """Two transactions upsert cases of the same tally rows at the same time, one of them
    moving cases the other also holds a row of: the tallies are those folded again."""
    seller = f"seller-{uuid.uuid4().hex[:8]}"
    batches = [[], []]
    for index in range(16):
        events = one_case(seller, index)
        batches[index % 2] += [(e, at) for e, at in events if not isinstance(e, BuyerErased)]

    async def apply(batch: list) -> None:
        async with api.service.transaction() as session:
            await upsert_cases(session, case_rows(batch))
            await asyncio.sleep(0.05)  # the other transaction is under way meanwhile

    for _ in range(3):  # the second and third time, facts move between tally rows
        await asyncio.gather(*(apply(batch) for batch in batches))
        batches = [[(e, at + timedelta(seconds=1)) for e, at in b] for b in reversed(batches)]
    kept = await tallies(api)
    async with api.service.transaction() as session:
        await refold(session)
    assert await tallies(api) == kept
    cases = await answers(api, {"seller": seller}, AGENT)
    assert cases["outcomes"]["cases"] == 16
