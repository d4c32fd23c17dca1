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
    """The pack of one case for a claim of `rule`'s kind, from its kept events in order."""
    events, erased_at = without_erased_buyer(sorted(events, key=lambda e: e.time))
    pack = EvidencePack(case_id=case_id, rule=rule, buyer_erased_at=erased_at)
    sections: dict[str, list[Fact]] = {name: [] for name in SECTION_TITLES}
    pack.sections = sections
    for event in events:
        _read(pack, sections, event)
    pack.reply_deadline_hours = reply_hours(pack.marketplace)
    pack.conversation = _timed(pack.conversation, pack.reply_deadline_hours)
    return pack


def _read(pack: EvidencePack, sections: dict[str, list[Fact]], event: KeptEvent) -> None:
    data, time, kind = event.data, event.time, event.type
    add = lambda name, at, what: sections[name].append(Fact(at, what))  # noqa: E731
    if kind == "case.opened":
        pack.marketplace = data.get("marketplace")
        pack.market = data.get("market")
        pack.seller_account = data.get("seller_account") or None
        pack.order_id = data.get("order_id")
        pack.currency = data.get("currency")
        opened = _at(data, "opened_at", time)
        ids = ", ".join(
            f"{label} {data[name]}"
            for label, name in (("order", "order_id"), ("return", "return_id"), ("RMA", "rma_id"))
            if data.get(name)
        )
        add("order", opened, f"Case opened on {pack.marketplace} ({pack.market}): {ids}")
        for item in data.get("items", []):
            price = money(item.get("unit_price_minor"), pack.currency)
            title = item.get("title") or ""
            add("order", None, f"{item['quantity']} x {item['sku']} {title} at {price}")
        reason = f"Return reason: {data.get('reason')} (marketplace code {data.get('reason_code')})"
        add("order", None, reason)
        if data.get("buyer_ref"):
            add("order", None, f"Buyer reference: {data['buyer_ref']}")
        for deadline in data.get("deadlines", []):
            add(
                "order",
                None,
                f"Marketplace deadline {deadline['name']}: {when(deadline['due_at'])}",
            )
        if data.get("delivered_at"):
            add("delivery", _at(data, "delivered_at", time), "Delivered to the buyer")
        if parcel := data.get("parcel"):
            add("delivery", None, f"Shipped with {parcel['carrier']}: {parcel['tracking_number']}")
        if data.get("buyer_comment"):
            pack.conversation.append(Turn(opened, "buyer", "opened", data["buyer_comment"]))
        for photo in data.get("photos", []):
            pack.photos.append(("buyer", photo))
    elif kind == "case.marketplace_updated":
        add("delivery", _at(data, "at", time), f"{data['marketplace']} says: {data['status']}")
        if claim := data.get("claim"):
            add(
                "order",
                _at(claim, "notice_at", time),
                f"{data['marketplace']} notified claim {claim['kind']} "
                f"{claim['marketplace_claim_id']} {claim.get('state', '')}".strip(),
            )
    elif kind == "resolution.parcel_traced":
        add(
            "delivery",
            _at(data, "at", time),
            f"Tracking scan {data['carrier']} {data['tracking_number']}: {data['status']} "
            f"(verdict {data['verdict']}: {data['why']})",
        )
    elif kind == "fulfillment.shipped":
        add(
            "delivery",
            _at(data, "at", time),
            f"Shipped {data['remedy']} from {data['warehouse']} with {data['carrier']} "
            f"{data['service']}: {data['tracking_number']}",
        )
    elif kind == "fulfillment.return_label_issued":
        add(
            "delivery",
            time,
            f"Return label {data['carrier']} {data['tracking_number']} to {data['warehouse']} "
            f"(RMA {data['rma_id']})",
        )
    elif kind == "fulfillment.pickup_scheduled":
        add("delivery", time, f"Return pickup booked with {data['carrier']} on {data['day']}")
    elif kind == "case.buyer_messaged":
        if data["message_id"] not in pack.message_ids:
            pack.message_ids.add(data["message_id"])
            words = " - ".join(w for w in (data.get("subject", ""), data.get("text", "")) if w)
            pack.conversation.append(Turn(_at(data, "at", time), "seller", data["kind"], words))
    elif kind == "case.buyer_replied":
        at = _at(data, "at", time)
        pack.conversation.append(Turn(at, "buyer", data["answer"], data.get("text", "")))
    elif kind == "resolution.offered":
        verb = "Offered" if data.get("needs_answer", True) else "Told the buyer of"
        add(
            "offers",
            time,
            f"{verb} {data['remedy']} (step {data['step']}), "
            f"{money(data['amount_minor'], data['currency'])}, "
            f"open until {when(data['expires_at'])}",
        )
    elif kind == "resolution.accepted":
        add("offers", _at(data, "at", time), f"The buyer accepted {data['remedy']}")
    elif kind == "resolution.declined":
        add("offers", _at(data, "at", time), f"Offer of {data['remedy']} ended: {data['cause']}")
    elif kind == "resolution.decided":
        add("offers", time, f"Decided: {data['remedy']} ({data['rule']})")
    elif kind == "refund.issued":
        pack.refunded_minor += int(data["amount_minor"])
        add(
            "refunds",
            _at(data, "at", time),
            f"Refunded {money(data['amount_minor'], data['currency'])} for {data['remedy']} "
            f"through {data['marketplace']} (refund {data['marketplace_refund_id']})",
        )
    elif kind == "fulfillment.return_received":
        note = f": {data['condition_note']}" if data.get("condition_note") else ""
        add(
            "return",
            _at(data, "received_at", time),
            f"Return scanned in at {data['warehouse']} (RMA {data['rma_id']}){note}",
        )
        for item in data.get("items", []):
            add("return", None, f"Received {item['quantity']} x {item['sku']}")
        for photo in data.get("photos", []):
            pack.photos.append(("receiving", photo))
    elif kind == "refurbish.inspection_opened":
        add("return", time, f"Inspection {data['inspection_id']} opened at {data['warehouse']}")
        if data["inspection_id"] not in pack.inspections:
            pack.inspections.append(data["inspection_id"])
    elif kind == "refurbish.graded":
        override = f", overridden: {data['override_reason']}" if data.get("override_reason") else ""
        add(
            "return",
            time,
            f"Graded {data['grade']} (checklist gave {data['computed_grade']}{override}) "
            f"by {data.get('technician') or 'the rubric'}",
        )
        for reason in data.get("reasons", []):
            add("return", None, f"Checklist finding: {reason}")
        if data.get("notes"):
            add("return", None, f"Technician's notes: {data['notes']}")
    elif kind == "refurbish.disposition_decided":
        add(
            "return",
            time,
            f"Unit sent to {data['disposition']}, recovering "
            f"{money(data['net_minor'], data['currency'])}",
        )


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
