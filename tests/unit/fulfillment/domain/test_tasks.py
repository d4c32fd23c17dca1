"""A dispatch task's lifecycle: every step from every state, the events each causes, the
repeats that change nothing and the refusals staff see as 409."""

from dataclasses import dataclass
from datetime import UTC, date, datetime

import pytest

from services.fulfillment.domain import tasks
from services.fulfillment.domain.carriers import ShippingRefused, quotes
from services.fulfillment.domain.tasks import TASK, TaskStatus
from services.fulfillment.domain.warehouses import WAREHOUSE_BY_CODE
from shared.events import DispatchProblem, ShipmentPacked, ShipmentPicked, Shipped
from shared.lifecycle import IllegalTransition
from shared.markets import Currency, Market

AT = datetime(2025, 3, 4, 15, 0, tzinfo=UTC)
REPEAT, REFUSED = "repeat", "refused"

# Stated here, not read from the domain: (state, action) → the new state, or a repeat, or
# a refusal.
EXPECTED = {
    ("requested", "pick"): "picked",
    ("picked", "pick"): REPEAT,
    ("packed", "pick"): REPEAT,
    ("shipped", "pick"): REPEAT,
    ("problem", "pick"): REFUSED,
    ("requested", "pack"): REFUSED,
    ("picked", "pack"): "packed",
    ("packed", "pack"): REPEAT,
    ("shipped", "pack"): REPEAT,
    ("problem", "pack"): REFUSED,
    ("requested", "ship"): REFUSED,
    ("picked", "ship"): REFUSED,
    ("packed", "ship"): "shipped",
    ("shipped", "ship"): REPEAT,
    ("problem", "ship"): REFUSED,
    ("requested", "report a problem"): "problem",
    ("picked", "report a problem"): "problem",
    ("packed", "report a problem"): "problem",
    ("shipped", "report a problem"): REFUSED,
    ("problem", "report a problem"): REPEAT,
}
EVENT_OF = {
    "pick": ShipmentPicked,
    "pack": ShipmentPacked,
    "ship": Shipped,
    "report a problem": DispatchProblem,
}


@dataclass
class Task:
    status: str
    shipment_id: str = "shp-1"
    case_id: str = "case-1"
    remedy: str = "part_shipment"
    warehouse: str = "BOS1"
    market: str = "US"
    carrier: str = "USPS"
    service: str = "Ground Advantage"
    postage_minor: int = 615
    postage_currency: str = "USD"
    promised_by: date | None = date(2025, 3, 11)
    weight_g: int | None = 450
    tracking_number: str | None = "9400100000000000000001"


def move(task: Task, action: str):
    if action == "pick":
        return tasks.pick(task, "ana", AT)
    if action == "pack":
        return tasks.pack(task, 450, "02139", "ana", AT)
    if action == "ship":
        return tasks.ship(task, None, "ana", AT)
    return tasks.report_problem(task, "not_found", "empty bin", "ana", AT)


def test_the_table_has_every_state_and_action_of_the_expected_one():
    assert {state.value for state in TaskStatus} == {state for state, _ in EXPECTED}
    assert set(TASK.actions) == {action for _, action in EXPECTED}


@pytest.mark.parametrize(("state", "action"), list(EXPECTED))
def test_every_step_from_every_state(state, action):
    expected = EXPECTED[(state, action)]
    task = Task(status=state)
    if expected == REFUSED:
        with pytest.raises(IllegalTransition, match=f"task shp-1 is {state}: it cannot be"):
            move(task, action)
        return
    moved = move(task, action)
    if expected == REPEAT:
        assert moved.state == state and moved.events == () and moved.repeated
        return
    assert moved.state == expected
    (event,) = moved.events
    assert type(event) is EVENT_OF[action]
    assert (event.case_id, event.shipment_id, event.by, event.at) == ("case-1", "shp-1", "ana", AT)


def test_the_refusals_say_what_to_do_first():
    def refusal(state: str, action: str) -> str:
        with pytest.raises(IllegalTransition) as refused:
            move(Task(status=state), action)
        return refused.value.reason

    assert refusal("problem", "pick") == "task shp-1 is problem: it cannot be picked"
    assert refusal("requested", "pack") == (
        "task shp-1 is requested: it cannot be packed (pick it first)"
    )
    assert refusal("picked", "ship") == (
        "task shp-1 is picked: it cannot be shipped (pack and label it first)"
    )
    assert refusal("shipped", "report a problem") == (
        "task shp-1 is shipped: it cannot be reported (it has left the warehouse)"
    )


def test_packing_rates_the_parcel_for_the_buyers_postcode_and_mints_its_tracking_number():
    moved = tasks.pack(Task(status="picked", weight_g=None), 450, "02139", "ana", AT)
    (packed,) = moved.events
    assert moved.quote is not None and moved.tracking_number
    assert (packed.carrier, packed.service, packed.weight_g) == (
        moved.quote.carrier,
        moved.quote.service,
        450,
    )
    assert moved.quote.delivered_by <= date(2025, 3, 11)  # the promise kept, the cheapest


def test_packed_again_at_another_weight_is_refused():
    with pytest.raises(IllegalTransition, match="cannot be packed"):
        tasks.pack(Task(status="packed", weight_g=450), 900, "02139", "ana", AT)


def test_a_parcel_no_service_takes_is_refused_for_shipping():
    with pytest.raises(ShippingRefused):
        tasks.pack(Task(status="picked"), 69_000, "02139", "ana", AT)


def test_without_a_service_meeting_the_promise_the_fastest_is_chosen():
    overdue = Task(status="picked", promised_by=date(2025, 3, 4))
    offered = quotes(WAREHOUSE_BY_CODE["BOS1"], Market.US, "02139", 450, AT)
    chosen = tasks.pack(overdue, 450, "02139", "ana", AT).quote
    assert chosen.delivered_by == min(q.delivered_by for q in offered)
    assert chosen.delivered_by > overdue.promised_by


def test_shipping_keeps_the_labels_tracking_number_or_takes_the_one_staff_give():
    packed = Task(status="packed")
    (shipped,) = tasks.ship(packed, None, "ana", AT).events
    assert shipped.tracking_number == packed.tracking_number
    assert (shipped.postage_minor, shipped.postage_currency) == (615, Currency.USD)
    (handed,) = tasks.ship(packed, "1Z999AA10123456784", "ana", AT).events
    assert handed.tracking_number == "1Z999AA10123456784"


def test_a_shipped_task_cannot_be_shipped_again_under_another_number():
    shipped = Task(status="shipped")
    assert tasks.ship(shipped, shipped.tracking_number, "ana", AT).repeated
    with pytest.raises(IllegalTransition, match="shp-1 shipped as 9400100000000000000001"):
        tasks.ship(shipped, "1Z999AA10123456784", "ana", AT)


@pytest.mark.parametrize("state", [s.value for s in TaskStatus])
def test_a_label_is_drawn_once_the_parcel_is_packed(state):
    task = Task(status=state)
    if state in ("packed", "shipped"):
        tasks.check_labelled(task)
    else:
        with pytest.raises(IllegalTransition, match="cannot be labelled before it is packed"):
            tasks.check_labelled(task)


def test_open_tasks_are_those_still_in_the_warehouse_and_lost_units_are_written_off():
    assert set(tasks.OPEN) == {"requested", "picked", "packed"}
    assert {"damaged_stock", "not_found"} == tasks.UNITS_LOST


def test_packing_with_a_label_bought_from_the_carrier_takes_its_service_and_number():
    task = Task(status="picked", weight_g=None)
    second = tasks.rank_parcel(task, 450, "02139", AT)[1]
    bought = tasks.BoughtService(second, "9400111111111111111111")
    moved = tasks.pack(task, 450, "02139", "ana", AT, bought)
    (packed,) = moved.events
    assert (moved.quote, moved.tracking_number) == (second, "9400111111111111111111")
    assert (packed.carrier, packed.service) == (second.carrier, second.service)


def test_the_parcel_is_rated_with_the_first_service_the_cards_rank():
    task = Task(status="picked")
    ranking = tasks.rank_parcel(task, 450, "02139", AT)
    assert tasks.rate_parcel(task, 450, "02139", AT) == ranking[0]
    assert len(ranking) == len(quotes(WAREHOUSE_BY_CODE["BOS1"], Market.US, "02139", 450, AT))
