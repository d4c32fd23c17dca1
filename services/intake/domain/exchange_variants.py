"""The variants a buyer may take in exchange, priced against what they paid. Pure.

A replacement (`is_replacement`) offers none: the buyer gets a new unit of their own SKU.

Where they come from: for a Shopify case, the shop's variants of the returned line's
product (`channels/shopify/admin_api.py`); for the generic channel, the variants the
seller's shop sent with the item; no other channel names any, and the exchange then sends
the same item again.

What a variant costs the buyer: the catalog difference between it and the variant they
bought, added to what they paid for theirs (a discount they had stays theirs). Resolution
settles that difference (`services/resolution/domain/exchanges.py`) up to the seller's
cap; a variant beyond the cap is shown but cannot be picked, since accepting it would end
the offer unmet.
"""

from dataclasses import dataclass

from shared.events import ExchangeChoice, Remedy, Scenario

# Resolution offers an exchange for a quality defect as the law's replacement: a new unit of
# the same model, no variant chosen (its message says so: resolution's
# `templates/*/exchange.txt.j2`); other exchanges (a size, a style, the right item) let the
# buyer pick.
REPLACES = frozenset({Scenario.QUALITY_DEFECT.value})


def is_replacement(remedy: str | None, scenario: str | None) -> bool:
    """An exchange offered as a replacement: the same SKU again, nothing to pick."""
    return remedy == Remedy.EXCHANGE.value and scenario in REPLACES


@dataclass(frozen=True)
class Variant:
    """One variant as the seller's shop lists it, priced in the case's currency."""

    sku: str
    title: str
    unit_price_minor: int
    available: bool = True  # for sale and in stock


@dataclass(frozen=True)
class ExchangeOption:
    choice: ExchangeChoice  # what accepting it sends to resolution
    difference_minor: int  # > 0: the buyer pays it; < 0: they get it back (whole line)
    within_cap: bool


def exchange_options(
    variants: list[Variant],
    returned_sku: str,
    paid_unit_minor: int,
    quantity: int,
    cap_minor: int | None,
) -> list[ExchangeOption]:
    """The variants the buyer may pick, each once, in the shop's order: only those for
    sale and in stock. `cap_minor` None: resolution said no cap."""
    listed = {variant.sku: variant for variant in reversed(variants)}
    bought = listed.get(returned_sku)
    base = bought.unit_price_minor if bought is not None else paid_unit_minor
    seen: set[str] = set()
    options = []
    for variant in variants:
        if not variant.available or variant.sku in seen:
            continue
        seen.add(variant.sku)
        unit = max(0, paid_unit_minor + variant.unit_price_minor - base)
        difference = (unit - paid_unit_minor) * quantity
        options.append(
            ExchangeOption(
                choice=ExchangeChoice(sku=variant.sku, title=variant.title, unit_price_minor=unit),
                difference_minor=difference,
                within_cap=cap_minor is None or abs(difference) <= cap_minor,
            )
        )
    return options


def chosen(options: list[ExchangeOption], sku: str | None) -> ExchangeOption | None:
    """The option the form names; None for a SKU the page did not offer."""
    return next((option for option in options if option.choice.sku == sku), None)
