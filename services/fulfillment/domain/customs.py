"""Customs data for units crossing a border (back to the factory, or a parcel out of its
customs union): each line's HS code, country of origin and weight, from the seller's
catalog when the case item carries them (`CaseItem.product`), else the category's
defaults; and the factory units go back to."""

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
    return InvoiceLine(
        description=item.title or item.sku,
        hs_code=hs_code_of(item),
        origin_country=origin_of(item),
        quantity=item.quantity,
        unit_value_minor=item.unit_price_minor,
        weight_g=customs_unit_weight_g(item) * item.quantity,
    )


def hs_code_of(item: CaseItem) -> str:
    """The catalog's HS code of the product (6 to 10 digits), else the category's."""
    if item.product is not None and item.product.hs_code is not None:
        return item.product.hs_code
    return HS_CODE_OF_CATEGORY.get(_category(item), DEFAULT_HS_CODE)


def origin_of(item: CaseItem) -> str:
    """Where the product was made, as the catalog says; else where the sellers' goods
    come from."""
    if item.product is not None and item.product.origin_country is not None:
        return item.product.origin_country
    return ORIGIN_COUNTRY


def customs_unit_weight_g(item: CaseItem) -> int:
    if item.product is not None and item.product.weight_g is not None:
        return item.product.weight_g
    return UNIT_WEIGHT_G.get(_category(item), DEFAULT_UNIT_WEIGHT_G)
