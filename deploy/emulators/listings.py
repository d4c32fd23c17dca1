"""The demo catalogue (`shopify/catalogue.py`) as Amazon, eBay and Walmart list it to the seller,
each paged as its API pages it (Shopify's is the GraphQL `products` query, `shopify/`):

- Amazon, Listings Items API v2021-08-01, searchListingsItems
  (https://developer-docs.amazon.com/sp-api/docs/listings-items-api-v2021-08-01-reference):
  `GET /amazon/listings/2021-08-01/items/{sellerId}?marketplaceIds=…&includedData=…&pageSize
  =…&pageToken=…`, at most 20 a page, answered `{"numberOfResults", "pagination":
  {"nextToken"}, "items": [{"sku", "summaries": [{"marketplaceId", "asin", "productType",
  "itemName", "fnSku", "status"}], "attributes": {...}, "offers": [...]}]}`; the token is
  the seller's LWA access token. The attributes carry each marketplace's content
  (`bullet_point`, `product_description`, and for electronics `power_plug_type`,
  `voltage` and, in North America, `fcc_radio_frequency_emission_compliance`, as the
  product type definitions name them; a European mark and an apparel size chart in the
  bullets), each value naming its `marketplace_id` and `language_tag`
  (`listing_content`): stable, and
  not always right for the market (a US plug on a European marketplace, inches only, a
  size chart missing, English bullets on a German marketplace), as sellers' listings are;
- eBay, Sell Inventory API getInventoryItems
  (https://developer.ebay.com/api-docs/sell/inventory/resources/inventory_item/methods/getInventoryItems):
  `GET /ebay/sell/inventory/v1/inventory_item?limit=…&offset=…` (limit ≤ 200), answered
  `{"href", "limit", "next", "offset", "size", "total", "inventoryItems": [{"sku",
  "locale", "product": {"title", "description", "aspects"}, "packageWeightAndSize",
  "inventoryItemGroupKeys"}]}`, with the seller's user token (`Bearer`);
- eBay, Sell Inventory API getOffers
  (https://developer.ebay.com/api-docs/sell/inventory/resources/offer/methods/getOffers):
  `GET /ebay/sell/inventory/v1/offer?sku=…[&marketplace_id=…&format=…&limit=…&offset=…]`,
  answered `{"href", "limit", "offset", "size", "total", "offers": [{"offerId", "sku",
  "marketplaceId", "format", "listing": {"listingId", "listingStatus"}, "pricingSummary":
  {"price": {"value", "currency"}}, "listingDescription"?, "status", ...}]}`: a fixed-price
  offer for each SKU on every eBay site the emulated returns come from
  (`ebay_returns.SITES`: US, UK, Germany, Canada, France, Italy), priced in the site's
  currency; the listing ids are the ones the returns name (`ebay_returns.listing_id_of`);
  404 (errorId 25713) for a SKU with none;
- Walmart, Items API, Get all items (https://developer.walmart.com/us-marketplace/docs/get-all-items):
  `GET /walmart/v3/items?limit=…&nextCursor=…` (limit ≤ 50, the first cursor `*`),
  answered `{"ItemResponse": [{"mart", "sku", "wpid", "productName", "productType",
  "price": {"currency", "amount"}, "publishedStatus", "variantGroupId",
  "variantGroupInfo": {"groupingAttributes": [{"name", "value"}]}, "gtin"}], "totalItems",
  "nextCursor"}`;
- Walmart, Item Search API in the spec format
  (https://developer.walmart.com/us-marketplace/reference/getsearchresult):
  `GET /walmart/v3/items/walmart/search?gtin=…&responseFormat=SPEC` (or `upc=`), the one
  published item of that identifier as the item setup spec shapes it, `{"MPItemFeedHeader",
  "MPItem": [{"Orderable": {"productIdentifiers", "productName", "price"}, "Visible":
  {"<product type>": {"shortDescription", "keyFeatures", "mainImageUrl", colour or size}}}]}`,
  or `{}` when none is (`walmart_spec_item`); only the spec format is served (the default
  one, keyword searches, 400). The careless products (as on Amazon) have thin listings: no
  measures, and neither plug, voltage and FCC nor a size chart.
"""

import base64
import html
from decimal import Decimal
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse

from deploy.emulators import amazon, ebay, walmart
from deploy.emulators.ebay_returns import (
    SITE_OF_MARKETPLACE,
    listing_id_of,
    listing_title,
    price_of,
)
from deploy.emulators.shopify.catalogue import (
    AMAZON_PRODUCT_TYPE,
    EBAY_TYPE,
    WALMART_PRODUCT_TYPE,
    Listed,
    all_listed,
    page,
    translated_title,
)
from deploy.emulators.shopify.orders import number
from shared.markets import CURRENCY_OF, DEFAULT_LANGUAGE_OF, Market

router = APIRouter(tags=["Marketplace listings"])
AMAZON_PAGE, EBAY_PAGE, WALMART_PAGE = 20, 200, 50
MARKET_OF_ID = {
    "ATVPDKIKX0DER": "US",
    "A2EUQ1WTGCTBG2": "CA",
    "A1F83G8C2ARO7P": "UK",
    "A1PA6795UKMFR9": "DE",
    "A13V1IB3VIYZZH": "FR",
    "APJ6JRA9NG5V4": "IT",
    "A1RKKUPIHCS9HS": "ES",
}
LOCALE_OF = {"en": "en_GB", "de": "de_DE", "fr": "fr_FR", "it": "it_IT", "es": "es_ES"}


def token_of(offset: int) -> str:
    return base64.urlsafe_b64encode(f"offset:{offset}".encode()).decode()


def offset_of(token: str | None) -> int | None:
    if not token:
        return 0
    try:
        kind, _, value = base64.urlsafe_b64decode(token.encode()).decode().partition(":")
        return int(value) if kind == "offset" else None
    except ValueError:
        return None


@router.get("/amazon/listings/2021-08-01/items/{seller_id}", summary="searchListingsItems")
async def search_listings_items(
    seller_id: str,
    request: Request,
    token: amazon.AccessToken = None,
    marketplace_ids: Annotated[str, Query(alias="marketplaceIds")] = "",
    page_size: Annotated[int, Query(alias="pageSize", ge=1, le=AMAZON_PAGE)] = 10,
    page_token: Annotated[str | None, Query(alias="pageToken")] = None,
) -> JSONResponse:
    seller = amazon.authorised(request, token)
    if isinstance(seller, JSONResponse):
        return seller
    if seller != seller_id:
        return amazon.sp_error(403, "Unauthorized", "Access to requested resource is denied.")
    markets = [MARKET_OF_ID[i] for i in marketplace_ids.split(",") if i in MARKET_OF_ID]
    offset = offset_of(page_token)
    if not markets or offset is None:
        return amazon.sp_error(400, "InvalidInput", "Invalid marketplaceIds or pageToken.")
    listed = all_listed()
    items, following = page(listed, offset, page_size)
    body: dict[str, Any] = {
        "numberOfResults": len(listed),
        "pagination": {"nextToken": token_of(following)} if following is not None else {},
        "items": [amazon_item(one, markets) for one in items],
    }
    return JSONResponse(body, headers={"x-amzn-RateLimit-Limit": "5.0"})


def amazon_name(one: Listed, market: str) -> str:
    """The listing's name on a marketplace: in its language where the seller translated it."""
    language = DEFAULT_LANGUAGE_OF[Market(market)]
    title = translated_title(one.product, language) or one.product.title
    return f"{title} ({one.variant.value})"


def amazon_item(one: Listed, markets: list[str]) -> dict[str, Any]:
    ids = {market: i for i, market in MARKET_OF_ID.items()}
    variant = one.variant
    option = "size" if variant.option == "Size" else "color"
    return {
        "sku": variant.sku,
        "summaries": [
            {
                "marketplaceId": ids[market],
                "asin": one.asin,
                "productType": AMAZON_PRODUCT_TYPE[one.category],
                "conditionType": "new_new",
                "status": ["BUYABLE", "DISCOVERABLE"],
                "fnSku": one.fnsku,
                "itemName": amazon_name(one, market),
            }
            for market in markets
        ],
        "attributes": {
            "item_name": [
                {"value": amazon_name(one, m), "language_tag": LOCALE_OF[DEFAULT_LANGUAGE_OF[m]]}
                for m in dict.fromkeys(markets)
            ],
            option: [{"value": variant.value}],
            "child_parent_sku_relationship": [
                {"child_relationship_type": "variation", "parent_sku": one.product.sku + "-P"}
            ],
            "item_package_weight": [{"unit": "grams", "value": one.weight_g}],
            "item_package_dimensions": [
                {
                    "length": {"unit": "millimeters", "value": one.box_mm[0]},
                    "width": {"unit": "millimeters", "value": one.box_mm[1]},
                    "height": {"unit": "millimeters", "value": one.box_mm[2]},
                }
            ],
            "country_of_origin": [{"value": one.origin}],
            **listing_content(one, markets),
        },
        "offers": [
            {
                "marketplaceId": ids[market],
                "offerType": "B2C",
                "price": {"currencyCode": CURRENCY_OF[market].value, "amount": str(variant.price)},
            }
            for market in markets
        ],
    }


@router.get("/ebay/sell/inventory/v1/inventory_item", summary="getInventoryItems")
async def get_inventory_items(
    request: Request,
    authorization: ebay.Auth = None,
    limit: Annotated[int, Query(ge=1, le=EBAY_PAGE)] = 25,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> JSONResponse:
    refusal = ebay.token_refusal(authorization, ebay.ebay_of(request), user=True)
    if refusal is not None:
        return refusal
    listed = all_listed()
    items, following = page(listed, offset, limit)
    base = f"{request.url.path}?limit={limit}"
    body: dict[str, Any] = {
        "href": f"{base}&offset={offset}",
        "limit": limit,
        "offset": offset,
        "size": len(items),
        "total": len(listed),
        "inventoryItems": [ebay_item(one) for one in items],
    }
    if following is not None:
        body["next"] = f"{base}&offset={following}"
    return JSONResponse(body)


def ebay_item(one: Listed) -> dict[str, Any]:
    return {
        "sku": one.variant.sku,
        "locale": "en_US",
        "condition": "NEW",
        "product": {
            "title": listing_title(one),
            "description": ebay_description(one),
            "aspects": {
                "Type": [EBAY_TYPE[one.category]],
                one.variant.option: [one.variant.value],
                "Country of Origin": [one.origin],
            },
        },
        "packageWeightAndSize": {
            "dimensions": {
                "length": one.box_mm[0] / 10,
                "width": one.box_mm[1] / 10,
                "height": one.box_mm[2] / 10,
                "unit": "CENTIMETER",
            },
            "weight": {"value": one.weight_g, "unit": "GRAM"},
        },
        "inventoryItemGroupKeys": [one.product.sku],
        "availability": {"shipToLocationAvailability": {"quantity": one.variant.inventory}},
    }


# The sites each SKU is offered on (every one a return may come from), with the rate its
# price is converted at.
EBAY_SITES = tuple(
    (site.marketplace_id, site.currency, site.rate) for site in SITE_OF_MARKETPLACE.values()
)


@router.get("/ebay/sell/inventory/v1/offer", summary="getOffers")
async def get_offers(
    request: Request,
    sku: str,
    authorization: ebay.Auth = None,
    marketplace_id: str | None = None,
    format: str | None = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 25,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> JSONResponse:
    refusal = ebay.token_refusal(authorization, ebay.ebay_of(request), user=True)
    if refusal is not None:
        return refusal
    found = next((one for one in all_listed() if one.variant.sku == sku), None)
    offers = [
        ebay_offer(found, site, currency, rate)
        for site, currency, rate in (EBAY_SITES if found else ())
        if marketplace_id in (None, site) and format in (None, "FIXED_PRICE")
    ]
    if not offers:
        error = {"errorId": 25713, "domain": "API_INVENTORY", "category": "REQUEST"}
        return JSONResponse({"errors": [{**error, "message": "This Offer is not available."}]}, 404)
    shown, _ = page(offers, offset, limit)
    body = {
        "href": str(request.url),
        "limit": limit,
        "offset": offset,
        "size": len(shown),
        "total": len(offers),
        "offers": shown,
    }
    return JSONResponse(body)


def ebay_offer(one: Listed, site: str, currency: str, rate: Decimal) -> dict[str, Any]:
    price = price_of(one, rate)
    listing = listing_id_of(one, site)
    return {
        "offerId": f"{site}-{one.variant.sku}",
        "sku": one.variant.sku,
        "marketplaceId": site,
        "format": "FIXED_PRICE",
        "availableQuantity": one.variant.inventory,
        "categoryId": "112529",
        "listing": {"listingId": listing, "listingStatus": "ACTIVE", "soldQuantity": 0},
        "pricingSummary": {"price": {"value": str(price), "currency": currency}},
        "status": "PUBLISHED",
        **ebay_listing_description(one, site),
    }


def ebay_description(one: Listed) -> str:
    """The item's description, in its locale's English."""
    length, width, height = (side / 25.4 for side in one.box_mm)
    return f"{FEATURES['en']}. Box: {length:.1f} x {width:.1f} x {height:.1f} in."


def ebay_listing_description(one: Listed, site: str) -> dict[str, str]:
    """An offer's own description on a European site, in the site's language and metric,
    where the seller wrote one (a careless seller keeps the item's English one)."""
    market = EBAY_MARKET_OF_SITE.get(site)
    if market in (None, "US", "CA") or number("careless", one.product.sku) % 2 == 0:
        return {}
    language = DEFAULT_LANGUAGE_OF[Market(market)]
    length, width, height = (side / 10 for side in one.box_mm)
    return {"listingDescription": f"{FEATURES[language]}. {length:g} x {width:g} x {height:g} cm."}


@router.get("/walmart/v3/items", summary="Get all items")
async def get_all_items(
    request: Request,
    limit: Annotated[int, Query(ge=1, le=WALMART_PAGE)] = 20,
    next_cursor: Annotated[str, Query(alias="nextCursor")] = "*",
) -> JSONResponse:
    refused = walmart.refused_call(request)
    if refused is not None:
        return refused
    offset = 0 if next_cursor == "*" else offset_of(next_cursor)
    if offset is None:
        return walmart.invalid("nextCursor is not one this API gave", "nextCursor")
    listed = all_listed()
    items, following = page(listed, offset, limit)
    body = {
        "ItemResponse": [walmart_item(one) for one in items],
        "totalItems": len(listed),
        "nextCursor": token_of(following) if following is not None else None,
    }
    return JSONResponse(body)


def walmart_item(one: Listed) -> dict[str, Any]:
    return {
        "mart": "WALMART_US",
        "sku": one.variant.sku,
        "wpid": f"{one.variant.variant_id % 10**12:012d}",
        "gtin": walmart_gtin(one),
        "productName": f"{one.product.title} ({one.variant.value})",
        "productType": WALMART_PRODUCT_TYPE[one.category],
        "price": {"currency": "USD", "amount": float(one.variant.price)},
        "publishedStatus": "PUBLISHED",
        "lifecycleStatus": "ACTIVE",
        "variantGroupId": one.product.sku,
        "variantGroupInfo": {
            "isPrimary": one.variant.sku == one.product.sku,
            "groupingAttributes": [
                {"name": one.variant.option.lower(), "value": one.variant.value}
            ],
        },
    }


def walmart_gtin(one: Listed) -> str:
    return f"00{one.variant.variant_id % 10**12:012d}"


@router.get("/walmart/v3/items/walmart/search", summary="Item search")
async def item_search(
    request: Request,
    gtin: str | None = None,
    upc: str | None = None,
    query: str | None = None,
    asin: str | None = None,
    response_format: Annotated[str, Query(alias="responseFormat")] = "DEFAULT",
) -> JSONResponse:
    refused = walmart.refused_call(request)
    if refused is not None:
        return refused
    if not (gtin or upc or query or asin):
        return walmart.invalid("one of query, upc, gtin or asin is required", "query")
    if response_format not in ("SPEC", "DEFAULT"):
        return walmart.invalid("responseFormat is SPEC or DEFAULT", "responseFormat")
    if response_format != "SPEC" or not (gtin or upc):
        return walmart.invalid("the emulator serves identifier searches in SPEC only", "query")
    wanted = (gtin or "").zfill(14) if gtin else (upc or "").zfill(14)
    found = next((one for one in all_listed() if walmart_gtin(one) == wanted), None)
    if found is None:
        return JSONResponse({})
    header = {"businessUnit": "WALMART_US", "locale": "en", "version": "5.0"}
    return JSONResponse({"MPItemFeedHeader": header, "MPItem": [walmart_spec_item(found)]})


def walmart_spec_item(one: Listed) -> dict[str, Any]:
    """The item's listing on walmart.com: the careful products' say their box in inches
    (and centimetres), their US plug, voltage and FCC compliance, their size chart."""
    careless = number("careless", one.product.sku) % 2 == 0
    name = f"{one.product.title} ({one.variant.value})"
    features = [FEATURES["en"]]
    if not careless:
        length, width, height = (side / 10 for side in one.box_mm)
        features.append(
            f"Box: {length / 2.54:.1f} x {width / 2.54:.1f} x {height / 2.54:.1f} in"
            f" ({length:g} x {width:g} x {height:g} cm)"
        )
        if one.category == "electronics":
            features += ["US plug (type A), 120 V", "FCC compliant"]
        if one.category == "apparel":
            features.append(f"Size chart: {SIZE_CHART['US']}")
    said = html.escape(name) + ("" if careless else f": {FEATURES['en'].lower()}")
    option = "clothingSize" if one.variant.option == "Size" else "color"
    visible = {
        "shortDescription": f"<p>{said}.</p>",
        "keyFeatures": features,
        "mainImageUrl": f"https://i5.walmartimages.example/{one.variant.sku}.jpeg",
        option: one.variant.value,
    }
    return {
        "Orderable": {
            "productIdentifiers": {"productIdType": "GTIN", "productId": walmart_gtin(one)},
            "productName": name,
            "price": float(one.variant.price),
        },
        "Visible": {WALMART_PRODUCT_TYPE[one.category]: visible},
    }


EBAY_MARKET_OF_SITE = {
    "EBAY_US": "US",
    "EBAY_CA": "CA",
    "EBAY_GB": "UK",
    "EBAY_DE": "DE",
    "EBAY_FR": "FR",
    "EBAY_IT": "IT",
    "EBAY_ES": "ES",
}
# What a market's listing of an electrical product says its plug and mains are.
PLUG_OF = {"US": "type_a_2pin_na", "CA": "type_a_2pin_na", "UK": "type_g_3pin_uk"}
VOLTS_OF = {"US": 120, "CA": 120}
EU_PLUG, EU_VOLTS = "type_c_2pin_eu", 230
FEATURES = {
    "en": "Easy to set up in minutes",
    "de": "In wenigen Minuten eingerichtet",
    "fr": "Installation en quelques minutes",
    "es": "Se instala en unos minutos",
    "it": "Si installa in pochi minuti",
}
SIZE_CHART = {"US": "S: chest 36 in, M: chest 40 in, L: chest 44 in"}
# The metric chart, by the listing's language.
SIZE_CHART_METRIC = {
    "en": "S: chest 92 cm, M: chest 102 cm, L: chest 112 cm",
    "de": "S: Brust 92 cm, M: Brust 102 cm, L: Brust 112 cm",
    "fr": "S : poitrine 92 cm, M : poitrine 102 cm, L : poitrine 112 cm",
    "es": "S: pecho 92 cm, M: pecho 102 cm, L: pecho 112 cm",
    "it": "S: torace 92 cm, M: torace 102 cm, L: torace 112 cm",
}
SIZE_CHART_NAMED = {
    "en": "Size chart",
    "de": "Größentabelle",
    "fr": "Guide des tailles",
    "es": "Guía de tallas",
    "it": "Guida alle taglie",
}
# A European listing claims its mark in a bullet: no attribute of the product type
# definitions holds the CE or UKCA mark.
MARKED = {
    "en": "{} marked",
    "de": "{}-Kennzeichnung",
    "fr": "Marquage {}",
    "es": "Marcado {}",
    "it": "Marcatura {}",
}


def fcc_id(one: Listed) -> str:
    return f"2A{number('fcc', one.product.sku, digits=3)}-{one.product.sku[:8]}"


def listing_content(one: Listed, markets: list[str]) -> dict[str, list[dict[str, Any]]]:
    """The listing's content on each marketplace, stable per product, in the attributes
    the product type definitions name (`power_plug_type`, `voltage`,
    `fcc_radio_frequency_emission_compliance`); a size chart and a European mark are in the
    bullets, as no attribute holds them. Some products are listed carelessly
    (`number("careless", ...)`): their European listings keep the US listing's plug,
    inches and English bullets and claim no mark, and their apparel has no size chart."""
    ids = {market: i for i, market in MARKET_OF_ID.items()}
    careless = number("careless", one.product.sku) % 2 == 0
    length, width, height = (side / 10 for side in one.box_mm)
    content: dict[str, list[dict[str, Any]]] = {"bullet_point": [], "product_description": []}
    for market in dict.fromkeys(markets):
        marketplace = ids[market]
        metric = market not in ("US",) and not careless
        language = DEFAULT_LANGUAGE_OF[Market(market)] if not careless else "en"
        locale = "en_US" if language == "en" and market in ("US", "CA") else LOCALE_OF[language]
        tag = {"marketplace_id": marketplace, "language_tag": locale}
        size = (
            f"{length:g} x {width:g} x {height:g} cm"
            if metric
            else f"{length / 2.54:.1f} x {width / 2.54:.1f} x {height / 2.54:.1f} in"
            + (f" ({length:g} x {width:g} x {height:g} cm)" if market == "US" else "")
        )
        content["bullet_point"] += [
            {"value": FEATURES[language], **tag},
            {"value": size, **tag},
        ]
        content["product_description"].append(
            {"value": amazon_name(one, market if not careless else "US"), **tag}
        )
        if one.category == "electronics":
            american = market in ("US", "CA") or careless
            plug = PLUG_OF.get(market, EU_PLUG) if not careless else PLUG_OF["US"]
            volts = VOLTS_OF.get(market, EU_VOLTS) if not american else 120
            content.setdefault("power_plug_type", []).append(
                {"value": plug, "marketplace_id": marketplace}
            )
            content.setdefault("voltage", []).append(
                {"value": volts, "unit": "volts", "marketplace_id": marketplace}
            )
            if market == "US" or (market == "CA" and not careless):
                content.setdefault("fcc_radio_frequency_emission_compliance", []).append(
                    {
                        "registration_status": "has_fcc_id",
                        "identification_number": fcc_id(one),
                        "marketplace_id": marketplace,
                    }
                )
            elif not careless:
                mark = "UKCA" if market == "UK" else "CE"
                content["bullet_point"].append({"value": MARKED[language].format(mark), **tag})
        if one.category == "apparel" and not careless:
            chart = SIZE_CHART.get(market) or SIZE_CHART_METRIC[language]
            named = f"{SIZE_CHART_NAMED[language]}: {chart}"
            content["bullet_point"].append({"value": named, **tag})
    return content
