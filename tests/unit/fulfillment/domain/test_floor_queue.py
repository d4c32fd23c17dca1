"""The floor page's queue order and the scans a pick line takes."""

from dataclasses import dataclass
from datetime import UTC, date, datetime

from services.fulfillment.domain.floor_queue import is_bin, is_item, late, most_urgent_first


@dataclass
class Queued:
    name: str
    status: str
    promised_by: date | None
    requested_at: datetime


def at(hour: int) -> datetime:
    return datetime(2026, 12, 4, hour, tzinfo=UTC)


def test_the_earliest_promise_goes_first_then_the_step_nearest_to_leaving_then_the_oldest():
    tasks = [
        Queued("no promise", "packed", None, at(1)),
        Queued("later", "packed", date(2026, 12, 9), at(1)),
        Queued("soon, to pick, old", "requested", date(2026, 12, 7), at(2)),
        Queued("soon, to pick, older", "requested", date(2026, 12, 7), at(1)),
        Queued("soon, to ship", "packed", date(2026, 12, 7), at(3)),
    ]
    order = [task.name for task in most_urgent_first(tasks)]
    assert order == [
        "soon, to ship",
        "soon, to pick, older",
        "soon, to pick, old",
        "later",
        "no promise",
    ]


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
