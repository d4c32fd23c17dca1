"""A case's conversation with its buyer, read from events: each message sent to the buyer
(`case.buyer_messaged`, one row per message carrying its latest state) and each reply of
theirs (`case.buyer_replied`, one row per event). Pure: no I/O."""

from datetime import datetime
from typing import Any

from shared.events import BuyerMessaged, BuyerReplied, EventPayload

SELLER = "seller"
BUYER = "buyer"


def conversation_rows(events: list[tuple[EventPayload, str, datetime]]) -> list[dict[str, Any]]:
    """The rows of (payload, event id, event time); the latest of one message's moves wins."""
    rows: dict[str, dict[str, Any]] = {}
    for payload, event_id, time in events:
        row = row_of(payload, event_id, time)
        if row is not None:
            kept = rows.get(row["entry_id"])
            if kept is None or kept["updated_at"] <= row["updated_at"]:
                rows[row["entry_id"]] = row
    return list(rows.values())


def row_of(payload: EventPayload, event_id: str, time: datetime) -> dict[str, Any] | None:
    if isinstance(payload, BuyerMessaged):
        return {
            "entry_id": payload.message_id,
            "case_id": payload.case_id,
            "author": SELLER,
            "kind": payload.kind,
            "channel": payload.channel,
            "way": payload.way,
            "state": payload.state,
            "language": payload.language,
            "subject": payload.subject,
            "text": payload.text,
            "at": payload.at,
            "updated_at": time,
        }
    if isinstance(payload, BuyerReplied):
        return {
            "entry_id": event_id,
            "case_id": payload.case_id,
            "author": BUYER,
            "kind": payload.answer.value,
            "channel": None,
            "way": None,
            "state": None,
            "language": payload.language,
            "subject": "",
            "text": payload.text,
            "at": payload.at,
            "updated_at": time,
        }
    return None
