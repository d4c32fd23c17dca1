"""The seller's catalog: imported page by page from each emulated marketplace (Shopify's
GraphQL products, Amazon's Listings Items, eBay's inventory items, Walmart's items),
uploaded as CSV (refused whole, by line, when a row is bad), kept up to date by Shopify's
product webhooks; each case's items resolved to it when the case opens (an unknown SKU
flagged, the case still opened); exchanges offered from it on the buyer's page."""

import asyncio
import contextlib
import csv
import io
import json
import time
import uuid
from datetime import UTC, datetime
from html import unescape

import httpx
import pytest

from deploy.emulators.ebay_returns import EmulatedReturn
from deploy.emulators.listings import (
    ebay_description,
    ebay_listing_description,
    listing_content,
    walmart_spec_item,
)
from deploy.emulators.shopify.catalogue import TRANSLATED_TITLES, all_listed
from deploy.replay import CATALOG_CHANNELS, EBAY_SAMPLE_FILE
from deploy.secrets import DEMO_ACCOUNTS
from services.intake.channels.common import hmac_sha256_base64
from services.intake.channels.generic.webhook import GenericWebhook, canonical_case
from services.intake.domain.case import Channel
from services.intake.tables import CaseRecord
from services.intake.workflows import catalog
from services.intake.workflows.accounts import AccountExists
from services.intake.workflows.cases import open_case
from services.intake.workflows.outgoing_messages import localised_product
from tests.factories import AGENT, bearer, token_of, webhook
from tests.handlers.intake.conftest import ACCOUNT_CACHE_SECONDS, amazon_account, running_intake
from tests.handlers.intake.test_buyer_page import FakeViews, a_case, link
from tests.handlers.intake.test_exchange_variants import offered

PAGE = 20


class People:
    """Someone of the seller account `account` only."""

    def __init__(self, account: str) -> None:
        self.account = account

    def admin(self) -> dict[str, str]:
        return bearer(token_of(["seller_admin"], sellers=[self.account], name="sam"))

    def agent(self) -> dict[str, str]:
        return bearer(token_of(["agent"], sellers=[self.account], name="ida"))


SHOP = "linen-home.myshopify.com"  # tests/samples/channel_accounts.json
SHOP_SECRET = "shpss_new_0b6c1e"
LISTED = len(all_listed())
SPEAKER = next(one for one in all_listed() if one.variant.sku == "BT-SPK-200-BLK")
SPEAKER_TITLES = TRANSLATED_TITLES["BT-SPK-200-BLK"]
UNTRANSLATED = next(one for one in all_listed() if one.product.sku not in TRANSLATED_TITLES)


@pytest.fixture
async def intake(settings):
    # Imports read whole catalogs from the emulated shops, which take longer than the
    # suite's 2 s timeout when the machine is busy: these tests are not about the timeout.
    async with running_intake(
        settings, catalog_page_size=PAGE, marketplace_timeout_seconds=10.0
    ) as client:
        client.views = FakeViews()
        client.service.context.case_views = client.views
        yield client


async def amazon_seller(intake, marketplace_ids: tuple[str, ...] = ("ATVPDKIKX0DER",)) -> str:
    account = f"A{uuid.uuid4().hex[:12].upper()}"
    created = await intake.post(
        "/channel-accounts",
        json=amazon_account(account, "catalog-seller", marketplace_ids=list(marketplace_ids)),
        headers=AGENT,
    )
    assert created.status_code == 201, created.text
    return account


async def imported(intake, channel: str, account: str) -> dict:
    answer = await intake.post(
        "/catalog/imports", json={"channel": channel, "account": account}, headers=AGENT
    )
    assert answer.status_code == 200, answer.text
    return answer.json()


async def variant_of(intake, account: str, sku: str) -> dict:
    listed = await intake.get(f"/catalog/products?account={account}&sku={sku}", headers=AGENT)
    assert listed.status_code == 200, listed.text
    [product] = listed.json()
    variant = next(v for v in product["variants"] if v["sku"] == sku)
    return product | variant | {"product_title": product["title"]}


@pytest.mark.parametrize(
    ("channel", "account", "pages"),
    [
        ("shopify", SHOP, 3),  # 15 products, 5 a page (the cost of their variants)
        ("ebay", "lumahome-us", 4),
        ("walmart", "10900015773", 4),
        ("amazon", None, 4),
    ],
)
async def test_an_import_reads_every_page_of_the_marketplace_s_listings(
    intake, channel, account, pages
):
    account = account or await amazon_seller(intake)
    summary = await imported(intake, channel, account)
    assert summary["pages"] == pages
    assert summary["variants"] == LISTED == 75
    assert summary["products"] == 15 and summary["uncategorised"] == 0
    again = await imported(intake, channel, account)  # idempotent
    assert again["variants"] == LISTED
    speaker = await variant_of(intake, account, "BT-SPK-200-BLK")
    assert speaker["category"] == "electronics"
    assert speaker["source_category"]
    assert len(speaker["variants"]) == 5
    if channel == "shopify":
        assert speaker["hs_code"] == "851822" and speaker["origin_country"] == "CN"
        assert speaker["weight_g"] == SPEAKER.weight_g
        assert speaker["prices"]["US"] == {"amount_minor": 4999, "currency": "USD"}
        assert speaker["attributes"] == {"color": "Black"}
        # the shop's published translations (translatableResourcesByIds), English its primary
        assert speaker["titles"] == {"en": SPEAKER.product.title, **SPEAKER_TITLES}
    if channel == "amazon":
        assert speaker["fnsku"] == SPEAKER.fnsku and speaker["asin"] == "B0C7K2M4QX"
        assert speaker["dimensions_mm"] == list(SPEAKER.box_mm)
        assert speaker["listing_ids"] == {"amazon:ATVPDKIKX0DER": "B0C7K2M4QX"}
    if channel == "ebay":
        assert speaker["dimensions_mm"] == list(SPEAKER.box_mm)
        assert speaker["weight_g"] == SPEAKER.weight_g
        # getOffers: one fixed-price offer per eBay site, each priced in its market
        assert speaker["prices"] == {
            "US": {"amount_minor": 4999, "currency": "USD"},
            "UK": {"amount_minor": 3949, "currency": "GBP"},
            "DE": {"amount_minor": 4599, "currency": "EUR"},
            "CA": {"amount_minor": 6799, "currency": "CAD"},
            "FR": {"amount_minor": 4599, "currency": "EUR"},
            "IT": {"amount_minor": 4599, "currency": "EUR"},
        }
        assert set(speaker["listing_ids"]) == {
            "ebay",
            "ebay:EBAY_US",
            "ebay:EBAY_GB",
            "ebay:EBAY_DE",
            "ebay:EBAY_CA",
            "ebay:EBAY_FR",
            "ebay:EBAY_IT",
        }
    if channel == "walmart":
        assert speaker["prices"]["US"]["amount_minor"] == 4999


async def test_an_import_waits_for_a_throttled_shop_s_bucket_instead_of_failing(intake, emulators):
    """Shopify answers THROTTLED when the shop's cost bucket is short of a page's cost; the
    import waits the time the bucket takes to refill, then reads on."""
    bucket = f"/_emulator/shopify/{SHOP}/bucket"
    async with httpx.AsyncClient(base_url=emulators) as emulator:
        drained = {"currently_available": 0, "restore_rate": 400}
        assert (await emulator.put(bucket, json=drained)).status_code == 204
        try:
            result = await imported(intake, "shopify", SHOP)
        finally:  # as the emulator starts: full, 100 points a second
            full = {"currently_available": 2000, "restore_rate": 100}
            await emulator.put(bucket, json=full)
    assert result["pages"] == 3 and result["variants"] > 0


async def test_a_seller_admin_imports_only_their_own_accounts(intake):
    other = People("someone-else").admin()
    answer = await intake.post(
        "/catalog/imports", json={"channel": "shopify", "account": SHOP}, headers=other
    )
    assert answer.status_code == 404
    generic = await intake.post(
        "/catalog/imports", json={"channel": "generic", "account": "test-seller"}, headers=AGENT
    )
    assert generic.status_code == 502 and "CSV" in generic.json()["detail"]


def csv_of(rows: list[dict]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(dict.fromkeys(k for row in rows for k in row)))
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode()


ROW = {
    "sku": "MUG-350-WHT",
    "product_id": "MUG-350",
    "product_title": "Stoneware Mug 350 ml",
    "title": "White",
    "category": "kitchen",
    "attr_color": "White",
    "price_US": "12.99",
    "landed_cost_US": "3.10",
    "weight_g": "420",
    "length_mm": "120",
    "width_mm": "90",
    "height_mm": "100",
    "hs_code": "6912.00",
    "origin_country": "cn",
    "title_de": "Steinzeugbecher 350 ml",
}


async def upload(intake, account: str, body: bytes, headers=AGENT):
    return await intake.post(
        f"/catalog/uploads/generic/{account}",
        content=body,
        headers={**headers, "content-type": "text/csv"},
    )


async def test_a_csv_with_bad_rows_is_refused_whole_by_line_and_a_good_one_applied_once(intake):
    account = f"csv-{uuid.uuid4().hex[:8]}"
    rows = [
        ROW,
        {**ROW, "sku": "MUG-350-BLK", "attr_color": "Black", "weight_g": "heavy"},
        {**ROW, "sku": "MUG-350-RED", "category": "spaceships"},
        {**ROW, "sku": ""},
        {**ROW, "sku": "MUG-350-BLU", "price_US": "", "price_XX": "3"},
        ROW,  # the first row's SKU again
    ]
    refused = await upload(intake, account, csv_of(rows))
    assert refused.status_code == 422
    bad = {row["line"]: row["reason"] for row in refused.json()["bad_rows"]}
    assert list(bad) == [3, 4, 5, 6, 7]
    assert "weight_g" in bad[3] and "spaceships" in bad[4] and "sku is empty" in bad[5]
    assert "XX is not a market" in bad[6] and "line 2" in bad[7]
    assert (await intake.get(f"/catalog/products?account={account}", headers=AGENT)).json() == []

    good = [ROW, {**ROW, "sku": "MUG-350-BLK", "title": "Black", "attr_color": "Black"}]
    for _ in range(2):  # uploading the same file again changes nothing
        applied = await upload(intake, account, csv_of(good))
        assert applied.status_code == 200, applied.text
        assert applied.json() == {"applied": 2, "products": 1}
    mug = await variant_of(intake, account, "MUG-350-WHT")
    assert mug["category"] == "kitchen" and mug["hs_code"] == "691200"
    assert mug["origin_country"] == "CN" and mug["dimensions_mm"] == [120, 90, 100]
    assert mug["landed_costs"]["US"] == {"amount_minor": 310, "currency": "USD"}
    assert mug["titles"] == {"de": "Steinzeugbecher 350 ml"}
    assert len(mug["variants"]) == 2


async def test_the_walls_keep_another_seller_s_catalog_out_of_sight(intake):
    account = f"csv-{uuid.uuid4().hex[:8]}"
    assert (await upload(intake, account, csv_of([ROW]))).status_code == 200
    other = People("someone-else")
    assert (await upload(intake, account, csv_of([ROW]), other.admin())).status_code == 404
    listed = await intake.get(f"/catalog/products?account={account}", headers=other.agent())
    assert listed.json() == []
    one = await intake.get(f"/catalog/products/{account}/MUG-350", headers=other.agent())
    assert one.status_code == 404
    own = await intake.get(f"/catalog/products/{account}/MUG-350", headers=People(account).agent())
    assert own.status_code == 200 and own.json()["title"] == "Stoneware Mug 350 ml"


def product_hook(
    title: str,
    price: str,
    sku: str = "BT-SPK-200-BLK",
    product_id: int | None = None,
    colour: str = "Teal",
) -> bytes:
    product_id = product_id or SPEAKER.product.product_id
    return json.dumps(
        {
            "id": product_id,
            "admin_graphql_api_id": f"gid://shopify/Product/{product_id}",
            "title": title,
            "product_type": "Electronics",
            "options": [{"name": "Color", "position": 1, "values": ["Black", "Teal"]}],
            "variants": [
                {
                    "id": 1,
                    "admin_graphql_api_id": f"gid://shopify/ProductVariant/{sku}",
                    "title": colour,
                    "price": price,
                    "sku": sku,
                    "option1": colour,
                }
            ],
        }
    ).encode()


async def hook(intake, body: bytes, secret: str = SHOP_SECRET, topic="products/update"):
    headers = {
        "X-Shopify-Topic": topic,
        "X-Shopify-Shop-Domain": SHOP,
        "X-Shopify-Event-Id": str(uuid.uuid4()),
        "X-Shopify-Hmac-Sha256": hmac_sha256_base64(secret, body),
        "content-type": "application/json",
    }
    return await intake.post("/webhooks/shopify/products", content=body, headers=headers)


async def test_shopify_s_product_webhooks_keep_the_catalog_up_to_date(intake):
    await imported(intake, "shopify", SHOP)
    forged = await hook(intake, product_hook("Forged", "1.00"), secret="not-the-secret")
    assert forged.status_code == 401
    body = product_hook("Portable Speaker 20 W (2027)", "51.99")
    for _ in range(2):  # a redelivery changes nothing
        answer = await hook(intake, body)
        assert answer.status_code == 200 and answer.json()["variants"] == 1
    speaker = await variant_of(intake, SHOP, "BT-SPK-200-BLK")
    assert speaker["product_title"] == "Portable Speaker 20 W (2027)"
    assert speaker["title"] == "Teal"
    assert speaker["prices"]["US"] == {"amount_minor": 5199, "currency": "USD"}
    assert speaker["attributes"] == {"color": "Teal"}
    # Not in the webhook: what the import read stays.
    assert speaker["hs_code"] == "851822" and speaker["weight_g"] == SPEAKER.weight_g
    created = await hook(
        intake, product_hook("New", "9.99", "SPK-NEW-1", 42), topic="products/create"
    )
    assert created.status_code == 200
    assert (await variant_of(intake, SHOP, "SPK-NEW-1"))["sku"] == "SPK-NEW-1"


async def forget_product(intake, product_id: str) -> None:
    async with intake.service.transaction() as session:
        for table in (catalog.VARIANTS, catalog.PRODUCTS):
            await session.execute(
                table.delete().where(table.c.account == SHOP, table.c.product_id == product_id)
            )


async def test_a_product_webhook_keeps_the_localised_titles_the_shop_publishes(intake):
    """The webhook carries the title in the shop's primary language only: the product's
    published translations are read from the shop's Admin GraphQL API (the emulator's), on
    create as on update."""
    product_id = f"gid://shopify/Product/{SPEAKER.product.product_id}"
    await forget_product(intake, product_id)  # as if the shop had just created it
    body = product_hook(SPEAKER.product.title, "49.99", colour="Black")
    created = await hook(intake, body, topic="products/create")
    assert created.status_code == 200, created.text
    speaker = await variant_of(intake, SHOP, "BT-SPK-200-BLK")
    assert speaker["titles"] == {"en": SPEAKER.product.title, **SPEAKER_TITLES}
    # and its option values' (PRODUCT_OPTION_VALUE), for the exchange picker
    assert speaker["attribute_titles"] == {
        "de": {"Black": "Schwarz"},
        "fr": {"Black": "Noir"},
        "es": {"Black": "Negro"},
        "it": {"Black": "Nero"},
    }
    renamed = await hook(intake, product_hook("Portable Speaker 20 W (2027)", "49.99"))
    assert renamed.status_code == 200, renamed.text
    speaker = await variant_of(intake, SHOP, "BT-SPK-200-BLK")
    assert speaker["titles"] == {"en": "Portable Speaker 20 W (2027)", **SPEAKER_TITLES}
    # now Teal, untranslated: the picker does not show the old colour's translation
    assert speaker["attributes"] == {"color": "Teal"}
    assert catalog.variant_title(speaker, "de") == "Teal"
    async with intake.service.transaction() as session:
        titles = await catalog.titles_in(session, "shopify", SHOP, ["BT-SPK-200-BLK"], "de")
    assert titles == {"BT-SPK-200-BLK": SPEAKER_TITLES["de"]}


async def test_an_untranslated_product_s_webhook_keeps_only_its_own_title(intake):
    product_id = f"gid://shopify/Product/{UNTRANSLATED.product.product_id}"
    await forget_product(intake, product_id)
    body = product_hook(
        "Untranslated, renamed", "9.99", UNTRANSLATED.variant.sku, UNTRANSLATED.product.product_id
    )
    assert (await hook(intake, body, topic="products/create")).status_code == 200
    variant = await variant_of(intake, SHOP, UNTRANSLATED.variant.sku)
    assert variant["titles"] == {"en": "Untranslated, renamed"}


async def opened(intake, account: str, sku: str, **item):
    base = {
        "sku": sku,
        "title": "Portable Bluetooth Speaker 20W",
        "quantity": 1,
        "price": "49.99",
        "currency": "USD",
    }
    body = webhook(items=[{**base, **item}], buyer_language="en")
    case = canonical_case(GenericWebhook.model_validate(body), account)
    async with intake.service.transaction() as session:
        event = await open_case(
            session, intake.service.context, case, body["event_id"], datetime.now(UTC)
        )
        record = await session.get(CaseRecord, event.case_id)
    return event, record


async def test_an_opened_case_carries_its_catalog_product_and_an_unknown_sku_still_flows(intake):
    account = f"csv-{uuid.uuid4().hex[:8]}"
    speaker = {
        **ROW,
        "sku": "SPK-20-BLK",
        "product_id": "SPK-20",
        "category": "Consumer Electronics",
        "fnsku": "X00ABCDEF1",
        "asin": "B0TESTASIN",
    }
    assert (await upload(intake, account, csv_of([speaker]))).status_code == 200

    event, record = await opened(intake, account, "SPK-20-BLK", category="home")
    [item] = event.items
    assert item.category == "electronics"  # the catalog's, over the channel's
    assert item.product is not None
    assert item.product.model_dump() == {
        "product_id": "SPK-20",
        "attributes": {"color": "White"},
        "fnsku": "X00ABCDEF1",
        "weight_g": 420,
        "dimensions_mm": (120, 90, 100),
        "landed_cost_minor": 310,
        "hs_code": "691200",
        "origin_country": "CN",
        "titles": {"de": "Steinzeugbecher 350 ml"},  # resolution names the item by them
    }
    assert record.unknown_skus == []
    assert record.case["items"][0]["product"]["fnsku"] == "X00ABCDEF1"

    event, record = await opened(intake, account, "NOT-IN-CATALOG", category="home")
    [item] = event.items
    assert item.product is None and item.category == "home"
    assert record.unknown_skus == ["NOT-IN-CATALOG"]
    assert [e.case_id for e in [event]] == [record.case_id]  # opened and announced


async def test_a_case_on_another_channel_of_the_seller_finds_the_product(intake):
    """The demo: generic-channel cases of a seller whose Shopify catalog was imported."""
    await imported(intake, "shopify", SHOP)
    event, record = await opened(intake, "linen-home", "BT-SPK-200-BLK")
    [item] = event.items
    assert item.product is not None and item.product.hs_code == "851822"
    assert item.category == "electronics" and record.unknown_skus == []
    rows = await intake.get("/catalog/products?category=electronics", headers=AGENT)
    assert rows.status_code == 200 and rows.json()


async def test_the_exchange_offers_the_product_s_variants_from_the_catalog(intake):
    account = f"csv-{uuid.uuid4().hex[:8]}"
    variants = [
        {**ROW, "sku": "TEE-M", "product_id": "TEE", "attr_size": "M", "attr_color": "",
         "price_US": "20.00", "category": "apparel"},
        {**ROW, "sku": "TEE-L", "product_id": "TEE", "attr_size": "L", "attr_color": "",
         "price_US": "23.00", "category": "apparel"},
        {**ROW, "sku": "TEE-S", "product_id": "TEE", "attr_size": "S", "attr_color": "",
         "price_US": "18.50", "category": "apparel"},
    ]  # fmt: skip
    assert (await upload(intake, account, csv_of(variants))).status_code == 200
    item = {"sku": "TEE-M", "title": "Tee", "quantity": 1, "unit_price_minor": 2000}
    case_id = await a_case(intake, "en", channel="generic", account=account, items=[item])
    async with intake.service.transaction() as session:
        record = await session.get(CaseRecord, case_id)
        record.case = {**record.case, "market": "US", "currency": "USD"}
    offered(intake, "x-cat", "USD")
    page = unescape((await intake.get(link(intake, case_id, "en"))).text)
    assert "Choose the variant you want" in page
    assert "L (TEE-L): you pay $3.00 more" in page
    assert "S (TEE-S): you get $1.50 back" in page
    assert "M (TEE-M): same price" in page


async def test_a_case_unknown_to_the_catalog_offers_no_catalog_variants(intake):
    item = {"sku": "NOWHERE-1", "title": "Tee", "quantity": 1, "unit_price_minor": 2000}
    case_id = await a_case(intake, "en", account=f"csv-{uuid.uuid4().hex[:8]}", items=[item])
    rows = await intake.get("/catalog/products?sku=NOWHERE-1", headers=AGENT)
    assert rows.json() == []
    offered(intake, "x-none", "USD")
    page = unescape((await intake.get(link(intake, case_id, "en"))).text)
    assert "NOWHERE-1 (" not in page


async def test_an_ebay_case_is_offered_the_variants_its_seller_lists_on_walmart(intake):
    """eBay's inventory items carry no price: the seller's Walmart listing of the same SKU,
    priced in the case's market, gives the variants and their differences."""
    await imported(intake, "ebay", "lumahome-us")
    await imported(intake, "walmart", "10900015773")  # the same seller, luma-home
    item = {"sku": "BT-SPK-200-BLK", "title": "Speaker", "quantity": 1, "unit_price_minor": 4999}
    case_id = await a_case(intake, "en", channel="ebay", account="lumahome-us", items=[item])
    async with intake.service.transaction() as session:
        record = await session.get(CaseRecord, case_id)
        record.case = {**record.case, "market": "US", "currency": "USD"}
    offered(intake, "x-wm", "USD")
    page = unescape((await intake.get(link(intake, case_id, "en"))).text)
    assert "Blue (BT-SPK-200-BLK-BLUE): you pay $4.00 more" in page
    assert "White (BT-SPK-200-BLK-WHITE): same price" in page


async def test_an_ebay_return_naming_its_listing_is_resolved_to_the_variant_listed_there(intake):
    """eBay's returns name the listing (itemId), never a SKU: the catalog keeps each variant's
    listing ids from its offers, and a case item is looked up by them too."""
    await imported(intake, "ebay", "lumahome-us")
    speaker = await variant_of(intake, "lumahome-us", "BT-SPK-200-BLK")
    listing = speaker["listing_ids"]["ebay:EBAY_US"]
    async with intake.service.transaction() as session:
        found = await catalog.found_variants(
            session, "ebay", "lumahome-us", [listing, "BT-SPK-200-BLK", "395500000000"]
        )
    assert set(found) == {listing, "BT-SPK-200-BLK"}  # an unknown listing stays unknown
    assert found[listing]["sku"] == "BT-SPK-200-BLK"


async def test_every_ebay_demo_return_resolves_to_a_product_of_the_imported_catalog(intake):
    """`make run` replays deploy/ebay_sample_returns.json: each return's listing (the
    case's SKU) is one the eBay import read, so none of those cases is an unknown SKU."""
    await imported(intake, "ebay", "lumahome-us")
    now = datetime.now(UTC)
    samples = json.loads(EBAY_SAMPLE_FILE.read_text())
    listings = [EmulatedReturn.first_seen(s["return_id"], now).listing_id for s in samples]
    async with intake.service.transaction() as session:
        found = await catalog.found_variants(session, "ebay", "lumahome-us", listings)
    assert set(found) == set(listings)
    assert all(row["product_id"].startswith("ebay:") for row in found.values())


DEMO = [a for a in json.loads(DEMO_ACCOUNTS.read_text()) if a["channel"] in CATALOG_CHANNELS]


@pytest.mark.parametrize("demo", DEMO, ids=[a["channel"] for a in DEMO])
async def test_make_run_imports_each_demo_account_s_catalog_from_the_emulators(intake, demo):
    """What `make run` asks (`deploy/replay.py: import_catalogs`), with the demo accounts'
    own credentials (deploy/channel_accounts.json)."""
    named = ("channel", "account", "seller", "default_market", "secrets")
    credentials = {k: v for k, v in demo.items() if k not in named}
    with contextlib.suppress(AccountExists):  # onboarded by an earlier run
        await intake.service.context.accounts.create(
            Channel(demo["channel"]),
            demo["account"],
            demo["seller"],
            demo.get("default_market"),
            demo.get("secrets", []),
            credentials,
        )
    base = f"/channel-accounts/{demo['channel']}/{demo['account']}"
    assert (await intake.post(f"{base}/enable", headers=AGENT)).status_code == 200
    await asyncio.sleep(ACCOUNT_CACHE_SECONDS)  # an earlier run's disabling, forgotten
    try:
        summary = await imported(intake, demo["channel"], demo["account"])
        assert summary["variants"] == LISTED and summary["uncategorised"] == 0
        event, _ = await opened(intake, "demo-seller", "SNK-RUN-M-WHT")
        assert event.items[0].category == "apparel" and event.items[0].product is not None
    finally:  # no worker of a later test is to poll the demo's marketplaces
        assert (await intake.post(f"{base}/disable", headers=AGENT)).status_code == 200


async def test_amazon_titles_and_prices_come_per_marketplace(intake):
    us, de = "ATVPDKIKX0DER", "A1PA6795UKMFR9"
    account = await amazon_seller(intake, (us, de))
    await imported(intake, "amazon", account)
    speaker = await variant_of(intake, account, "BT-SPK-200-BLK")
    colour = SPEAKER.variant.value
    assert speaker["titles"] == {
        "en": f"{SPEAKER.product.title} ({colour})",
        "de": f"{SPEAKER_TITLES['de']} ({colour})",
    }
    assert set(speaker["prices"]) == {"US", "DE"}
    assert speaker["listing_ids"] == {f"amazon:{us}": "B0C7K2M4QX", f"amazon:{de}": "B0C7K2M4QX"}


async def test_the_buyer_reads_the_item_in_their_language_where_the_catalog_has_it(intake):
    """The page and the messages name the item by the catalog's title in the buyer's
    language; an item the seller never translated keeps the channel's title."""
    await imported(intake, "shopify", SHOP)
    item = {"sku": SPEAKER.variant.sku, "title": "Speaker (order line)", "quantity": 1}
    other = {"sku": UNTRANSLATED.variant.sku, "title": "Untranslated (order line)", "quantity": 1}
    case_id = await a_case(
        intake,
        "de",
        channel="shopify",
        account=SHOP,
        scenario="quality_defect",
        items=[{**item, "unit_price_minor": 4999}, {**other, "unit_price_minor": 1000}],
    )
    offered(intake, "t-1", "EUR")
    page = unescape((await intake.get(link(intake, case_id, "de"))).text)
    assert f"· {SPEAKER_TITLES['de']} · Untranslated (order line)" in page
    assert f"ein neues Exemplar desselben Modells: {SPEAKER_TITLES['de']}." in page
    french = unescape((await intake.get(f"{link(intake, case_id, 'de')}?lang=fr")).text)
    assert SPEAKER_TITLES["fr"] in french and SPEAKER_TITLES["de"] not in french
    async with intake.service.transaction() as session:
        record = await session.get(CaseRecord, case_id)
        assert await localised_product(session, record, "it") == SPEAKER_TITLES["it"]
        assert await localised_product(session, record, "nl") is None  # the channel's title


@pytest.mark.parametrize(
    ("language", "names"),
    [
        ("de", ("Schwarz (BT-SPK-200-BLK)", "Weiß (BT-SPK-200-BLK-WHITE)", "Blau (BT-SPK")),
        ("fr", ("Noir (BT-SPK-200-BLK)", "Blanc (BT-SPK-200-BLK-WHITE)", "Bleu (BT-SPK")),
        ("en", ("Black (BT-SPK-200-BLK)", "White (BT-SPK-200-BLK-WHITE)", "Blue (BT-SPK")),
    ],
)
async def test_the_exchange_picker_names_the_variants_in_the_buyers_language(
    intake, language, names
):
    """The shop's translations of its option values (PRODUCT_OPTION_VALUE resources), read
    by the import, name the variants the buyer may pick; untranslated ones keep the shop's
    words."""
    await imported(intake, "shopify", SHOP)
    speaker = await variant_of(intake, SHOP, "BT-SPK-200-BLK-WHITE")
    assert speaker["attribute_titles"]["de"] == {"White": "Weiß"}
    item = {"sku": "BT-SPK-200-BLK", "title": "Speaker", "quantity": 1, "unit_price_minor": 4999}
    case_id = await a_case(intake, language, channel="shopify", account=SHOP, items=[item])
    async with intake.service.transaction() as session:
        record = await session.get(CaseRecord, case_id)
        record.case = {**record.case, "market": "US", "currency": "USD"}
    offered(intake, f"x-{language}", "USD")
    page = unescape((await intake.get(link(intake, case_id, language))).text)
    for name in names:
        assert name in page, name
    if language != "en":
        assert "White (BT-SPK-200-BLK-WHITE)" not in page


@pytest.mark.parametrize(
    "fault",
    [{"status": 503, "times": 1000}, {"delay_seconds": 10, "times": 1000}],
    ids=["down", "slow"],
)
async def test_a_product_webhook_is_applied_when_the_shop_cannot_be_read(intake, emulators, fault):
    """The translations cannot be read (Shopify down, or slower than Shopify waits for the
    webhook's answer): the webhook's own title and prices are applied all the same, in time,
    the translations read before stay, and it is not a 5xx."""
    await imported(intake, "shopify", SHOP)
    async with httpx.AsyncClient(base_url=emulators, timeout=5) as emulator:
        assert (await emulator.put("/_emulator/faults/shopify", json=fault)).is_success
        try:
            started = time.monotonic()
            answer = await hook(intake, product_hook("Speaker, while Shopify is down", "47.99"))
            took = time.monotonic() - started
        finally:
            await emulator.delete("/_emulator/faults/shopify")
    assert answer.status_code == 200, answer.text
    assert took < 5  # Shopify's own wait for a webhook's answer
    speaker = await variant_of(intake, SHOP, "BT-SPK-200-BLK")
    assert speaker["product_title"] == "Speaker, while Shopify is down"
    assert speaker["prices"]["US"] == {"amount_minor": 4799, "currency": "USD"}
    assert speaker["titles"] == {"en": "Speaker, while Shopify is down", **SPEAKER_TITLES}


async def test_amazon_listing_content_is_kept_per_marketplace(intake):
    """The emulated Listings Items API answers each marketplace's bullets, description,
    plug, voltage and FCC compliance (as the product type definitions name them), marks
    and size charts in the bullets: the import keeps them by market, for the audit."""
    us, de = "ATVPDKIKX0DER", "A1PA6795UKMFR9"
    account = await amazon_seller(intake, (us, de))
    await imported(intake, "amazon", account)
    speaker = await variant_of(intake, account, "BT-SPK-200-BLK")
    listings = speaker["listings"]
    assert set(listings) == {"US", "DE"}
    assert listings["US"]["language"] == "en"
    assert listings["US"]["title"] == f"{SPEAKER.product.title} ({SPEAKER.variant.value})"
    assert listings["US"]["attributes"]["power_plug_type"] == "type_a_2pin_na"
    assert listings["US"]["attributes"]["voltage"] == "120 volts"
    fcc = listings["US"]["attributes"]["fcc_radio_frequency_emission_compliance"]
    assert fcc.startswith("FCC has_fcc_id, FCC ID 2A")
    assert any(bullet.endswith("cm)") for bullet in listings["US"]["bullets"])  # both units
    assert listings["DE"]["bullets"] and listings["DE"]["description"]
    content = listing_content(SPEAKER, ["DE"])
    assert listings["DE"]["attributes"]["power_plug_type"] == content["power_plug_type"][0]["value"]
    said = [b["value"] for b in content["bullet_point"]]
    assert listings["DE"]["bullets"] == said
    # Apparel has its size chart in the bullets, where the seller gave one.
    tee = next(one for one in all_listed() if one.category == "apparel")
    shirt = await variant_of(intake, account, tee.variant.sku)
    for market in ("US", "DE"):
        bullets = [b["value"] for b in listing_content(tee, [market])["bullet_point"]]
        assert shirt["listings"][market]["bullets"] == bullets
        assert shirt["listings"][market]["size_chart"] is None


async def test_ebay_listing_content_is_kept_per_site(intake):
    """Each eBay site's listing: the item's title and aspects, the offer's own description
    where the seller wrote one, else the item's."""
    await imported(intake, "ebay", "lumahome-us")
    speaker = await variant_of(intake, "lumahome-us", SPEAKER.variant.sku)
    listings = speaker["listings"]
    assert {"US", "UK", "DE", "FR", "IT", "CA"} <= set(listings)
    assert listings["US"]["description"] == ebay_description(SPEAKER)
    assert listings["US"]["attributes"]["Type"] == "Consumer Electronics"
    own = ebay_listing_description(SPEAKER, "EBAY_DE").get("listingDescription")
    assert listings["DE"]["description"] == (own or ebay_description(SPEAKER))
    curtain = next(one for one in all_listed() if one.product.sku == "CRT-BLK-5284-GRY")
    listed = await variant_of(intake, "lumahome-us", curtain.variant.sku)
    assert listed["listings"]["DE"]["description"].endswith("cm.")  # the seller wrote one


async def test_shopify_listing_content_is_the_product_s_description_in_the_shop_s_markets(
    intake,
):
    """The shop's product description (`descriptionHtml`) read as words, for each market the
    shop prices the product in, in the shop's primary language."""
    await imported(intake, "shopify", SHOP)
    speaker = await variant_of(intake, SHOP, SPEAKER.variant.sku)
    listings = speaker["listings"]
    assert listings and set(listings) == set(speaker["prices"])
    said = next(iter(listings.values()))
    assert said["language"] == "en" and said["title"] == SPEAKER.product.title
    assert said["description"].startswith(SPEAKER.product.title)
    assert "easy to set up in minutes" in said["description"]
    assert "<" not in said["description"] and " cm)" in said["description"]


async def test_walmart_listing_content_is_read_by_gtin_with_item_search(intake):
    """Walmart's "Get all items" has no content: each item's listing on walmart.com (title, key
    features, description, attributes) is read by its GTIN with the Item Search API in
    the spec format, as the US market's listing."""
    await imported(intake, "walmart", "10900015773")
    speaker = await variant_of(intake, "10900015773", SPEAKER.variant.sku)
    spec = walmart_spec_item(SPEAKER)
    [visible] = spec["Visible"].values()
    assert set(speaker["listings"]) == {"US"}
    said = speaker["listings"]["US"]
    assert said["language"] == "en"
    assert said["title"] == spec["Orderable"]["productName"]
    assert said["bullets"] == visible["keyFeatures"]
    assert said["description"] and "<" not in said["description"]
    assert said["attributes"] == {"color": SPEAKER.variant.value}
    careful = next(one for one in all_listed() if "FCC compliant" in key_features(one))
    listed = await variant_of(intake, "10900015773", careful.variant.sku)
    assert "US plug (type A), 120 V" in listed["listings"]["US"]["bullets"]


def key_features(one) -> list[str]:
    [visible] = walmart_spec_item(one)["Visible"].values()
    return visible["keyFeatures"]
