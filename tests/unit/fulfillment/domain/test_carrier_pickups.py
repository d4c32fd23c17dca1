"""A carrier pickup booking's lifecycle, its reference, its window as EasyPost takes it and
the pickup rate chosen."""

from datetime import UTC, date, datetime, time

import pytest

from services.fulfillment.domain import carrier_pickups
from services.fulfillment.domain.carrier_pickups import (
    PICKUP,
    CarrierPickup,
    PickupRate,
    PickupState,
    pickup_reference,
    rate_for,
    window_in_utc,
)
from services.fulfillment.domain.pickups import PickupWindow
from shared.lifecycle import IllegalTransition
from shared.markets import Market

REFUSED = "refused"
STATES = ("booking", "scheduled", "cancel_owed", "cancelled")
EXPECTED = {
    "schedule": {"booking": "scheduled", "scheduled": "scheduled"},
    "move away": {
        "booking": "cancel_owed",
        "scheduled": "cancel_owed",
        "cancel_owed": "cancel_owed",
        "cancelled": "cancelled",
    },
    "cancel": {"cancel_owed": "cancelled", "cancelled": "cancelled"},
}
MOVES = {
    "schedule": carrier_pickups.schedule,
    "move away": carrier_pickups.move_away,
    "cancel": carrier_pickups.cancel,
}
WINDOW = PickupWindow(day=date(2025, 3, 5), starts=time(9), ends=time(13))


def test_the_table_has_every_state_and_action_of_the_expected_one():
    assert {state.value for state in PickupState} == set(STATES)
    assert set(PICKUP.actions) == set(EXPECTED)


@pytest.mark.parametrize("action", list(EXPECTED))
@pytest.mark.parametrize("state", STATES)
def test_every_move_from_every_state(state, action):
    expected = EXPECTED[action].get(state, REFUSED)
    if expected == REFUSED:
        with pytest.raises(IllegalTransition, match=f"pickup RMA-1 is {state}"):
            MOVES[action](state, "RMA-1")
        return
    assert MOVES[action](state, "RMA-1") == expected


def test_a_booking_is_named_by_its_return_and_window():
    assert pickup_reference("RMA-1", WINDOW) == "RMA-1@2025-03-05T0900-1300"


def test_the_window_is_local_to_the_buyers_market():
    assert window_in_utc(WINDOW, Market.US) == (
        datetime(2025, 3, 5, 14, tzinfo=UTC),
        datetime(2025, 3, 5, 18, tzinfo=UTC),
    )
    assert window_in_utc(WINDOW, Market.UK)[0] == datetime(2025, 3, 5, 9, tzinfo=UTC)


def test_the_cheapest_pickup_rate_of_the_returns_carrier_is_chosen():
    pickup = CarrierPickup(
        "pickup_1",
        "RMA-1",
        "unknown",
        None,
        (
            PickupRate("UPS", "Same-day", "9.00", "USD"),
            PickupRate("USPS", "NextDay", "0.00", "USD"),
            PickupRate("UPS", "Future-day", "6.50", "USD"),
        ),
    )
    assert rate_for(pickup, "ups").service == "Future-day"
    assert rate_for(pickup, "FedEx") is None
