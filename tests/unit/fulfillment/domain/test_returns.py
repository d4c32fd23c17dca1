"""A return's lifecycle (issued, received once; a pickup booked until then) and a held
parcel's (held, matched to one return)."""

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from services.fulfillment.domain import returns
from services.fulfillment.domain.pickups import PickupRefused, PickupWindow
from services.fulfillment.domain.returns import HELD_PARCEL, RETURN, HeldState, ReturnState
from services.fulfillment.domain.warehouses import WAREHOUSE_BY_CODE
from shared.events import PickupScheduled, ReturnReceived, ReturnRoute
from shared.lifecycle import IllegalTransition
from shared.markets import Market

A_TUESDAY_MORNING = datetime(2025, 3, 4, 9, 30, tzinfo=ZoneInfo("America/New_York"))
RECEIVED_AT = datetime(2025, 3, 6, 14, 0, tzinfo=UTC)
WINDOW = PickupWindow(day=date(2025, 3, 5), starts=time(9), ends=time(13))
REPEAT, REFUSED = "repeat", "refused"

EXPECTED = {
    ("issued", "receive"): "received",
    ("received", "receive"): REPEAT,
    ("issued", "book a pickup"): "issued",
    ("received", "book a pickup"): REFUSED,
}
EXPECTED_HELD = {
    ("held", "match"): "matched",
    ("matched", "match"): REPEAT,
}


@dataclass
class Return:
    received_at: datetime | None = None
    rma_id: str = "RMA-1A2B3C"
    case_id: str = "case-1"
    warehouse: str = "BOS1"
    carrier: str = "USPS"
    market: str = "US"
    currency: str = "USD"
    items: list = field(
        default_factory=lambda: [{"sku": "SPK-1", "quantity": 1, "unit_price_minor": 4999}]
    )
    route: str = "local"
    for_repair: bool = False


@dataclass
class Held:
    matched_rma: str | None = None
    holding_id: str = "hold-1"


def parcel_in(state: str) -> Return:
    return Return(received_at=RECEIVED_AT if state == "received" else None)


def move(parcel: Return, action: str):
    if action == "receive":
        return returns.receive(parcel, "box dented", ["https://p.example/1.jpg"], RECEIVED_AT)
    return returns.book_pickup(parcel, WINDOW, A_TUESDAY_MORNING)


def test_the_tables_have_every_state_and_action_of_the_expected_ones():
    assert {s.value for s in ReturnState} == {state for state, _ in EXPECTED}
    assert set(RETURN.actions) == {action for _, action in EXPECTED}
    assert {s.value for s in HeldState} == {state for state, _ in EXPECTED_HELD}
    assert set(HELD_PARCEL.actions) == {action for _, action in EXPECTED_HELD}


@pytest.mark.parametrize(("state", "action"), list(EXPECTED))
def test_every_move_of_a_return_from_every_state(state, action):
    expected = EXPECTED[(state, action)]
    parcel = parcel_in(state)
    assert returns.state_of(parcel) == state
    if expected == REFUSED:
        with pytest.raises(IllegalTransition, match="return RMA-1A2B3C was received already"):
            move(parcel, action)
        return
    moved = move(parcel, action)
    if expected == REPEAT:
        assert moved.state == state and moved.repeated
        return
    assert moved.state == expected
    (event,) = moved.events
    assert event.case_id == "case-1" and event.rma_id == "RMA-1A2B3C"


def test_a_received_return_carries_its_items_note_photos_and_route():
    (received,) = move(Return(), "receive").events
    assert isinstance(received, ReturnReceived)
    assert (received.condition_note, received.photos) == ("box dented", ["https://p.example/1.jpg"])
    assert received.received_at == RECEIVED_AT and received.route is ReturnRoute.LOCAL
    assert [(item.sku, item.quantity) for item in received.items] == [("SPK-1", 1)]
    assert (received.market, received.currency) == ("US", "USD")


def test_a_pickup_is_booked_with_a_confirmation_in_an_offered_window_only():
    (scheduled,) = move(Return(), "book a pickup").events
    assert isinstance(scheduled, PickupScheduled)
    assert (scheduled.day, scheduled.starts, scheduled.ends) == (
        WINDOW.day,
        WINDOW.starts,
        WINDOW.ends,
    )
    assert scheduled.confirmation.startswith("PU-") and scheduled.carrier == "USPS"
    past = PickupWindow(day=date(2020, 1, 6), starts=time(9), ends=time(12))
    with pytest.raises(PickupRefused):
        returns.book_pickup(Return(), past, A_TUESDAY_MORNING)


@pytest.mark.parametrize(("state", "action"), list(EXPECTED_HELD))
def test_every_move_of_a_held_parcel_from_every_state(state, action):
    expected = EXPECTED_HELD[(state, action)]
    held = Held(matched_rma="RMA-1A2B3C" if state == "matched" else None)
    assert returns.held_state_of(held) == state
    moved = returns.match(held, "RMA-1A2B3C")
    assert moved.state == (state if expected == REPEAT else expected) and moved.events == ()
    assert (HELD_PARCEL.next(HeldState(state), action) is None) == (expected == REPEAT)


def test_a_held_parcel_matched_to_one_return_cannot_be_matched_to_another():
    with pytest.raises(IllegalTransition, match="hold-1 was matched to RMA-1A2B3C"):
        returns.match(Held(matched_rma="RMA-1A2B3C"), "RMA-OTHER")


def test_a_pickup_booked_with_the_carrier_carries_the_carriers_confirmation():
    moved = returns.book_pickup(Return(), WINDOW, A_TUESDAY_MORNING, "WTC65024896")
    (scheduled,) = moved.events
    assert scheduled.confirmation == "WTC65024896"


def test_a_return_label_is_bought_with_the_return_carrier_first_cheapest_first():
    boston = WAREHOUSE_BY_CODE["BOS1"]
    services = returns.return_services(boston, Market.US, 900, A_TUESDAY_MORNING)
    own = [quote for quote in services if quote.carrier == "USPS"]
    assert services[: len(own)] == own and {q.carrier for q in services} > {"USPS"}
    assert [q.price_minor for q in own] == sorted(q.price_minor for q in own)
    others = services[len(own) :]
    assert [q.price_minor for q in others] == sorted(q.price_minor for q in others)


def test_a_unit_in_for_a_repair_is_received_marked_as_a_repair():
    for for_repair in (True, False):
        moved = returns.receive(Return(for_repair=for_repair), "", [], RECEIVED_AT)
        (received,) = moved.events
        assert received.for_repair is for_repair
