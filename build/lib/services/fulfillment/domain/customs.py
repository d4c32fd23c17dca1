"""Customs data for units going back to the factory: the HS code of each category, the
country of origin, and where they go."""

from shared.events import CaseItem
from shared.labels import InvoiceLine, PostalAddress

ORIGIN_COUNTRY = "CN"

# Harmonized System subheadings (6 digits, the part every customs union shares).
HS_CODE_OF_CATEGORY = {
    "electronics": "8518.22",  # loudspeakers, the sample catalogue's main electronics
    "home": "6303.92",  # curtains and interior blinds of synthetic fibres
    "apparel": "6109.10",  # T-shirts and vests, knitted, of cotton
}
DEFAULT_HS_CODE = "9503.00"  # a category without its own code: an agent reviews the invoice

# Grams per unit, for the invoice's weights; fulfillment's parcel estimate is coarser.
UNIT_WEIGHT_G = {"electronics": 900, "home": 1600, "apparel": 350}
DEFAULT_UNIT_WEIGHT_G = 1000

FACTORY = PostalAddress(
    name="Shenzhen Returns Consolidation Centre",
    line1="No. 18 Pingshan Industrial Road, Building B",
    line2="Longgang District",
    city="Shenzhen",
    region="Guangdong",
    postal_code="518118",
    country_code=ORIGIN_COUNTRY,
)


def _category(item: CaseItem) -> str:
    return (item.category or "").strip().lower()


def customs_line(item: CaseItem) -> InvoiceLine:
    category = _category(item)
    return InvoiceLine(
        description=item.title or item.sku,
        hs_code=HS_CODE_OF_CATEGORY.get(category, DEFAULT_HS_CODE),
        origin_country=ORIGIN_COUNTRY,
        quantity=item.quantity,
        unit_value_minor=item.unit_price_minor,
        weight_g=UNIT_WEIGHT_G.get(category, DEFAULT_UNIT_WEIGHT_G) * item.quantity,
    )
