"""The buyers' phrases counted once as events are applied (`workflows/phrase_tallies`) rank
exactly as splitting every text of the period again does, on varied data: several
languages, replies, a case's facts arriving after its buyer's text, an erased buyer, a
redelivered batch, periods starting and ending mid-day."""

import asyncio
import uuid
from datetime import UTC, datetime, timedelta

from aiokafka import ConsumerRecord
from faststream.kafka import TestKafkaBroker
from sqlalchemy import select

from services.analytics.domain.phrases import phrases_by_reason
from services.analytics.handlers.reports import Period, buyer_comments_in, phrases_said_in
from services.analytics.tables import buyer_text_tallies, phrase_tallies
from services.analytics.workflows.phrase_tallies import refold_phrase_tallies
from services.analytics.workflows.projection import project
from shared.consumer import Delivery
from shared.events import BuyerAnswer, BuyerErased, BuyerReplied, CaseItem, CaseOpened, Envelope
from shared.identity import Principal, Role
from shared.markets import CURRENCY_OF, REGION_OF, Market
from tests.factories import envelope_bytes

DAY = datetime(2026, 9, 7, tzinfo=UTC)
ADMIN = Principal("tests", "tests", frozenset({Role.PLATFORM_ADMIN}))
LAMP = CaseItem(sku="LAMP-1", title="Desk lamp", quantity=1, unit_price_minor=3999)
SPEAKER = CaseItem(sku="SPK-2", title="Speaker", quantity=1, unit_price_minor=4999)


def opened(seller: str, case_id: str, item, market: Market, reason: str, hours: float, said):
    text, language = said
    return CaseOpened(
        case_id=case_id,
        marketplace="amazon",
        marketplace_event_id=f"evt-{case_id}-{reason}",
        seller_account=seller,
        order_id=f"ord-{case_id}",
        market=market,
        region=REGION_OF[market],
        buyer_ref=f"buyer-{case_id}",
        buyer_language=language,
        buyer_comment=text,
        currency=CURRENCY_OF[market],
        items=[item],
        reason_code=reason.upper(),
        reason=reason,
        opened_at=DAY + timedelta(hours=hours),
    )


def replied(case_id: str, text: str, language: str, hours: float) -> BuyerReplied:
    at = DAY + timedelta(hours=hours)
    return BuyerReplied(
        case_id=case_id, answer=BuyerAnswer.MESSAGE, text=text, language=language, at=at
    )


def erased(case_id: str) -> BuyerErased:
    return BuyerErased(case_id=case_id, buyer_ref=f"buyer-{case_id}", requested_by="tests", at=DAY)


def delivery(payload, at: datetime) -> Delivery:
    envelope = Envelope.wrap(payload).model_copy(update={"time": at})
    record = ConsumerRecord(envelope.topic, 0, 0, 0, 0, None, b"", None, 0, 0, ())
    return Delivery(record, envelope, payload)


async def applied(api, *batch) -> None:
    """One batch of events projected in one transaction, as the consumer applies it."""
    async with api.service.transaction() as session:
        await project(session, [delivery(p, DAY + timedelta(minutes=n)) for n, p in batch])


def case_ids(count: int) -> list[str]:
    return [f"case-{uuid.uuid4()}" for _ in range(count)]


async def varied_cases(api) -> str:
    """A seller's cases over three days, applied in batches as they could arrive."""
    seller = f"seller-{uuid.uuid4().hex[:8]}"
    a, b, c, d, e, f, g, h, i, j, k = case_ids(11)
    us, de = Market.US, Market.DE
    await applied(
        api,
        (0, opened(seller, a, LAMP, us, "defective", 3, ("Battery dies after two days", "en"))),
        (1, opened(seller, b, LAMP, us, "defective", 15, ("battery dies fast!", "en"))),
        (2, replied(a, "The battery dies quickly, stopped charging", "en", 16)),
        (
            3,
            opened(
                seller, c, LAMP, de, "defective", 33, ("Akku defekt, USB-C Buchse kaputt", "de")
            ),
        ),
        (4, opened(seller, d, LAMP, de, "defective", 42, ("USB-C kaputt", "de-AT"))),
    )
    await applied(
        api,
        (0, opened(seller, e, SPEAKER, us, "defective", 9, ("バッテリーがすぐ切れる", "ja"))),
        (
            1,
            opened(
                seller, f, SPEAKER, us, "defective", 40, ("バッテリーがすぐ切れるので困る", "ja")
            ),
        ),
        (2, opened(seller, g, SPEAKER, de, "size_fit", 50, ("Viel zu klein", "de"))),
        (3, replied(g, "Immer noch viel zu klein", "de", 51)),
        (4, opened(seller, j, SPEAKER, Market.FR, "damaged", 20, ("écran fissuré", "fr"))),
        (5, replied(j, "L'écran fissuré à l'arrivée", "fr", 21)),
        (6, opened(seller, k, LAMP, us, "defective", 22, ("   ", "en"))),
    )
    # A reply before its case's opening (other topic, later): the reason comes after it.
    await applied(api, (0, replied(h, "battery dies after two days", "en", 30)))
    await applied(api, (0, opened(seller, h, LAMP, us, "defective", 28, ("Battery dies", "en"))))
    # An erased buyer, in the batch that brings their words and in a later one.
    await applied(
        api,
        (0, opened(seller, i, LAMP, us, "defective", 34, ("battery dies, strap broke", "en"))),
        (1, replied(i, "strap broke again", "en", 35)),
        (2, erased(i)),
    )
    await applied(api, (0, erased(b)))
    # The listing's reason corrected by a later opening event: the texts move with it.
    await applied(
        api, (0, opened(seller, g, SPEAKER, de, "defective", 50, ("Viel zu klein", "de")))
    )
    # A batch redelivered whole: the inbox skips it the second time.
    again = opened(seller, case_ids(1)[0], LAMP, us, "defective", 44, ("Battery dies", "en"))
    async with TestKafkaBroker(api.service.broker) as broker:
        envelope = Envelope.wrap(again)
        for _ in range(2):
            await broker.publish(envelope_bytes(envelope), envelope.topic, key=b"k")
    return seller


def periods(seller: str) -> list[Period]:
    at = DAY.__add__
    edges = [
        (None, None),
        (at(timedelta(hours=12)), None),
        (None, at(timedelta(hours=36))),
        (at(timedelta(hours=12)), at(timedelta(hours=36))),
        (at(timedelta(hours=10)), at(timedelta(hours=20))),  # inside one day
        (at(timedelta(days=1)), at(timedelta(days=2))),  # whole days only
        (at(timedelta(hours=20)), at(timedelta(days=2))),
        (DAY.replace(tzinfo=None) + timedelta(hours=14), None),  # a naive instant: UTC
    ]
    found = [Period(ADMIN, seller, None, since, until) for since, until in edges]
    found.append(Period(ADMIN, seller, "DE", None, None))
    found.append(Period(ADMIN, seller, "US", at(timedelta(hours=5)), None))
    return found


async def test_tallied_phrases_rank_as_the_texts_split_again_do(api):
    seller = await varied_cases(api)
    async with api.service.sessions() as session:
        for period in periods(seller):
            for per in ("sku", "market"):
                tallied = await phrases_said_in(session, period, per)
                folded = phrases_by_reason(await buyer_comments_in(session, period, per))
                assert tallied == folded, (period.since, period.until, period.market, per)
        every = await phrases_said_in(session, periods(seller)[0])
        by_market = await phrases_said_in(session, periods(seller)[0], per="market")
    # The reply before its case's opening counts; the erased buyer's words do not.
    assert every[("LAMP-1", "defective")][0] == ("battery dies", 5)
    assert every[("SPK-2", "defective")][0] == ("zu klein", 3)  # moved by the correction
    assert ("SPK-2", "size_fit") not in every
    assert by_market[("FR", "damaged")] == [("écran fissuré", 2)]
    assert by_market[("US", "defective")][2] == ("ッテリーがすぐ切", 2)


async def tallies_of(api, seller: str) -> list[list]:
    """Both tallies' rows of a seller, sorted."""
    async with api.service.sessions() as session:
        return [
            sorted(
                tuple(row)
                for row in await session.execute(
                    select(table).where(table.c.seller_account == seller)
                )
            )
            for table in (phrase_tallies, buyer_text_tallies)
        ]


async def test_the_tallies_kept_as_events_came_are_those_counted_again_from_nothing(api):
    seller = await varied_cases(api)
    kept = await tallies_of(api, seller)
    async with api.service.transaction() as session:
        assert await refold_phrase_tallies(session) >= 14
    phrases, texts = await tallies_of(api, seller)
    assert [phrases, texts] == kept
    assert sum(row[-1] for row in texts) == 14  # non-blank texts of opened, unerased cases
    assert all(row[-1] > 0 for row in phrases)


async def test_two_batches_of_one_case_applied_at_once_count_its_texts_once(api):
    seller, (case_id,) = f"seller-{uuid.uuid4().hex[:8]}", case_ids(1)
    first = opened(seller, case_id, LAMP, Market.US, "defective", 3, ("Battery dies", "en"))
    async with api.service.transaction() as session:
        await project(session, [delivery(first, DAY)])
        # Another replica's batch of the same case, while this one is not committed yet.
        other = asyncio.create_task(applied(api, (5, replied(case_id, "battery dies", "en", 4))))
        await asyncio.sleep(0.5)
        assert not other.done()  # it waits for this batch to end
    await other
    phrases, texts = await tallies_of(api, seller)
    assert [row[-1] for row in texts] == [2]
    assert dict((tuple(row[5]), row[-1]) for row in phrases)[("battery", "dies")] == 2
