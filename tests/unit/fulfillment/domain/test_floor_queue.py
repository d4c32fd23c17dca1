"""The floor page's queue order and the scans a pick line takes."""

from dataclasses import dataclass
from datetime import UTC, date, datetime

import pytest

from services.fulfillment.domain.floor_queue import is_bin, is_item, late, most_urgent_first


@dataclass
class Queued:
    name: str
    status: str
    promised_by: date | None
    requested_at: datetime
    carrier: str = ""
    warehouse: str = "BOS1"


def at(hour: int, minute: int = 0, day: int = 4) -> datetime:
    """A moment of December 2026 in UTC (the 4th is a Friday; Boston is UTC-5)."""
    return datetime(2026, 12, day, hour, minute, tzinfo=UTC)


def test_the_earliest_promise_goes_first_then_the_step_nearest_to_leaving_then_the_oldest():
    tasks = [
        Queued("no promise", "packed", None, at(1)),
        Queued("later", "packed", date(2026, 12, 9), at(1)),
        Queued("soon, to pick, old", "requested", date(2026, 12, 7), at(2)),
        Queued("soon, to pick, older", "requested", date(2026, 12, 7), at(1)),
        Queued("soon, to ship", "packed", date(2026, 12, 7), at(3)),
    ]
    order = [task.name for task in most_urgent_first(tasks, at(12))]
    assert order == [
        "soon, to ship",
        "soon, to pick, older",
        "soon, to pick, old",
        "later",
        "no promise",
    ]


PROMISED = date(2026, 12, 9)

# Boston's collections: the warehouse's own cut-off 15:00, FedEx 15:30, UPS 16:30, USPS
# 17:00 (local); at 14:00 local it is 19:00 UTC.
QUEUES = {
    "before every cut-off, the nearest collection first; no carrier yet: the warehouse's": (
        at(19),
        [
            Queued("usps", "packed", PROMISED, at(1), "USPS"),
            Queued("ups", "packed", PROMISED, at(1), "UPS"),
            Queued("fedex", "packed", PROMISED, at(1), "FedEx"),
            Queued("to pick", "requested", PROMISED, at(1)),
        ],
        ["to pick", "fedex", "ups", "usps"],
    ),
    "a carrier whose cut-off is past goes after those still collecting today": (
        at(20, 45),  # 15:45 local: FedEx and the warehouse's cut-off are past
        [
            Queued("fedex", "packed", PROMISED, at(1), "FedEx"),
            Queued("usps", "packed", PROMISED, at(2), "USPS"),
            Queued("to pick", "requested", PROMISED, at(1)),
            Queued("ups", "packed", PROMISED, at(3), "UPS"),
        ],
        ["ups", "usps", "to pick", "fedex"],
    ),
    "every cut-off past: Monday's collections, in their order": (
        at(23),  # 18:00 local on a Friday
        [
            Queued("usps", "packed", PROMISED, at(1), "USPS"),
            Queued("fedex", "packed", PROMISED, at(1), "FedEx"),
            Queued("ups", "packed", PROMISED, at(1), "UPS"),
        ],
        ["fedex", "ups", "usps"],
    ),
    "on a Saturday, Monday's collections": (
        at(15, day=5),
        [
            Queued("ups", "packed", PROMISED, at(1), "UPS"),
            Queued("fedex", "packed", PROMISED, at(1), "FedEx"),
        ],
        ["fedex", "ups"],
    ),
    "the promise comes before the collection": (
        at(19),
        [
            Queued("later promise, nearest cut-off", "packed", PROMISED, at(1), "FedEx"),
            Queued("earlier promise, last cut-off", "packed", date(2026, 12, 7), at(1), "USPS"),
            Queued("no promise, nearest cut-off", "requested", None, at(1)),
        ],
        [
            "earlier promise, last cut-off",
            "later promise, nearest cut-off",
            "no promise, nearest cut-off",
        ],
    ),
    "one collection: the step nearest to leaving, then the oldest request": (
        at(19),
        [
            Queued("picked", "picked", PROMISED, at(1), "UPS"),
            Queued("packed, newer", "packed", PROMISED, at(3), "UPS"),
            Queued("packed, older", "packed", PROMISED, at(2), "UPS"),
        ],
        ["packed, older", "packed, newer", "picked"],
    ),
    "a carrier without a collection of its own there: the warehouse's cut-off": (
        at(20, 15),  # 15:15 local: past the warehouse's 15:00, before FedEx's 15:30
        [
            Queued("royal mail", "packed", PROMISED, at(1), "Royal Mail"),
            Queued("fedex", "packed", PROMISED, at(2), "FedEx"),
        ],
        ["fedex", "royal mail"],
    ),
    "Nuremberg, Christmas Eve after DHL's cut-off: after DPD's, both on the 28th": (
        at(17, day=24),  # 18:00 in Nuremberg; the 25th and 26th are holidays
        [
            Queued("dhl", "packed", PROMISED, at(1), "DHL", "NUE1"),
            Queued("ups", "packed", PROMISED, at(2), "UPS", "NUE1"),
        ],
        ["ups", "dhl"],  # UPS collects at 15:30, DHL at 17:00, both on Monday
    ),
}


@pytest.mark.parametrize(("now", "tasks", "expected"), QUEUES.values(), ids=QUEUES.keys())
def test_the_queue_orders_by_promise_then_the_carrier_collection_still_to_make(
    now, tasks, expected
):
    assert [task.name for task in most_urgent_first(tasks, now)] == expected


def test_a_task_is_late_past_its_promised_date_only():
    today = date(2026, 12, 4)
    assert late(Queued("", "requested", date(2026, 12, 3), at(1)), today)
    assert not late(Queued("", "requested", today, at(1)), today)
    assert not late(Queued("", "requested", None, at(1)), today)


def test_a_pick_line_takes_its_bin_and_its_sku_or_asin_whatever_the_case_and_spaces():
    line = {"sku": "SPK-1-PART", "bin": "B-7", "quantity": 1}
    items = [{"sku": "SPK-1", "asin": "B0ABC12345"}]
    assert is_bin(line, " b-7\n") and not is_bin(line, "B-8")
    assert is_item(line, "spk-1-part", items)
    assert is_item(line, "B0ABC12345", items)
    assert not is_item(line, "SPK-1", items)  # the unit is not its spare part
    assert not is_item(line, "B0OTHER000", items)
