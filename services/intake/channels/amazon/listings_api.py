"""Amazon's Listings Items API (v2021-08-01): the seller's listings, for the seller's catalog.

searchListingsItems (https://developer-docs.amazon.com/sp-api/docs/listings-items-api-v2021-08-01-reference#searchlistingsitems):
`GET /listings/2021-08-01/items/{sellerId}?marketplaceIds=…&includedData=summaries,
attributes,offers&pageSize=…&pageToken=…`, at most 20 a page, the next page named by
`pagination.nextToken` (Amazon pages through 1,000 listings at most; a seller with more
uploads the rest as CSV). Chosen over the active listings report: it answers at once, with
the FNSKU, the product type and the attributes a report leaves out. From each item:
- `summaries[]` (per marketplace): `asin`, `fnSku`, `productType` (mapped to the project's
  taxonomy), `itemName` (the listing's name on that marketplace, in its language: a title
  per language where `item_name` names none);
- `offers[]` (per marketplace): the B2C `price` there, the price of that market;
- `attributes`: `item_name` per `language_tag` (the localised titles), `color` / `size`
  (what variants differ in), `child_parent_sku_relationship[].parent_sku` (the product the
  variants share; a listing without one is its own product), `item_package_weight`,
  `item_package_dimensions` and `country_of_origin`;
- the listing's content per marketplace (`ListingContent`, for the listing audit): each
  attribute value names its `marketplace_id` (or only its `language_tag`): `bullet_point`,
  `product_description`, and the facts a market's rules look at, named as the product type
  definitions name them (Product Type Definitions API, getDefinitionsProductType: e.g. the
  FOOD_BLENDER and TOY_VEHICLE_SET schemas): `power_plug_type` (`value`), `voltage`
  (`value`, `unit`), `regulatory_compliance_certification` (`regulation_type`, `value`) and
  `fcc_radio_frequency_emission_compliance` (`registration_status`,
  `identification_number`). No attribute holds a size chart (Amazon takes it as a chart
  or an image beside the listing): a chart the seller wrote is in the bullets or the
  description, where the audit reads it. The title is the marketplace's summary `itemName`.
Needs the Product Listing role.
"""

from collections.abc import AsyncIterator
from typing import Any

from pydantic import BaseModel, ConfigDict

from services.intake.channels.amazon.marketplaces import market_of
from services.intake.channels.amazon.sp_api import SP_API, SellingPartner, call
from services.intake.channels.marketplace import MarketplaceApis
from services.intake.domain.catalog import (
    CatalogVariant,
    ListingContent,
    Money,
    box,
    category_of,
    country_of,
    grams,
    millimetres,
    money_of,
)
from shared.markets import DEFAULT_LANGUAGE_OF
from shared.outbound import Refused, resource_of

LISTINGS = "/listings/2021-08-01/items"
PAGE = 20
MAX_PAGES = 50  # 1,000 listings: as many as Amazon pages through
VARIANT_ATTRIBUTES = ("color", "size", "style", "pattern", "material")
# The attributes a listing's content keeps per marketplace, for the market's rules.
LISTING_FACTS = (
    "power_plug_type",
    "voltage",
    "regulatory_compliance_certification",
    "fcc_radio_frequency_emission_compliance",
)


class Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")


class Summary(Model):
    marketplaceId: str
    asin: str | None = None
    productType: str | None = None
    itemName: str | None = None
    fnSku: str | None = None


class Price(Model):
    currencyCode: str
    amount: str | float


class Offer(Model):
    marketplaceId: str
    offerType: str = "B2C"
    price: Price | None = None


class Item(Model):
    sku: str
    summaries: list[Summary] = []
    attributes: dict[str, Any] = {}
    offers: list[Offer] = []


class Pagination(Model):
    nextToken: str | None = None


class SearchResults(Model):
    numberOfResults: int = 0
    pagination: Pagination | None = None
    items: list[Item] = []


async def catalog_pages(
    apis: MarketplaceApis, partner: SellingPartner, page_size: int
) -> AsyncIterator[list[CatalogVariant]]:
    if not partner.marketplace_ids:
        raise Refused(SP_API, f"seller {partner.account} names no marketplace")
    params = {
        "marketplaceIds": ",".join(partner.marketplace_ids),
        "includedData": "summaries,attributes,offers",
        "pageSize": str(max(1, min(page_size, PAGE))),
    }
    what = f"the listings of seller {partner.account}"
    for _ in range(MAX_PAGES):
        path = f"{LISTINGS}/{partner.account}"
        response = await call(apis, partner, "GET", path, what, params=params)
        found = resource_of(SearchResults, response, SP_API, what)
        yield [variant_of(item) for item in found.items]
        token = found.pagination.nextToken if found.pagination else None
        if not token:
            return
        params = {**params, "pageToken": token}


def variant_of(item: Item) -> CatalogVariant:
    summary = item.summaries[0] if item.summaries else Summary(marketplaceId="")
    attributes = item.attributes
    parent = first_of(attributes, "child_parent_sku_relationship", "parent_sku")
    weight = first(attributes, "item_package_weight")
    return CatalogVariant(
        sku=item.sku,
        product_id=f"amazon:{parent or item.sku}",
        product_title=summary.itemName,
        title=summary.itemName,
        category=category_of(summary.productType),
        source_category=summary.productType,
        asin=summary.asin,
        fnsku=summary.fnSku,
        listing_ids={f"amazon:{s.marketplaceId}": s.asin for s in item.summaries if s.asin},
        attributes={
            name: str(value)
            for name in VARIANT_ATTRIBUTES
            if (value := first_of(attributes, name, "value")) is not None
        },
        prices=prices_of(item.offers),
        weight_g=grams(weight.get("value"), weight.get("unit")) if weight else None,
        dimensions_mm=dimensions_of(first(attributes, "item_package_dimensions")),
        origin_country=country_of(first_of(attributes, "country_of_origin", "value")),
        titles=titles_of(attributes, item.summaries),
        listings=listings_of(attributes, item.summaries),
    )


def listings_of(attributes: dict[str, Any], summaries: list[Summary]) -> dict[str, ListingContent]:
    """The listing as each marketplace shows it, by market."""
    listings = {}
    for summary in summaries:
        market = market_of(summary.marketplaceId)
        if market is None:
            continue
        language = DEFAULT_LANGUAGE_OF[market]
        said = {
            name: values_on(attributes.get(name), summary.marketplaceId, language)
            for name in ("bullet_point", "product_description", *LISTING_FACTS)
        }
        facts = {name: "; ".join(said[name]) for name in LISTING_FACTS if said[name]}
        listings[market.value] = ListingContent(
            language=language,
            title=summary.itemName,
            bullets=tuple(said["bullet_point"]),
            description="\n".join(said["product_description"]) or None,
            attributes=facts,
        )
    return listings


def values_on(given: Any, marketplace_id: str, language: str) -> list[str]:
    """An attribute's values shown on one marketplace: those naming it, else those in its
    language, else those naming neither (a value for every marketplace)."""
    values = [v for v in given or [] if isinstance(v, dict) and text(v) is not None]

    for keep in (
        lambda v: v.get("marketplace_id") == marketplace_id,
        lambda v: (
            "marketplace_id" not in v and str(v.get("language_tag", "")).split("_")[0] == language
        ),
        lambda v: "marketplace_id" not in v and "language_tag" not in v,
    ):
        if found := [said for v in values if keep(v) and (said := text(v))]:
            return found
    return []


def text(value: dict[str, Any]) -> str | None:
    """An attribute value in words: its value and unit; a certification with its
    regulation; an FCC compliance with its registration status and FCC ID."""
    if value.get("registration_status"):  # fcc_radio_frequency_emission_compliance
        number = value.get("identification_number")
        return f"FCC {value['registration_status']}" + (f", FCC ID {number}" if number else "")
    if value.get("value") is None:
        return None
    if value.get("regulation_type"):  # regulatory_compliance_certification
        return f"{value['regulation_type']}: {value['value']}"
    unit = value.get("unit")
    return f"{value['value']} {unit}" if unit else str(value["value"])


def first(attributes: dict[str, Any], name: str) -> dict[str, Any] | None:
    values = attributes.get(name)
    return (
        values[0] if isinstance(values, list) and values and isinstance(values[0], dict) else None
    )


def first_of(attributes: dict[str, Any], name: str, key: str) -> Any:
    found = first(attributes, name)
    return found.get(key) if found else None


def dimensions_of(given: dict[str, Any] | None) -> tuple[int, int, int] | None:
    if not given:
        return None
    sides = [given.get(side) or {} for side in ("length", "width", "height")]
    length, width, height = (millimetres(s.get("value"), s.get("unit")) for s in sides)
    return box(length, width, height)


def prices_of(offers: list[Offer]) -> dict[str, Money]:
    prices = {}
    for offer in offers:
        market = market_of(offer.marketplaceId)
        money = money_of(offer.price.amount, offer.price.currencyCode) if offer.price else None
        if market is not None and money is not None and offer.offerType == "B2C":
            prices[market.value] = money
    return prices


def titles_of(attributes: dict[str, Any], summaries: list[Summary]) -> dict[str, str]:
    """The item's name by language: `item_name`'s own language tags first, then each
    marketplace's summary in that marketplace's language."""
    titles = {}
    for value in attributes.get("item_name") or []:
        if isinstance(value, dict) and value.get("value") and value.get("language_tag"):
            titles.setdefault(str(value["language_tag"]).split("_")[0], str(value["value"]))
    for summary in summaries:
        market = market_of(summary.marketplaceId)
        if market is not None and summary.itemName:
            titles.setdefault(DEFAULT_LANGUAGE_OF[market], summary.itemName)
    return titles
