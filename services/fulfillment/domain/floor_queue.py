"""The floor page's task queue: most urgent first, and which scans a pick line takes.
Pure."""

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any, Protocol

LATEST = date.max


class QueuedTask(Protocol):
    status: str
    promised_by: date | None
    requested_at: datetime


# Within one promised date, the task nearest to leaving goes first: a packed parcel only
# needs the carrier before today's cut-off, a picked one still needs packing.
STEP_ORDER = {"packed": 0, "picked": 1, "requested": 2}


def most_urgent_first(tasks: Iterable[QueuedTask]) -> list[Any]:
    """By the promised date (none last), the step reached, then the oldest request."""
    return sorted(
        tasks,
        key=lambda task: (
            task.promised_by or LATEST,
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
