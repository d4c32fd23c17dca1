"""A removal order of an unsellable FBA unit, shipped to the seller's local warehouse:
`REMOVAL_ORDER`, and the next step of sending one, exactly once (`next_step`).

A removal order is owed once per case (`removal_order_id_of`: derived from the case, it is
the order's MerchantRemovalOrderID at Amazon, so that Amazon, a read-back and the agents
all name it alike). Sending it to Amazon is a feed that takes no idempotency key, so:
- the try is recorded as sent (`submitted_at`) BEFORE the feed is created;
- once the feed's id is known (`feed_id`), the feed is looked at until Amazon has processed
  it: accepted (done), or refused record by record (failed, with Amazon's words);
- a try that was sent but never learnt its feed (an answer lost, a process killed between
  Amazon's answer and the commit) reads Amazon back before anything is sent again: once no
  removal feed of the account is in process any more, the removal order detail report is
  asked for (`read_back_report_id`) and read. The order in it: done. Not in it: sent again.
Unavailable tries wait and come back; too many in a row fail it, listed for an agent, who
may owe it again (failed → owed) or discard it, saying why (failed → discarded: the unit
removed some other way, or left at Amazon). An order still owed and never sent is dropped when the
unit turns out not to need it (sellable after all, reimbursed). Pure: no I/O.
"""

import uuid
from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from shared.lifecycle import Lifecycle, Transition


class RemovalState(StrEnum):
    OWED = "owed"  # the worker sends it (or reads Amazon back)
    DONE = "done"  # Amazon has the removal order
    FAILED = "failed"  # refused, or unavailable too long: an agent looks
    NOT_NEEDED = "not_needed"  # never sent, and the unit no longer needs it (why: `error`)
    DISCARDED = "discarded"  # failed, and given up by an agent (why: `error`)


OWED, DONE, FAILED, NOT_NEEDED, DISCARDED = RemovalState

REMOVAL_ORDER = Lifecycle(
    "removal order",
    {
        "accept": {OWED: DONE},
        "fail": {OWED: FAILED},
        "drop": {OWED: NOT_NEEDED},
        "retry": {FAILED: OWED},  # an agent, once the cause is fixed
        "discard": {FAILED: DISCARDED},  # an agent, saying why: never sent again
        "owe": {NOT_NEEDED: OWED},  # the unit needs it after all (a later report)
    },
    done={"accept": {DONE}, "fail": {FAILED}, "drop": {NOT_NEEDED}, "retry": {OWED}, "owe": {OWED}},
)

REMOVAL_IDS = uuid.UUID("0b6d5a7e-52f4-4f0b-9c1c-7a41d2f3e8a9")


def removal_order_id_of(case_id: str) -> str:
    """The case's removal order id (Amazon's MerchantRemovalOrderID): letters and digits."""
    return "RMV" + uuid.uuid5(REMOVAL_IDS, case_id).hex[:20].upper()


def move(state: RemovalState, action: str, removal_order_id: str) -> Transition[RemovalState]:
    """The removal order after `action`; a repeat leaves it where it is."""
    to = REMOVAL_ORDER.next(state, action, f"removal order {removal_order_id}")
    return Transition(to or state)


def discard(state: RemovalState, removal_order_id: str) -> Transition[RemovalState]:
    """A failed order given up for good; refused for one that is not failed."""
    return Transition(REMOVAL_ORDER.next(state, "discard", f"removal order {removal_order_id}"))


def droppable(state: RemovalState, submitted_at: datetime | None) -> bool:
    """Only an order never sent can be dropped: one sent may be Amazon's already."""
    return state is OWED and submitted_at is None


class Step(StrEnum):
    SUBMIT = "submit"  # nothing sent yet (or Amazon was read back: nothing there)
    LOOK_AT_FEED = "look_at_feed"  # sent, its feed known: has Amazon processed it?
    ASK_FOR_READ_BACK = "ask_for_read_back"  # sent, its feed unknown: ask for the report
    READ_BACK = "read_back"  # the report asked for: is the order in it?


def next_step(
    submitted_at: datetime | None, feed_id: str | None, read_back_report_id: str | None
) -> Step:
    if feed_id is not None:
        return Step.LOOK_AT_FEED
    if submitted_at is None:
        return Step.SUBMIT
    if read_back_report_id is None:
        return Step.ASK_FOR_READ_BACK
    return Step.READ_BACK


def fails_after(failures: int, max_failures: int) -> bool:
    """Whether an unavailable Amazon, `failures` times in a row, fails the order."""
    return failures >= max_failures


class RemovalAddress(BaseModel):
    """Where Amazon ships a removal order: the seller's local warehouse."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = Field(min_length=1, max_length=50)
    line1: str = Field(min_length=1, max_length=60)
    line2: str = Field(default="", max_length=60)
    line3: str = Field(default="", max_length=60)
    city: str = Field(min_length=1, max_length=50)
    state_or_region: str = Field(default="", max_length=50)
    postal_code: str = Field(min_length=1, max_length=20)
    country_code: str = Field(pattern=r"^[A-Z]{2}$")  # ISO 3166 alpha-2: GB, not UK
    phone: str = Field(default="", max_length=20)
