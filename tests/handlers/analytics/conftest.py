"""What analytics' handler tests share: its API over the real PostgreSQL, a fixed set of
cases whose events go through FastStream's test broker, counted by hand in the tests, and
the console's sign-in played through the tests' issuer."""

import uuid
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from faststream.kafka import TestKafkaBroker

from services.analytics.app import create_app
from shared.events import CaseItem, CaseOpened, Envelope, Remedy, ResolutionDecided, Scenario
from shared.markets import CURRENCY_OF, REGION_OF, Market
from tests.factories import AGENT, ISSUER, envelope_bytes
from tests.handlers.conftest import api_of

START = datetime(2026, 10, 1, 9, 0, tzinfo=UTC)
CURTAIN = CaseItem(
    sku="CRT-BLK-5284",
    asin="B0CF6T1Y4M",
    title="Blackout Curtains 52x84",
    category="home",
    quantity=1,
    unit_price_minor=2799,
)
SPEAKER = CaseItem(
    sku="BT-SPK-200",
    asin="B0C7K2M4QX",
    title="Bluetooth Speaker 20W",
    category="electronics",
    quantity=1,
    unit_price_minor=4999,
)
CABLE = CaseItem(sku="USB-C-1M", title="USB-C cable", quantity=1, unit_price_minor=699)


# (item, market, reason, scenario, remedy): ten cases, counted by hand below.
CASES = [
    (CURTAIN, Market.US, "size_fit", Scenario.SIZE_STYLE_MISMATCH, Remedy.EXCHANGE),
    (CURTAIN, Market.US, "size_fit", Scenario.SIZE_STYLE_MISMATCH, Remedy.EXCHANGE),
    (CURTAIN, Market.DE, "size_fit", Scenario.SIZE_STYLE_MISMATCH, Remedy.RETURN_FULL_REFUND),
    (CURTAIN, Market.DE, "not_as_described", Scenario.QUALITY_DEFECT, Remedy.RETURN_FULL_REFUND),
    (CURTAIN, Market.UK, "size_fit", Scenario.SIZE_STYLE_MISMATCH, Remedy.EXCHANGE),
    (SPEAKER, Market.US, "defective", Scenario.FUNCTIONAL_FAULT, Remedy.TROUBLESHOOTING),
    (SPEAKER, Market.US, "defective", Scenario.FUNCTIONAL_FAULT, Remedy.PART_SHIPMENT),
    (SPEAKER, Market.DE, "defective", Scenario.QUALITY_DEFECT, Remedy.RETURN_FULL_REFUND),
    (SPEAKER, Market.UK, "damaged", Scenario.MINOR_DEFECT, Remedy.PARTIAL_REFUND),
    (SPEAKER, Market.DE, "size_fit", Scenario.CHANGED_MIND, Remedy.RETURN_FULL_REFUND),
]


# What each of those buyers wrote when opening the case, and in which language.
COMMENTS = [
    ("Too small for my window", "en"),
    ("Way too small.", "en"),
    ("Viel zu klein", "de"),
    ("Colour is not as shown", "en"),
    ("too small and thin", "en"),
    ("Stopped charging after two days", "en"),
    ("stopped charging overnight", "en"),
    ("Lädt nicht mehr", "de"),
    ("", "en"),
    ("", "de"),
]


@pytest.fixture
async def api(settings):
    async with api_of(create_app(settings), "analytics") as client:
        yield client


CONSOLE = "http://analytics"  # where the handler tests' client reaches the console
FROM_CONSOLE = {"X-Requested-With": "console"}


@pytest.fixture
def issuer_sends_back_to_the_console():
    """The tests' issuer sends sign-ins back to the console as the tests reach it."""
    ISSUER.redirect_origins.add(CONSOLE)
    yield
    ISSUER.redirect_origins.discard(CONSOLE)


async def signed_in_at_issuer(api, persona: str, code_challenge: str | None = None) -> str:
    """A sign-in started at the console and done at the issuer's page as `persona` (with
    another code challenge than the console's, when given): where the issuer sends the
    browser back, with the code and the state."""
    started = await api.get("/console/sign-in")
    assert started.status_code == 303, started.text
    asked = {k: v[0] for k, v in parse_qs(urlsplit(started.headers["location"]).query).items()}
    async with httpx.AsyncClient() as browser:
        page = await browser.get(started.headers["location"])
        assert page.status_code == 200 and persona in page.text, page.text
        chosen = {k: asked[k] for k in ("client_id", "redirect_uri", "code_challenge", "state")}
        chosen |= {"persona": persona}
        if code_challenge:
            chosen["code_challenge"] = code_challenge
        back = await browser.post(f"{ISSUER.url}/authorize", data=chosen)
    assert back.status_code == 303, back.text
    return back.headers["location"]


async def sign_in(api, persona: str) -> None:
    """The console signed in as `persona`: its session cookie in `api`'s jar."""
    answer = await api.get(await signed_in_at_issuer(api, persona))
    assert (answer.status_code, answer.headers["location"]) == (303, "/console"), answer.text


def events_of(
    seller: str, index: int, item, market, reason, scenario, remedy, comment=("", "en")
) -> list:
    case_id = f"case-{uuid.uuid4()}"
    opened_at = START + timedelta(days=index)
    items = [item, CABLE]  # the cable rides along; the case is about the dearer item
    opened = CaseOpened(
        case_id=case_id,
        marketplace="amazon",
        marketplace_event_id=f"evt-{case_id}",
        seller_account=seller,
        order_id=f"ord-{index}",
        market=market,
        region=REGION_OF[market],
        buyer_ref=f"buyer-{index}",
        buyer_language=comment[1],
        buyer_comment=comment[0],
        currency=CURRENCY_OF[market],
        items=items,
        reason_code=reason.upper(),
        reason=reason,
        scenario=scenario,
        opened_at=opened_at,
    )
    decided = ResolutionDecided(
        case_id=case_id,
        scenario=scenario,
        remedy=remedy,
        market=market,
        region=REGION_OF[market],
        currency=CURRENCY_OF[market],
        refund_minor=0,
        items=items,
        rule="test",
    )
    return [opened, decided]


async def seller_with_cases(api) -> str:
    seller = f"seller-{uuid.uuid4().hex[:8]}"
    async with TestKafkaBroker(api.service.broker) as broker:
        for index, case in enumerate(CASES):
            for event in events_of(seller, index, *case, COMMENTS[index]):
                envelope = Envelope.wrap(event)
                raw = envelope_bytes(envelope)
                await broker.publish(raw, envelope.topic, key=event.case_id.encode())
    return seller


def pareto(mix: list[dict]) -> list[tuple[str, int, float]]:
    return [(entry["key"], entry["cases"], entry["share"]) for entry in mix]


async def publish_at(broker, event, at: datetime) -> None:
    envelope = Envelope.wrap(event).model_copy(update={"time": at})
    await broker.publish(envelope_bytes(envelope), envelope.topic, key=event.case_id.encode())


async def report(api, name: str, params: dict) -> dict:
    """A report as the platform admin reads it (every seller)."""
    answer = await api.get(f"/reports/{name}", params=params, headers=AGENT)
    assert answer.status_code == 200, answer.text
    return answer.json()
