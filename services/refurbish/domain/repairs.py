"""A repair job's lifecycle: ordered (open) when a repair adds more value than it costs,
done when the technician says so; the unit then goes back on the bench
(`inspections.reopen`).

    open ──finish──▶ done
"""

from datetime import datetime
from enum import StrEnum

from shared.events import RepairCompleted
from shared.lifecycle import Lifecycle, Transition


class RepairState(StrEnum):
    OPEN = "open"
    DONE = "done"


REPAIR = Lifecycle(
    "repair job",
    {"finish": {RepairState.OPEN: RepairState.DONE}},
    done={"finish": {RepairState.DONE}},
)


def finish(
    state: RepairState,
    *,
    case_id: str,
    inspection_id: str,
    repair_id: str,
    technician: str,
    at: datetime,
) -> Transition:
    """The repair done by `technician`; done already, nothing changes."""
    finished = REPAIR.next(state, "finish", f"repair job {repair_id}")
    if finished is None:
        return Transition(state)
    completed = RepairCompleted(
        case_id=case_id,
        inspection_id=inspection_id,
        repair_id=repair_id,
        technician=technician,
        at=at,
    )
    return Transition(finished, (completed,))
