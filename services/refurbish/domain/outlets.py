"""Where graded units leave the bench, and the lifecycles of those outlets: a relabel task
for a like-new unit (open until it is relabelled and packed for the marketplace's
warehouse), a liquidation lot gathering units of one kind (open until it is sold, closed).

    relabel task:    open ──relabel──▶ done
    liquidation lot: open ──close──▶ closed     (a lot holding no units is not closed)

Neither causes an event: the disposition decided is what the other services learn.
"""

from enum import StrEnum

from shared.lifecycle import IllegalTransition, Lifecycle, Transition


class RelabelState(StrEnum):
    OPEN = "open"
    DONE = "done"


class LotState(StrEnum):
    OPEN = "open"
    CLOSED = "closed"


RELABEL_TASK = Lifecycle(
    "relabel task",
    {"relabel": {RelabelState.OPEN: RelabelState.DONE}},
    done={"relabel": {RelabelState.DONE}},
)
LOT = Lifecycle(
    "liquidation lot",
    {"close": {LotState.OPEN: LotState.CLOSED}},
    done={"close": {LotState.CLOSED}},
)


def relabelled(state: RelabelState) -> Transition:
    """The unit relabelled and packed; relabelled already, nothing changes."""
    return Transition(RELABEL_TASK.next(state, "relabel") or state)


def close(state: LotState, lot_id: str, units: int) -> Transition:
    """The lot sold to the liquidation channel; closed already, nothing changes."""
    closed = LOT.next(state, "close", f"lot {lot_id}")
    if closed is None:
        return Transition(state)
    if not units:
        raise IllegalTransition(f"lot {lot_id} holds no units")
    return Transition(closed)
