"""What intake's buyer page reads of a case (`handlers/buyer_view.py`), over the real
PostgreSQL: the open offer with its legal notices in the five languages; internal token
only."""

from faststream.kafka import TestKafkaBroker

from services.resolution.domain.policy import DEFAULT_POLICY
from shared.events import Envelope, Scenario
from shared.markets import Currency, Market, Region
from tests.factories import INTERNAL_TOKEN, case_opened, envelope_bytes

INTERNAL = {"authorization": f"Bearer {INTERNAL_TOKEN}"}


async def test_the_open_offer_carries_its_notices_in_every_language(api):
    case = case_opened(scenario=Scenario.MINOR_DEFECT).model_copy(
        update={
            "market": Market.DE,
            "region": Region.EU,
            "currency": Currency.EUR,
            "buyer_language": "de",
        }
    )
    async with TestKafkaBroker(api.service.broker) as broker:
        await broker.publish(envelope_bytes(Envelope.wrap(case)), "intake.events")
    view = await api.get(f"/cases/{case.case_id}/buyer-view", headers=INTERNAL)
    assert view.status_code == 200
    seen = view.json()
    assert seen["state"] == "offered" and seen["remedy"] is None
    [offer] = seen["offers"]
    assert (offer["remedy"], offer["open"], offer["currency"]) == ("partial_refund", True, "EUR")
    assert offer["amount_minor"] > 0 and offer["message"]
    assert "exchange_max_difference_minor" not in offer  # an exchange's alone
    notices = offer["disclosures"]
    assert set(notices) == {"en", "de", "fr", "es", "it"}
    assert notices["en"], "an EU partial refund tells the buyer they may still return it"
    assert all(len(notices[language]) == len(notices["en"]) for language in notices)
    assert any(sentence in offer["message"] for sentence in notices["de"])


async def test_an_exchange_offer_says_how_large_a_price_difference_it_settles(api):
    case = case_opened(scenario=Scenario.SIZE_STYLE_MISMATCH)
    async with TestKafkaBroker(api.service.broker) as broker:
        await broker.publish(envelope_bytes(Envelope.wrap(case)), "intake.events")
    view = await api.get(f"/cases/{case.case_id}/buyer-view", headers=INTERNAL)
    [offer] = view.json()["offers"]
    assert offer["remedy"] == "exchange"
    assert (
        offer["exchange_max_difference_minor"] == DEFAULT_POLICY.exchange_max_price_difference_minor
    )


async def test_only_the_services_read_it(api):
    assert (await api.get("/cases/any/buyer-view")).status_code == 401
    wrong = {"authorization": "Bearer nope"}
    assert (await api.get("/cases/any/buyer-view", headers=wrong)).status_code == 401
    assert (await api.get("/cases/no-such/buyer-view", headers=INTERNAL)).status_code == 404
