"""A dispatch request's lifecycle: pending until routed, once."""

import pytest

from services.fulfillment.domain import dispatch_requests
from services.fulfillment.domain.dispatch_requests import REQUEST, RequestState

EXPECTED = {("pending", "route"): "done", ("done", "route"): None}  # None: routed already


def test_the_table_has_every_state_and_action_of_the_expected_one():
    assert {s.value for s in RequestState} == {state for state, _ in EXPECTED}
    assert REQUEST.actions == ("route",)


@pytest.mark.parametrize(("state", "action"), list(EXPECTED))
def test_a_request_is_routed_once(state, action):
    routed = dispatch_requests.route(state)
    if EXPECTED[(state, action)] is None:
        assert routed is None
    else:
        assert routed.state == EXPECTED[(state, action)] and routed.events == ()
