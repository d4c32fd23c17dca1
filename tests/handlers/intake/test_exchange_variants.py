"""An exchange offer on the buyer's page: the seller's variants to pick from (sent by the
seller's own shop with the item, or read from the Shopify shop, here the emulated one),
each with its price difference, and the chosen one sent with the accept; a form naming
a variant the page did not offer is refused in words."""

from decimal import Decimal
from html import unescape

import pytest

from deploy.emulators.shopify.orders import emulated_order, variants_of
from services.intake.channels.generic.webhook import GenericWebhook, canonical_case
from services.intake.tables import CaseRecord
from services.intake.workflows.cases import keep_variants
from tests.factories import AGENT, BASE_WEBHOOK, webhook
from tests.handlers.intake.conftest import running_intake
from tests.handlers.intake.test_buyer_page import FakeViews, a_case, events_of, link, offer

CAP = 2000  # the seller's policy: an exchange settles at most 20.00 of difference
SPEAKER = BASE_WEBHOOK["items"][0]
SENT_VARIANTS = [
    {"sku": "BT-SPK-200-BLK", "title": "Black", "price": "49.99"},
    {"sku": "BT-SPK-200-WHT", "title": "White", "price": "47.99"},
    {"sku": "BT-SPK-300-BLK", "title": "30 W, Black", "price": "54.99"},
    {"sku": "BT-SPK-200-RED", "title": "Red", "price": "49.99", "in_stock": False},
    {"sku": "BT-SPK-500-BLK", "title": "50 W, Black", "price": "79.99"},
]
SHOP = "variants-shop.myshopify.com"
ORDER_ID = 7002


def exchange_offer(offer_id: str, currency: str = "USD") -> dict:
    return {
        **offer(offer_id, remedy="exchange", amount=0),
        "currency": currency,
        "exchange_max_difference_minor": CAP,
    }


def offered(intake, offer_id: str, currency: str = "USD") -> None:
    intake.views.resolution = {
        "state": "offered",
        "remedy": None,
        "offers": [exchange_offer(offer_id, currency)],
    }


async def accept(intake, case_id: str, offer_id: str, **variant: str):
    form = {"offer_id": offer_id, "answer": "accept", "lang": "en", **variant}
    return await intake.post(f"{link(intake, case_id, 'en')}/answer", data=form)


async def choices(intake, case_id: str) -> list[str]:
    return [
        event["data"]["exchange_for"]
        for event in await events_of(intake, case_id, "case.buyer_replied")
    ]


@pytest.fixture
async def intake(settings):
    async with running_intake(settings) as client:
        client.views = FakeViews()
        client.service.context.case_views = client.views
        yield client


@pytest.fixture
async def sent_case(intake) -> str:
    """A case of the seller's own shop whose webhook sent the speaker's variants, kept as
    opening the case keeps them."""
    body = webhook(items=[{**SPEAKER, "variants": SENT_VARIANTS}], buyer_language="en")
    sent = canonical_case(GenericWebhook.model_validate(body), "page-seller")
    item = {"sku": SPEAKER["sku"], "title": SPEAKER["title"], "quantity": 1}
    case_id = await a_case(intake, "en", items=[{**item, "unit_price_minor": 4999}])
    async with intake.service.transaction() as session:
        await keep_variants(session, case_id, sent)
        await keep_variants(session, case_id, sent)  # a redelivery keeps nothing twice
    return case_id


async def test_the_page_lists_the_sent_variants_in_stock_with_their_price_difference(
    intake, sent_case
):
    offered(intake, "x-1")
    page = unescape((await intake.get(link(intake, sent_case, "en"))).text)
    assert "Choose the variant you want" in page
    assert "White (BT-SPK-200-WHT): you get $2.00 back" in page
    assert "30 W, Black (BT-SPK-300-BLK): you pay $5.00 more" in page
    assert "Black (BT-SPK-200-BLK): same price" in page
    assert "BT-SPK-200-RED" not in page  # sold out: not offered
    assert "50 W, Black (BT-SPK-500-BLK): you pay $30.00 more" in page
    assert "the difference is above $20.00, more than an exchange can settle" in page
    assert 'value="BT-SPK-500-BLK" required\n          disabled' in page


async def test_accepting_sends_the_chosen_variant_once(intake, sent_case):
    offered(intake, "x-2")
    first = await accept(intake, sent_case, "x-2", variant="BT-SPK-300-BLK")
    again = await accept(intake, sent_case, "x-2", variant="BT-SPK-300-BLK")
    assert first.status_code == again.status_code == 303
    assert await choices(intake, sent_case) == [
        {"sku": "BT-SPK-300-BLK", "title": "30 W, Black", "unit_price_minor": 5499}
    ]


@pytest.mark.parametrize(
    ("variant", "status", "words"),
    [
        ({}, 422, "Please choose the variant you want"),
        ({"variant": "NOT-A-VARIANT"}, 409, "not one we offer for this exchange"),
        ({"variant": "BT-SPK-200-RED"}, 409, "not one we offer for this exchange"),
        ({"variant": "BT-SPK-500-BLK"}, 409, "above $20.00, more than an exchange can settle"),
    ],
)
async def test_a_variant_not_offered_is_refused_in_words(intake, sent_case, variant, status, words):
    offered(intake, "x-3")
    answer = await accept(intake, sent_case, "x-3", **variant)
    assert answer.status_code == status
    assert words in unescape(answer.text)
    assert await choices(intake, sent_case) == []


async def test_a_shopify_case_offers_the_shop_s_variants_of_the_line(intake):
    onboard = {
        "channel": "shopify",
        "account": SHOP,
        "seller": "variants-shop",
        "secrets": ["shpss_variants"],
        "credentials": {"access_token": "shpat_variants_test"},
    }
    created = await intake.post("/channel-accounts", json=onboard, headers=AGENT)
    assert created.status_code in (201, 409), created.text
    order = emulated_order(ORDER_ID)
    line = order.lines[0]
    paid = int(line.product.price * 100)
    item = {"sku": line.product.sku, "title": line.product.title, "quantity": 1}
    case_id = await a_case(
        intake,
        "en",
        channel="shopify",
        account=SHOP,
        order_id=str(ORDER_ID),
        items=[{**item, "unit_price_minor": paid}],
    )
    offered(intake, "x-4", order.currency)
    page = unescape((await intake.get(link(intake, case_id, "en"))).text)
    own, *others = variants_of(line.product)
    in_stock = [v for v in others if v.inventory]
    assert all(v.sku in page for v in in_stock)
    assert not any(v.sku in page for v in others if not v.inventory)
    dearer = next(v for v in in_stock if 0 < v.price - own.price <= Decimal(CAP) / 100)
    answer = await accept(intake, case_id, "x-4", variant=dearer.sku)
    assert answer.status_code == 303, answer.text
    [choice] = await choices(intake, case_id)
    assert choice["sku"] == dearer.sku
    assert choice["unit_price_minor"] == paid + int((dearer.price - own.price) * 100)


async def test_a_channel_that_names_no_variants_sends_the_same_item_again(intake):
    case_id = await a_case(intake, "en", channel="ebay", account="page-ebay")
    offered(intake, "x-5")
    page = unescape((await intake.get(link(intake, case_id, "en"))).text)
    assert "We send you the same item again." in page and 'name="variant"' not in page
    tampered = await accept(intake, case_id, "x-5", variant="LMP-2")
    assert tampered.status_code == 409
    assert (await accept(intake, case_id, "x-5")).status_code == 303
    assert await choices(intake, case_id) == [None]


async def test_a_replacement_for_a_quality_defect_shows_no_picker_only_the_same_item(intake):
    """Resolution offers an exchange for a quality defect as a new unit of the same model:
    the page offers no variant (even where the seller's shop sent some), and accepting
    sends none; a variant slipped into the form is refused."""
    body = webhook(items=[{**SPEAKER, "variants": SENT_VARIANTS}], buyer_language="en")
    sent = canonical_case(GenericWebhook.model_validate(body), "page-seller")
    item = {"sku": SPEAKER["sku"], "title": "Bluetooth Speaker", "quantity": 1}
    case_id = await a_case(
        intake, "en", scenario="quality_defect", items=[{**item, "unit_price_minor": 4999}]
    )
    async with intake.service.transaction() as session:
        await keep_variants(session, case_id, sent)
    offered(intake, "x-6")
    page = unescape((await intake.get(link(intake, case_id, "en"))).text)
    assert "We send you a new unit of the same model: Bluetooth Speaker." in page
    assert 'name="variant"' not in page and "BT-SPK-200-WHT" not in page
    tampered = await accept(intake, case_id, "x-6", variant="BT-SPK-200-WHT")
    assert tampered.status_code == 409
    assert "not one we offer for this exchange" in unescape(tampered.text)
    assert (await accept(intake, case_id, "x-6")).status_code == 303
    assert await choices(intake, case_id) == [None]


async def test_a_wrong_item_s_exchange_still_lets_the_buyer_pick(intake, sent_case):
    async with intake.service.transaction() as session:
        record = await session.get(CaseRecord, sent_case)
        record.scenario = "wrong_item"
    offered(intake, "x-7")
    page = unescape((await intake.get(link(intake, sent_case, "en"))).text)
    assert 'name="variant"' in page and "new unit of the same model" not in page
