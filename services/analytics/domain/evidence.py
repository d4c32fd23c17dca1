"""A case's evidence pack for a marketplace claim, assembled from the events analytics kept:
the order and its delivery, tracking scans and proof of delivery, every message with the
buyer and how fast the seller answered, the offers and the buyer's answers, what came back
(the return's scan, the inspection's grade and findings, photos) and the refunds paid.
Plain functions over the kept events' data (not the typed payloads: an erased buyer's
events no longer carry the fields a payload requires). No I/O.

An erased buyer (`case.buyer_erased`) is left out: what they wrote or are known by
(`case_facts.PERSONAL_FIELDS`) is dropped from every event, later ones included, before
anything is read; the pack says that it was.

The buyer's and the receiving photos are the URLs the events carry. The bench photos stay
with refurbish: the pack names each inspection (`inspections`), and the photos fetched from
refurbish are put in it (`bench_photos`), each one that could not be fetched listed as
missing with the reason (`photos_missing`), never a failure of the pack.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from services.analytics.domain.case_facts import PERSONAL_FIELDS
from services.analytics.domain.claims import ClaimRule, reply_hours

SECTION_TITLES = {
    "order": "Order",
    "delivery": "Delivery, tracking and proof of delivery",
    "conversation": "Messages with the buyer",
    "offers": "Offers and the buyer's answers",
    "return": "What came back: scan, inspection, grade, photos",
    "refunds": "Refunds paid",
}


@dataclass(frozen=True)
class KeptEvent:
    type: str
    time: datetime
    data: dict[str, Any]


@dataclass(frozen=True)
class Fact:
    at: datetime | None
    what: str


@dataclass(frozen=True)
class Turn:
    at: datetime
    author: str  # buyer, seller
    kind: str
    text: str
    replied_after_hours: float | None = None  # a seller's answer: since the buyer wrote
    within_deadline: bool | None = None  # ... against the marketplace's reply deadline


@dataclass(frozen=True)
class PhotoFile:
    """A bench photo, as refurbish keeps it."""

    inspection_id: str
    photo_id: str
    content_type: str
    data: bytes

    @property
    def name(self) -> str:
        extension = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp"}
        return f"{self.inspection_id}-{self.photo_id}.{extension.get(self.content_type, 'bin')}"


@dataclass(frozen=True)
class MissingPhoto:
    reference: str  # the inspection, or the inspection and photo
    why: str


@dataclass
class EvidencePack:
    case_id: str
    rule: ClaimRule
    marketplace: str | None = None
    market: str | None = None
    seller_account: str | None = None
    order_id: str | None = None
    currency: str | None = None
    buyer_erased_at: datetime | None = None
    sections: dict[str, list[Fact]] = field(default_factory=dict)
    conversation: list[Turn] = field(default_factory=list)
    photos: list[tuple[str, str]] = field(default_factory=list)  # (whose, reference)
    inspections: list[str] = field(default_factory=list)  # whose bench photos belong here
    bench_photos: list[PhotoFile] = field(default_factory=list)
    photos_missing: list[MissingPhoto] = field(default_factory=list)
    refunded_minor: int = 0
    reply_deadline_hours: int | None = None
    message_ids: set[str] = field(default_factory=set)  # each message once, as first sent

    @property
    def missing(self) -> list[str]:
        """The sections the claim's marketplace asks for that no event filled."""
        return [name for name in self.rule.sections if not self.section(name)]

    def section(self, name: str) -> list:
        return self.conversation if name == "conversation" else self.sections.get(name, [])


def money(amount_minor: int | None, currency: str | None) -> str:
    if amount_minor is None:
        return "-"
    return f"{amount_minor / 100:,.2f} {currency or ''}".strip()


def when(moment: datetime | str | None) -> str:
    if moment is None:
        return "-"
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    return moment.strftime("%Y-%m-%d %H:%M UTC") if moment.utcoffset() is not None else str(moment)


def without_erased_buyer(events: list[KeptEvent]) -> tuple[list[KeptEvent], datetime | None]:
    """The events with the erased buyer's data dropped from each, and when they asked."""
    erased = [e for e in events if e.type == "case.buyer_erased"]
    if not erased:
        return events, None
    kept = [
        KeptEvent(e.type, e.time, {k: v for k, v in e.data.items() if k not in PERSONAL_FIELDS})
        for e in events
    ]
    asked = erased[0].data.get("at")
    return kept, datetime.fromisoformat(asked) if asked else erased[0].time


def _at(data: dict[str, Any], name: str, fallback: datetime) -> datetime:
    value = data.get(name)
    return datetime.fromisoformat(value) if value else fallback


def assemble(case_id: str, rule: ClaimRule, events: list[KeptEvent]) -> EvidencePack:
    """The pack of one case for a claim of `rule`'s kind, from its kept events in order:
    each event's line (`LINES`), and what else it tells the pack (`READERS`)."""
    events, erased_at = without_erased_buyer(sorted(events, key=lambda e: e.time))
    pack = EvidencePack(case_id=case_id, rule=rule, buyer_erased_at=erased_at)
    pack.sections = {name: [] for name in SECTION_TITLES}
    for event in events:
        if (line := LINES.get(event.type)) is not None:
            at = _at(event.data, line.at, event.time) if line.at else event.time
            pack.sections[line.section].append(Fact(at, line.text(event.data)))
        if (reader := READERS.get(event.type)) is not None:
            reader(pack, event)
    pack.reply_deadline_hours = reply_hours(pack.marketplace)
    pack.conversation = _timed(pack.conversation, pack.reply_deadline_hours)
    return pack


@dataclass(frozen=True)
class Line:
    """The one line an event gives the pack: its section, its words from the event's data,
    and the data field of its time (None: when the event was published)."""

    section: str
    text: Callable[[dict[str, Any]], str]
    at: str | None = "at"


def _offered(d: dict[str, Any]) -> str:
    verb = "Offered" if d.get("needs_answer", True) else "Told the buyer of"
    return (
        f"{verb} {d['remedy']} (step {d['step']}), {money(d['amount_minor'], d['currency'])}, "
        f"open until {when(d['expires_at'])}"
    )


def _received(d: dict[str, Any]) -> str:
    note = f": {d['condition_note']}" if d.get("condition_note") else ""
    return f"Return scanned in at {d['warehouse']} (RMA {d['rma_id']}){note}"


def _graded(d: dict[str, Any]) -> str:
    override = f", overridden: {d['override_reason']}" if d.get("override_reason") else ""
    return (
        f"Graded {d['grade']} (checklist gave {d['computed_grade']}{override}) "
        f"by {d.get('technician') or 'the rubric'}"
    )


LINES: dict[str, Line] = {
    "case.marketplace_updated": Line(
        "delivery", lambda d: f"{d['marketplace']} says: {d['status']}"
    ),
    "resolution.parcel_traced": Line(
        "delivery",
        lambda d: (
            f"Tracking scan {d['carrier']} {d['tracking_number']}: {d['status']} "
            f"(verdict {d['verdict']}: {d['why']})"
        ),
    ),
    "fulfillment.shipped": Line(
        "delivery",
        lambda d: (
            f"Shipped {d['remedy']} from {d['warehouse']} with {d['carrier']} "
            f"{d['service']}: {d['tracking_number']}"
        ),
    ),
    "fulfillment.return_label_issued": Line(
        "delivery",
        lambda d: (
            f"Return label {d['carrier']} {d['tracking_number']} to {d['warehouse']} "
            f"(RMA {d['rma_id']})"
        ),
        at=None,
    ),
    "fulfillment.pickup_scheduled": Line(
        "delivery", lambda d: f"Return pickup booked with {d['carrier']} on {d['day']}", at=None
    ),
    "resolution.offered": Line("offers", _offered, at=None),
    "resolution.accepted": Line("offers", lambda d: f"The buyer accepted {d['remedy']}"),
    "resolution.declined": Line("offers", lambda d: f"Offer of {d['remedy']} ended: {d['cause']}"),
    "resolution.decided": Line(
        "offers", lambda d: f"Decided: {d['remedy']} ({d['rule']})", at=None
    ),
    "refund.issued": Line(
        "refunds",
        lambda d: (
            f"Refunded {money(d['amount_minor'], d['currency'])} for {d['remedy']} "
            f"through {d['marketplace']} (refund {d['marketplace_refund_id']})"
        ),
    ),
    "fulfillment.return_received": Line("return", _received, at="received_at"),
    "refurbish.inspection_opened": Line(
        "return",
        lambda d: f"Inspection {d['inspection_id']} opened at {d['warehouse']}",
        at=None,
    ),
    "refurbish.graded": Line("return", _graded, at=None),
    "refurbish.disposition_decided": Line(
        "return",
        lambda d: (
            f"Unit sent to {d['disposition']}, recovering {money(d['net_minor'], d['currency'])}"
        ),
        at=None,
    ),
}


def _opened(pack: EvidencePack, event: KeptEvent) -> None:
    data = event.data
    add = pack.sections
    pack.marketplace = data.get("marketplace")
    pack.market = data.get("market")
    pack.seller_account = data.get("seller_account") or None
    pack.order_id = data.get("order_id")
    pack.currency = data.get("currency")
    opened = _at(data, "opened_at", event.time)
    ids = ", ".join(
        f"{label} {data[name]}"
        for label, name in (("order", "order_id"), ("return", "return_id"), ("RMA", "rma_id"))
        if data.get(name)
    )
    order = [Fact(opened, f"Case opened on {pack.marketplace} ({pack.market}): {ids}")]
    for item in data.get("items", []):
        price = money(item.get("unit_price_minor"), pack.currency)
        title = item.get("title") or ""
        order.append(Fact(None, f"{item['quantity']} x {item['sku']} {title} at {price}"))
    reason = f"Return reason: {data.get('reason')} (marketplace code {data.get('reason_code')})"
    order.append(Fact(None, reason))
    if data.get("buyer_ref"):
        order.append(Fact(None, f"Buyer reference: {data['buyer_ref']}"))
    for deadline in data.get("deadlines", []):
        due = f"Marketplace deadline {deadline['name']}: {when(deadline['due_at'])}"
        order.append(Fact(None, due))
    add["order"] += order
    if data.get("delivered_at"):
        add["delivery"].append(
            Fact(_at(data, "delivered_at", event.time), "Delivered to the buyer")
        )
    if parcel := data.get("parcel"):
        shipped = f"Shipped with {parcel['carrier']}: {parcel['tracking_number']}"
        add["delivery"].append(Fact(None, shipped))
    if data.get("buyer_comment"):
        pack.conversation.append(Turn(opened, "buyer", "opened", data["buyer_comment"]))
    pack.photos += [("buyer", photo) for photo in data.get("photos", [])]


def _claim_noticed(pack: EvidencePack, event: KeptEvent) -> None:
    data = event.data
    if claim := data.get("claim"):
        said = f"{claim['kind']} {claim['marketplace_claim_id']} {claim.get('state', '')}"
        noticed = f"{data['marketplace']} notified claim {said}".strip()
        pack.sections["order"].append(Fact(_at(claim, "notice_at", event.time), noticed))


def _messaged(pack: EvidencePack, event: KeptEvent) -> None:
    data = event.data
    if data["message_id"] in pack.message_ids:
        return  # each message once, as first sent
    pack.message_ids.add(data["message_id"])
    words = " - ".join(w for w in (data.get("subject", ""), data.get("text", "")) if w)
    pack.conversation.append(Turn(_at(data, "at", event.time), "seller", data["kind"], words))


def _replied(pack: EvidencePack, event: KeptEvent) -> None:
    data = event.data
    at = _at(data, "at", event.time)
    pack.conversation.append(Turn(at, "buyer", data["answer"], data.get("text", "")))


def _refunded(pack: EvidencePack, event: KeptEvent) -> None:
    pack.refunded_minor += int(event.data["amount_minor"])


def _scanned_in(pack: EvidencePack, event: KeptEvent) -> None:
    for item in event.data.get("items", []):
        received = f"Received {item['quantity']} x {item['sku']}"
        pack.sections["return"].append(Fact(None, received))
    pack.photos += [("receiving", photo) for photo in event.data.get("photos", [])]


def _inspected(pack: EvidencePack, event: KeptEvent) -> None:
    if event.data["inspection_id"] not in pack.inspections:
        pack.inspections.append(event.data["inspection_id"])


def _findings(pack: EvidencePack, event: KeptEvent) -> None:
    found = [Fact(None, f"Checklist finding: {r}") for r in event.data.get("reasons", [])]
    if event.data.get("notes"):
        found.append(Fact(None, f"Technician's notes: {event.data['notes']}"))
    pack.sections["return"] += found


# What an event tells the pack besides its line: the case's own facts, the conversation,
# the refunds' sum, the photos and inspections, the checklist's findings.
READERS: dict[str, Callable[[EvidencePack, KeptEvent], None]] = {
    "case.opened": _opened,
    "case.marketplace_updated": _claim_noticed,
    "case.buyer_messaged": _messaged,
    "case.buyer_replied": _replied,
    "refund.issued": _refunded,
    "fulfillment.return_received": _scanned_in,
    "refurbish.inspection_opened": _inspected,
    "refurbish.graded": _findings,
}


def _timed(turns: list[Turn], deadline_hours: int | None) -> list[Turn]:
    """The conversation in order, each seller's answer timed from the buyer's oldest
    unanswered word, against the marketplace's reply deadline."""
    timed: list[Turn] = []
    waiting: datetime | None = None
    for turn in sorted(turns, key=lambda t: t.at):
        if turn.author == "buyer":
            waiting = waiting or turn.at
            timed.append(turn)
            continue
        if waiting is None:
            timed.append(turn)
            continue
        hours = round((turn.at - waiting).total_seconds() / 3600, 1)
        within = None if deadline_hours is None else hours <= deadline_hours
        timed.append(
            Turn(turn.at, turn.author, turn.kind, turn.text, hours, within)  # type: ignore[arg-type]
        )
        waiting = None
    return timed
