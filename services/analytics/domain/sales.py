"""The seller's sales feed: units sold per listing and day, and per market when the seller
says (the denominator of a return rate, per listing and per market). Sent as JSON or
uploaded as CSV (`sku,day,units` and an optional `market`); a bad line is refused with its
number and reason, and nothing of that upload is kept."""

import csv
import io
from datetime import date

from pydantic import BaseModel, Field, ValidationError, field_validator

from shared.markets import Market

MAX_UNITS_A_DAY = 10_000_000


class SalesDay(BaseModel):
    sku: str = Field(min_length=1, max_length=100)
    day: date
    units: int = Field(ge=0, le=MAX_UNITS_A_DAY)
    market: Market | None = None  # None: the listing's sales in every market together

    @field_validator("market", mode="before")
    @classmethod
    def _blank_is_every_market(cls, market: object) -> object:
        return None if market == "" else market


class SalesRefused(ValueError):
    pass


def parse_sales_csv(text: str) -> list[SalesDay]:
    reader = csv.DictReader(io.StringIO(text))
    missing = {"sku", "day", "units"} - set(reader.fieldnames or ())
    if missing:
        raise SalesRefused(f"the CSV header lacks {', '.join(sorted(missing))}")
    days = []
    for line, row in enumerate(reader, start=2):
        try:
            days.append(SalesDay.model_validate(row))
        except ValidationError as error:
            problem = error.errors()[0]
            where = ".".join(str(part) for part in problem["loc"])
            raise SalesRefused(f"line {line}: {where}: {problem['msg']}") from None
    return days
