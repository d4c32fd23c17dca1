"""A message to a buyer: which event owes which kind, through which way of the case's
channel, and its lifecycle: `OUTGOING_MESSAGE`.

    queued ── send ──▶ sent ── confirm ──▶ delivered
      │  │                └── bounce ──▶ bounced
      │  ├── bounce (refused for good at once) ──▶ bounced
      │  ├── retry later (the relay or marketplace cannot take it now) ──▶ queued
      │  └── fail (refused, or the last try) ──▶ failed ── retry (an agent) ──▶ queued
      └── withhold (the buyer was erased, or nothing may reach them) ──▶ not sent

One message per (case, kind, triggering event): its key is made of the three, so a
redelivered event owes nothing new. `sent` is handed over (the mail relay said 250);
`delivered` is the marketplace's own conversation holding it (eBay's return history);
`bounced` is the recipient's server refusing it for good (SMTP 5xx). Pure: no I/O.
"""

import re
import uuid
from enum import StrEnum

from services.intake.domain.case import Channel
from shared.events import Remedy, Scenario
from shared.lifecycle import Lifecycle, Transition


class MessageKind(StrEnum):
    OFFER_MADE = "offer_made"  # resolution.offered, an answer asked for
    REMEDY_OWED = "remedy_owed"  # resolution.offered, a notice of a remedy owed without asking
    REMEDY_DECIDED = "remedy_decided"  # resolution.decided: what happens next
    RETURN_LABEL_ISSUED = "return_label_issued"  # fulfillment.return_label_issued
    PARCEL_SHIPPED = "parcel_shipped"  # fulfillment.shipped, with tracking
    REFUND_ISSUED = "refund_issued"  # refund.issued
    QUALITY_FOLLOW_UP = "quality_follow_up"  # refund.issued of a quality defect's return
    NOTHING_OWED = "nothing_owed"  # an agent's answer when nothing is owed


class MessageState(StrEnum):
    QUEUED = "queued"  # the message worker sends it
    SENT = "sent"  # handed to the mail relay or the marketplace
    DELIVERED = "delivered"  # in the marketplace's conversation with the buyer
    BOUNCED = "bounced"  # the recipient's side refused it for good
    FAILED = "failed"  # refused, or not taken after every try: an agent looks
    NOT_SENT = "not_sent"  # never to be sent (why: `error`): an erased buyer, no address


QUEUED, SENT, DELIVERED, BOUNCED, FAILED, NOT_SENT = MessageState

OUTGOING_MESSAGE = Lifecycle(
    "message to a buyer",
    {
        "send": {QUEUED: SENT},
        "deliver": {QUEUED: DELIVERED, SENT: DELIVERED},
        "bounce": {QUEUED: BOUNCED, SENT: BOUNCED},
        "retry_later": {QUEUED: QUEUED},
        "fail": {QUEUED: FAILED},
        "withhold": {QUEUED: NOT_SENT},
        "retry": {FAILED: QUEUED},
        "discard": {FAILED: NOT_SENT},  # an operator sets a failed message aside, saying why
    },
    done={
        "send": {SENT, DELIVERED, BOUNCED},
        "deliver": {DELIVERED},
        "bounce": {BOUNCED},
        "fail": {FAILED},
        "withhold": {NOT_SENT},
        "retry": {QUEUED},
    },
)


class Way(StrEnum):
    """How a channel's messages reach its buyers."""

    EMAIL = "email"  # the buyer's own address, from the seller's sender
    EBAY = "ebay"  # the return's messages in eBay's Post-Order API
    AMAZON = "amazon"  # e-mail to the buyer's Amazon relay address (Buyer-Seller Messaging)


WAYS = {
    Channel.SHOPIFY: Way.EMAIL,
    Channel.WALMART: Way.EMAIL,
    Channel.GENERIC: Way.EMAIL,
    Channel.AGENT: Way.EMAIL,
    Channel.EBAY: Way.EBAY,
    Channel.AMAZON: Way.AMAZON,
}

# The page link is left out where the marketplace takes no links but those needed to
# complete the order (Amazon): its buyers answer by replying to the message.
NO_PAGE_LINK = frozenset({Way.AMAZON})
# The kinds whose words are another's (resolution's offer, an agent's reason), written in
# the case's language; intake words every other kind itself, in any of its languages.
OTHERS_WORDS = frozenset(
    {MessageKind.OFFER_MADE, MessageKind.REMEDY_OWED, MessageKind.NOTHING_OWED}
)
# A message the buyer may opt out of (not one about what the case still owes them).
OPTIONAL = frozenset({MessageKind.QUALITY_FOLLOW_UP})


# The moves announced (`case.buyer_messaged`) for the case's conversation.
ANNOUNCED = frozenset({SENT, DELIVERED, BOUNCED})
# A link to the buyer's page (`adapters/buyer_links.py`): a key to their case, kept out of
# what is announced.
PAGE_LINK = re.compile(r"https?://\S+/buyer/[\w.\-~]+")
PAGE_LINK_SHOWN = "[the buyer's page]"


def without_page_links(text: str) -> str:
    return PAGE_LINK.sub(PAGE_LINK_SHOWN, text)


def way_of(channel: str) -> Way:
    return WAYS[Channel(channel)]


def in_own_words(kind: MessageKind) -> bool:
    """Whether intake words the whole message (so it may speak the buyer's preference)."""
    return kind not in OTHERS_WORDS


def message_key(case_id: str, kind: MessageKind, trigger: str) -> str:
    """The idempotency key: one message per case, kind and triggering event."""
    return f"{case_id}/{kind.value}/{trigger}"


def message_id_of(key: str) -> str:
    """The message's id, derived from its key (letters, digits and dashes: a Message-ID's)."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"buyer-message/{key}"))


def offer_kind(needs_answer: bool) -> MessageKind:
    return MessageKind.OFFER_MADE if needs_answer else MessageKind.REMEDY_OWED


def kinds_after_refund(remedy: Remedy, scenario: Scenario | None) -> list[MessageKind]:
    """A refund's notice, and after a quality defect's full refund the follow-up."""
    kinds = [MessageKind.REFUND_ISSUED]
    if scenario is Scenario.QUALITY_DEFECT and remedy is Remedy.RETURN_FULL_REFUND:
        kinds.append(MessageKind.QUALITY_FOLLOW_UP)
    return kinds


def why_not_sent(erased: bool, way: Way, has_email: bool) -> str | None:
    """Why no message may go to this buyer; None when one may."""
    if erased:
        return "the buyer's data was erased at the marketplace's request: nothing is sent"
    if way is Way.EMAIL and not has_email:
        return "intake holds no e-mail address for the buyer"
    return None


def _moved(state: MessageState, move: str, message_id: str) -> Transition[MessageState]:
    return Transition(OUTGOING_MESSAGE.next(state, move, f"message {message_id}") or state)


def send(state: MessageState, message_id: str) -> Transition[MessageState]:
    return _moved(state, "send", message_id)


def deliver(state: MessageState, message_id: str) -> Transition[MessageState]:
    return _moved(state, "deliver", message_id)


def bounce(state: MessageState, message_id: str) -> Transition[MessageState]:
    return _moved(state, "bounce", message_id)


def fail(state: MessageState, message_id: str) -> Transition[MessageState]:
    return _moved(state, "fail", message_id)


def withhold(state: MessageState, message_id: str) -> Transition[MessageState]:
    return _moved(state, "withhold", message_id)


def retry(state: MessageState, message_id: str) -> Transition[MessageState]:
    """An agent asks for another try of a failed message."""
    return _moved(state, "retry", message_id)


def discard(state: MessageState, message_id: str) -> Transition[MessageState]:
    """An operator sets a failed message aside for good (why: `error`)."""
    return _moved(state, "discard", message_id)


def after_unavailable(
    state: MessageState, message_id: str, attempts: int, max_attempts: int
) -> Transition[MessageState]:
    """Tried again later while tries are left; failed after the last."""
    if attempts < max_attempts:
        return _moved(state, "retry_later", message_id)
    return fail(state, message_id)
