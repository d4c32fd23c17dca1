"""Amazon's marketplaces as the SP-API names them, and the markets they are to intake. Pure.

Marketplace ids (https://developer-docs.amazon.com/sp-api/docs/marketplace-ids) name the
marketplace of an order, a report or a notification; each region has its own SP-API
endpoint (https://developer-docs.amazon.com/sp-api/docs/sp-api-endpoints): North America
for the US and Canada, Europe for the UK and the EU marketplaces.
"""

from shared.markets import Market

MARKETPLACE_IDS: dict[Market, str] = {
    Market.US: "ATVPDKIKX0DER",
    Market.CA: "A2EUQ1WTGCTBG2",
    Market.UK: "A1F83G8C2ARO7P",
    Market.DE: "A1PA6795UKMFR9",
    Market.FR: "A13V1IB3VIYZZH",
    Market.IT: "APJ6JRA9NG5V4",
    Market.ES: "A1RKKUPIHCS9HS",
    Market.NL: "A1805IZSGTT6HS",
    Market.IE: "A28R8C7NBKEWEA",
}
MARKET_OF_ID: dict[str, Market] = {id_: market for market, id_ in MARKETPLACE_IDS.items()}

NORTH_AMERICA = "na"
EUROPE = "eu"
ENDPOINTS = {
    NORTH_AMERICA: "https://sellingpartnerapi-na.amazon.com",
    EUROPE: "https://sellingpartnerapi-eu.amazon.com",
    "fe": "https://sellingpartnerapi-fe.amazon.com",
}


def market_of(marketplace_id: str | None) -> Market | None:
    """The market of an Amazon marketplace id; None for one intake does not serve."""
    return MARKET_OF_ID.get((marketplace_id or "").strip())


def region_of(market: Market | None) -> str:
    """The SP-API region whose endpoint serves the market (North America by default)."""
    return NORTH_AMERICA if market in (None, Market.US, Market.CA) else EUROPE
