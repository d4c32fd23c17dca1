"""Grades and where a graded unit's value is recovered."""

import uuid

from shared.events import Disposition, Grade

DISPOSITION_OF_GRADE: dict[Grade, Disposition] = {
    Grade.A: Disposition.RELIST_AS_NEW,  # relabel and send back to the marketplace warehouse
    Grade.B: Disposition.SELL_AS_RENEWED,
    Grade.C: Disposition.LIQUIDATE,  # local discount or liquidation channel
    Grade.D: Disposition.RECYCLE,
}


def disposition_for(grade: Grade) -> Disposition:
    return DISPOSITION_OF_GRADE[grade]


def new_inspection_id() -> str:
    return f"insp-{uuid.uuid4()}"
