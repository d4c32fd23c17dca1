"""A catalog uploaded as CSV by a seller admin: read whole or refused whole. Pure.

All or nothing: a file with any bad row is refused with every bad row's line number (the
header is line 1) and reason, and nothing of it is applied; the seller fixes the file and
uploads it again. Uploading the same file twice leaves the same catalog (each row is an
upsert by SKU).

Columns (the header names them, in any order; only `sku` and `product_id` are required,
an empty cell says nothing):
- `sku`, `product_id`, `title` (the variant's), `product_title`, `category` (one of
  `TAXONOMY`, or a marketplace's words that map to one);
- `asin`, `fnsku`, `listing_<marketplace>` (e.g. `listing_ebay`);
- `attr_<name>` (e.g. `attr_size`, `attr_color`): what the variants differ in;
- `price_<MARKET>`, `landed_cost_<MARKET>` (e.g. `price_US`), in the market's currency,
  major units (`49.99`);
- `weight_g`, `length_mm`, `width_mm`, `height_mm`, `hs_code` (6 to 10 digits),
  `origin_country` (ISO 3166 alpha-2);
- `title_<language>` (e.g. `title_de`): localised titles.
"""

import csv
import io
from dataclasses import dataclass

from services.intake.domain.catalog import (
    LANGUAGES,
    TAXONOMY,
    CatalogVariant,
    Money,
    category_of,
    country_of,
    hs_code_of,
    money_of,
)
from shared.markets import CURRENCY_OF, Market

REQUIRED = ("sku", "product_id")
MAX_ROWS = 50_000
MAX_FIELD = 500


@dataclass(frozen=True)
class BadRow:
    line: int
    reason: str


class CsvRefused(Exception):
    def __init__(self, bad: list[BadRow]) -> None:
        super().__init__(f"{len(bad)} bad rows")
        self.bad = bad


def read_catalog(text: str) -> list[CatalogVariant]:
    """The file's variants, or CsvRefused naming every bad row (line 1: the header)."""
    reader = csv.DictReader(io.StringIO(text))
    missing = [name for name in REQUIRED if name not in (reader.fieldnames or [])]
    if missing:
        raise CsvRefused([BadRow(1, f"the header lacks {', '.join(missing)}")])
    variants, bad, seen = [], [], {}
    for row in reader:
        line = reader.line_num
        if len(variants) + len(bad) >= MAX_ROWS:
            raise CsvRefused([BadRow(line, f"more than {MAX_ROWS} rows: split the file")])
        try:
            variant = variant_of({k: (v or "").strip() for k, v in row.items() if k})
        except ValueError as error:
            bad.append(BadRow(line, str(error)))
            continue
        if variant.sku in seen:
            bad.append(BadRow(line, f"sku {variant.sku} is on line {seen[variant.sku]} too"))
            continue
        seen[variant.sku] = line
        variants.append(variant)
    if bad:
        raise CsvRefused(bad)
    if not variants:
        raise CsvRefused([BadRow(2, "the file has no rows")])
    return variants


def variant_of(row: dict[str, str]) -> CatalogVariant:
    for name in REQUIRED:
        if not row.get(name):
            raise ValueError(f"{name} is empty")
    if any(len(value) > MAX_FIELD for value in row.values()):
        raise ValueError(f"a cell is longer than {MAX_FIELD} characters")
    return CatalogVariant(
        sku=row["sku"],
        product_id=row["product_id"],
        product_title=row.get("product_title") or None,
        title=row.get("title") or None,
        category=category_in(row.get("category")),
        source_category=row.get("category") or None,
        asin=row.get("asin") or None,
        fnsku=fnsku_in(row.get("fnsku")),
        listing_ids=prefixed(row, "listing_"),
        attributes={k.lower(): v for k, v in prefixed(row, "attr_").items()},
        prices=by_market(row, "price_"),
        landed_costs=by_market(row, "landed_cost_"),
        weight_g=positive(row, "weight_g"),
        dimensions_mm=dimensions_in(row),
        hs_code=checked(row, "hs_code", hs_code_of, "6 to 10 digits"),
        origin_country=checked(row, "origin_country", country_of, "two letters (ISO 3166)"),
        titles={k: v for k, v in prefixed(row, "title_").items() if k in LANGUAGES},
    )


def prefixed(row: dict[str, str], prefix: str) -> dict[str, str]:
    return {k.removeprefix(prefix): v for k, v in row.items() if k.startswith(prefix) and v}


def category_in(given: str | None) -> str | None:
    if not given:
        return None
    category = category_of(given)
    if category is None:
        raise ValueError(f"category {given!r} is none of {', '.join(TAXONOMY)}")
    return category


def fnsku_in(given: str | None) -> str | None:
    if given and (len(given) > 20 or not given.isalnum()):
        raise ValueError(f"fnsku {given!r} is not an FNSKU")
    return given or None


def by_market(row: dict[str, str], prefix: str) -> dict[str, Money]:
    found = {}
    for key, amount in prefixed(row, prefix).items():
        market = key.upper().replace("GB", "UK")
        if market not in set(Market):
            raise ValueError(f"{prefix}{key}: {key} is not a market")
        money = money_of(amount, CURRENCY_OF[Market(market)].value)
        if money is None:
            raise ValueError(f"{prefix}{key}: {amount!r} is not an amount")
        found[market] = money
    return found


def positive(row: dict[str, str], name: str) -> int | None:
    given = row.get(name)
    if not given:
        return None
    if not given.isdigit() or int(given) <= 0:
        raise ValueError(f"{name}: {given!r} is not a positive whole number")
    return int(given)


def dimensions_in(row: dict[str, str]) -> tuple[int, int, int] | None:
    sides = [positive(row, name) for name in ("length_mm", "width_mm", "height_mm")]
    if all(side is None for side in sides):
        return None
    if any(side is None for side in sides):
        raise ValueError("length_mm, width_mm and height_mm are given together")
    length, width, height = sides
    return (length, width, height)  # type: ignore[return-value]


def checked(row: dict[str, str], name: str, read, expected: str) -> str | None:
    given = row.get(name)
    if not given:
        return None
    value = read(given)
    if value is None:
        raise ValueError(f"{name}: {given!r} is not {expected}")
    return value
