"""The floor page's task queue: most urgent first, and which scans a pick line takes.
Pure."""

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any, Protocol

from services.fulfillment.domain.carriers import collected_at
from services.fulfillment.domain.warehouses import WAREHOUSE_BY_CODE

LATEST = date.max


class QueuedTask(Protocol):
    warehouse: str
    status: str
    carrier: str  # '' until packing chose one
    promised_by: date | None
    requested_at: datetime


# Within one promised date and one collection, the task nearest to leaving goes first: a
# packed parcel only needs the carrier, a picked one still needs packing.
STEP_ORDER = {"packed": 0, "picked": 1, "requested": 2}


def most_urgent_first(tasks: Iterable[QueuedTask], now: datetime) -> list[Any]:
    """By the promised date (none last); then the collection it must make: its carrier's
    cut-off today, nearest first, while not yet past, else that carrier's next business
    day (a task without a carrier yet: the warehouse's cut-off); then the step reached;
    then the oldest request."""
    return sorted(
        tasks,
        key=lambda task: (
            task.promised_by or LATEST,
            collected_at(WAREHOUSE_BY_CODE[task.warehouse], now, task.carrier),
            STEP_ORDER.get(task.status, 3),
            task.requested_at,
        ),
    )


def late(task: QueuedTask, today: date) -> bool:
    return task.promised_by is not None and task.promised_by < today


def scanned(code: str) -> str:
    """A scan as compared: a scanner's or a hand's stray spaces and case do not count."""
    return code.strip().upper()


def is_bin(line: dict[str, Any], code: str) -> bool:
    return scanned(code) == scanned(str(line["bin"]))


def is_item(line: dict[str, Any], code: str, items: Sequence[dict[str, Any]]) -> bool:
    """The line's SKU, or the marketplace code (ASIN) its case item carries."""
    codes = {scanned(str(line["sku"]))}
    base = str(line["sku"]).removesuffix("-PART")
    codes |= {scanned(str(i["asin"])) for i in items if i.get("sku") == base and i.get("asin")}
    return scanned(code) in codes
