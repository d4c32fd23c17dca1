"""A refund resolution asks intake to pay, by its idempotency key: `REFUND`.

Intake serves the project's refund protocol (`POST /v1/refunds`, `Idempotency-Key: <refund
id>`; its shape is documented with resolution's client of it) and pays each refund through
the case's marketplace. A refund is asked (recorded with what was asked), then paying
BEFORE the marketplace is called, so that a try whose answer was lost, or whose process
died between the marketplace's answer and the commit, leaves it paying: the next try reads
the marketplace back (`find_refund`) before it pays anything. Paid with the marketplace's
refund id, or refused with the marketplace's reason, for good: unless an agent who fixed
the refusal's cause asks for it again (refused → asked), or sets it aside with the reason
(refused → discarded: it answers, as refused, with that reason). Pure: no I/O.
"""

from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, StrictInt

from shared.lifecycle import Lifecycle, Transition
from shared.markets import Currency


class RefundState(StrEnum):
    ASKED = "asked"  # recorded, the marketplace not called yet
    PAYING = "paying"  # the marketplace is (or was) called: a retry reads it back first
    PAID = "paid"  # the marketplace's refund id is known
    REFUSED = "refused"  # the marketplace (or its channel) said no: for good, by this key
    DISCARDED = "discarded"  # refused, then set aside by an agent (paid by hand, say)


ASKED, PAYING, PAID, REFUSED, DISCARDED = RefundState

REFUND = Lifecycle(
    "refund",
    {
        "pay": {ASKED: PAYING},
        "settle": {PAYING: PAID},
        "refuse": {ASKED: REFUSED, PAYING: REFUSED},
        # An agent who fixed a refusal's cause asks the marketplace again.
        "retry": {REFUSED: ASKED},
        # An agent sets a refused refund aside for good, saying why.
        "discard": {REFUSED: DISCARDED},
    },
    # Paying again while paying is the retry of a try whose answer was lost.
    done={
        "pay": {PAYING},
        "settle": {PAID},
        "refuse": {REFUSED},
        "retry": {ASKED},
    },
)

# The protocol's refusal: a key reused with another body, an invalid body.
INVALID = 422
# A marketplace's refusal is answered with its own status, unless that status means
# something else on intake's own surface (its token, its body limits) or asks for a retry.
NOT_PASSED_ON = frozenset({401, 403, 407, 408, 413, 415, 425, 429})


class WireModel(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class Amount(WireModel):
    minor: StrictInt = Field(gt=0)
    currency: Currency


class RefundAsked(WireModel):
    """The protocol's request body; a replay of a key must carry the same one."""

    case_id: str = Field(min_length=1, max_length=200)
    marketplace: str = Field(min_length=1, max_length=40)
    seller_account: str = Field(min_length=1, max_length=200)
    order_id: str = Field(min_length=1, max_length=200)
    return_id: str | None = Field(default=None, max_length=200)
    amount: Amount
    reason: str = Field(min_length=1, max_length=64)


def start_paying(state: RefundState, refund_id: str) -> Transition[RefundState]:
    """About to call the marketplace; already paying: an earlier try's answer was lost."""
    return Transition(REFUND.next(state, "pay", f"refund {refund_id}") or state)


def settle(state: RefundState, refund_id: str) -> Transition[RefundState]:
    """The marketplace paid it (this try, or an earlier one found by the read-back)."""
    return Transition(REFUND.next(state, "settle", f"refund {refund_id}") or state)


def refuse(state: RefundState, refund_id: str) -> Transition[RefundState]:
    """The marketplace said no, or the case's channel pays no refunds through intake."""
    return Transition(REFUND.next(state, "refuse", f"refund {refund_id}") or state)


def retry(state: RefundState, refund_id: str) -> Transition[RefundState]:
    """Refused, its cause since fixed: the next try asks the marketplace again (a refusal
    paid nothing, so there is nothing to read back)."""
    return Transition(REFUND.next(state, "retry", f"refund {refund_id}") or state)


def discard(state: RefundState, refund_id: str) -> Transition[RefundState]:
    """Refused, and set aside by an agent: never asked of the marketplace again."""
    return Transition(REFUND.next(state, "discard", f"refund {refund_id}") or state)


def reads_back_first(state: RefundState) -> bool:
    """Whether an earlier try may have paid: its answer never reached the record."""
    return state is PAYING


def refusal_status(marketplace_status: int | None) -> int:
    """The status a marketplace's refusal is answered with."""
    if marketplace_status is None or not 400 <= marketplace_status < 500:
        return INVALID
    return INVALID if marketplace_status in NOT_PASSED_ON else marketplace_status


def mismatch(
    asked: RefundAsked, channel: str, account: str, order_id: str, currency: str
) -> str | None:
    """What in the asked refund is not the case's: the field at fault and why; None if all is."""
    if asked.marketplace != channel:
        return f"marketplace: case {asked.case_id} is a {channel} case, not {asked.marketplace}"
    if asked.seller_account != account:
        return f"seller_account: case {asked.case_id} is account {account}'s"
    if asked.order_id != order_id:
        return f"order_id: case {asked.case_id} is about order {order_id}"
    if asked.amount.currency != currency:
        return f"amount.currency: case {asked.case_id} is in {currency}"
    return None


CREDIT_CODE_CHARS = 16  # Shopify takes 8-20 letters and digits; the seller's API the same
CREDIT_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I to misread


def credit_code(random_bytes: bytes) -> str:
    """A gift card's code from `CREDIT_CODE_CHARS` random bytes: a bearer value, so it is
    random rather than derived from the case."""
    if len(random_bytes) < CREDIT_CODE_CHARS:
        raise ValueError(f"a code needs {CREDIT_CODE_CHARS} random bytes")
    size = len(CREDIT_CODE_ALPHABET)
    return "".join(CREDIT_CODE_ALPHABET[b % size] for b in random_bytes[:CREDIT_CODE_CHARS])
