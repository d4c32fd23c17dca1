"""A part, exchange or reship owed to a case: pending until a router sends it to a
warehouse (a task is made, or the region is found out of stock), then done."""

from enum import StrEnum

from shared.lifecycle import Lifecycle, Transition


class RequestState(StrEnum):
    PENDING = "pending"
    DONE = "done"


PENDING, DONE = RequestState

REQUEST = Lifecycle("dispatch request", moves={"route": {PENDING: DONE}}, done={"route": {DONE}})


def route(state: str) -> Transition[RequestState] | None:
    """Done once routed; None when it was routed already (another router got there
    first). The events are routing's own: a task requested, or no stock in the region."""
    routed = REQUEST.next(RequestState(state), "route")
    return None if routed is None else Transition(routed)
