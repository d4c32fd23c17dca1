"""Walmart's Item Search API: what an item's listing says to buyers on walmart.com, for the
listing audit (analytics). "Get all items" (`items_api.py`) answers no content.

Item search (https://developer.walmart.com/us-marketplace/reference/getsearchresult, guide:
https://developer.walmart.com/us-marketplace/docs/item-search-for-the-walmart-catalog):
`GET /v3/items/walmart/search?gtin=…&responseFormat=SPEC` finds the one published catalog
item of that GTIN and answers it in the item setup spec's shape (US only), or `{}` when
none is published: `{"MPItemFeedHeader": {...}, "MPItem": [{"Orderable": {"sku",
"productIdentifiers", "productName", "brand", ...}, "Visible": {"<product type>":
{"shortDescription", "keyFeatures": [...], "mainImageUrl", ...attributes}}}]}`. From it:
the title (`productName`), the bullets (`keyFeatures`), the description's words
(`shortDescription`, its markup left out) and the product type's other plain attributes
(colour, size...), as the US market's listing, in English (Walmart US's language).
"""

from typing import Any

from pydantic import BaseModel, ConfigDict

from services.intake.channels.marketplace import MarketplaceApis
from services.intake.channels.walmart.api import WALMART, reason_of, url, walmart_headers
from services.intake.domain.catalog import ListingContent, words_of_html
from shared.outbound import answer_to, resource_of

SEARCH = "/v3/items/walmart/search"
LANGUAGE = "en"
# The spec's fields that are not the product's facts: its images and its content read apart.
NOT_FACTS = frozenset(
    {"shortDescription", "keyFeatures", "mainImageUrl", "productSecondaryImageURL"}
)


class Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")


class SpecItem(Model):
    Orderable: dict[str, Any] = {}
    Visible: dict[str, dict[str, Any]] = {}


class SpecAnswer(Model):
    MPItem: list[SpecItem] = []


async def listing_content(apis: MarketplaceApis, token: str, gtin: str) -> ListingContent | None:
    """The listing of the item of `gtin` on walmart.com; None when none is published."""
    request = apis.http.build_request(
        "GET",
        url(apis.settings.walmart_api_base_url, SEARCH),
        params={"gtin": gtin, "responseFormat": "SPEC"},
        headers=walmart_headers(token),
    )
    what = f"the listing of GTIN {gtin}"
    response = await answer_to(apis.http, request, WALMART, what, reason_of=reason_of)
    found = resource_of(SpecAnswer, response, WALMART, what)
    return content_of(found.MPItem[0]) if found.MPItem else None


def content_of(item: SpecItem) -> ListingContent:
    visible = next(iter(item.Visible.values()), {})
    features = visible.get("keyFeatures") or []
    name = item.Orderable.get("productName")
    description = visible.get("shortDescription")
    return ListingContent(
        language=LANGUAGE,
        title=str(name) if name else None,
        bullets=tuple(str(feature) for feature in features if feature),
        description=words_of_html(str(description)) if description else None,
        attributes={
            field: said
            for field, value in visible.items()
            if field not in NOT_FACTS and (said := plain(value))
        },
    )


def plain(value: Any) -> str | None:
    """An attribute's value in words: text or a number, a list of them, or a measure
    (`{"measure", "unit"}`); None for anything else."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str | int | float):
        return str(value) or None
    if isinstance(value, dict) and "measure" in value:
        return f"{value['measure']} {value.get('unit') or ''}".strip()
    if isinstance(value, list):
        words = [said for one in value if (said := plain(one))]
        return ", ".join(words) or None
    return None
