"""Event contracts: a CloudEvents 1.0 envelope around a typed, versioned payload.

Every event a service publishes is declared here, with the topic of the service
that owns it. A service never imports another service's code, only these contracts.
"""

import uuid
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, ClassVar, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from shared.markets import Currency, Market, Region

SCHEMA_VERSION = 1


def topic_of(service: str) -> str:
    return f"{service}.events"


def dead_letter_topic_of(topic: str) -> str:
    return f"{topic}.dlq"


class Scenario(StrEnum):
    MINOR_DEFECT = "minor_defect"
    FUNCTIONAL_FAULT = "functional_fault"
    SIZE_STYLE_MISMATCH = "size_style_mismatch"
    QUALITY_DEFECT = "quality_defect"


class Remedy(StrEnum):
    PARTIAL_REFUND = "partial_refund"
    PART_SHIPMENT = "part_shipment"
    EXCHANGE = "exchange"
    RETURN_FULL_REFUND = "return_full_refund"


class Grade(StrEnum):
    A = "A"  # like new
    B = "B"  # very good
    C = "C"  # good, used
    D = "D"  # for parts


class Disposition(StrEnum):
    RELIST_AS_NEW = "relist_as_new"
    SELL_AS_RENEWED = "sell_as_renewed"
    LIQUIDATE = "liquidate"
    RECYCLE = "recycle"


class Contract(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class CaseItem(Contract):
    sku: str
    asin: str | None = None
    title: str | None = None
    category: str | None = None
    quantity: int = Field(ge=1)
    unit_price_minor: int = Field(ge=0)


class EventPayload(Contract):
    """Base of every payload: names its event type, owning service and schema version."""

    event_type: ClassVar[str]
    owner: ClassVar[str]
    case_id: str


class CaseOpened(EventPayload):
    event_type: ClassVar[str] = "case.opened"
    owner: ClassVar[str] = "intake"

    marketplace: str
    marketplace_event_id: str
    order_id: str
    market: Market
    region: Region
    buyer_ref: str
    buyer_language: str
    currency: Currency
    items: list[CaseItem] = Field(min_length=1)
    reason_code: str
    buyer_comment: str = ""
    delivered_at: AwareDatetime | None = None
    opened_at: AwareDatetime


class ResolutionDecided(EventPayload):
    event_type: ClassVar[str] = "resolution.decided"
    owner: ClassVar[str] = "resolution"

    scenario: Scenario
    remedy: Remedy
    market: Market
    region: Region
    currency: Currency
    refund_minor: int = Field(ge=0)
    items: list[CaseItem]
    rule: str  # the playbook rule that chose this remedy, in words


class PickLine(Contract):
    sku: str
    quantity: int = Field(ge=1)
    bin: str


class DispatchRequested(EventPayload):
    event_type: ClassVar[str] = "fulfillment.dispatch_requested"
    owner: ClassVar[str] = "fulfillment"

    shipment_id: str
    remedy: Remedy
    warehouse: str
    pick_list: list[PickLine]


class StockUnavailable(EventPayload):
    event_type: ClassVar[str] = "fulfillment.stock_unavailable"
    owner: ClassVar[str] = "fulfillment"

    remedy: Remedy
    region: Region
    missing_skus: list[str]


class ReturnLabelIssued(EventPayload):
    event_type: ClassVar[str] = "fulfillment.return_label_issued"
    owner: ClassVar[str] = "fulfillment"

    rma_id: str
    warehouse: str
    carrier: str
    tracking_number: str


class ReturnReceived(EventPayload):
    event_type: ClassVar[str] = "fulfillment.return_received"
    owner: ClassVar[str] = "fulfillment"

    rma_id: str
    warehouse: str
    condition_note: str = ""
    received_at: AwareDatetime


class InspectionOpened(EventPayload):
    event_type: ClassVar[str] = "refurbish.inspection_opened"
    owner: ClassVar[str] = "refurbish"

    inspection_id: str
    rma_id: str
    warehouse: str


class UnitGraded(EventPayload):
    event_type: ClassVar[str] = "refurbish.graded"
    owner: ClassVar[str] = "refurbish"

    inspection_id: str
    grade: Grade
    disposition: Disposition
    notes: str = ""


PAYLOAD_TYPES: dict[str, type[EventPayload]] = {
    p.event_type: p
    for p in (
        CaseOpened,
        ResolutionDecided,
        DispatchRequested,
        StockUnavailable,
        ReturnLabelIssued,
        ReturnReceived,
        InspectionOpened,
        UnitGraded,
    )
}


class UnknownEventType(ValueError):
    pass


class Envelope(BaseModel):
    """CloudEvents 1.0, structured JSON mode. subject is always the case id."""

    model_config = ConfigDict(frozen=True)

    specversion: Literal["1.0"] = "1.0"
    id: str
    type: str
    source: str
    time: AwareDatetime
    subject: str
    datacontenttype: Literal["application/json"] = "application/json"
    dataschema: str
    data: dict[str, Any]

    @classmethod
    def wrap(cls, payload: EventPayload) -> "Envelope":
        return cls(
            id=str(uuid.uuid4()),
            type=payload.event_type,
            source=f"/aftersales/{payload.owner}",
            time=datetime.now(UTC),
            subject=payload.case_id,
            dataschema=f"urn:aftersales:event:{payload.event_type}:v{SCHEMA_VERSION}",
            data=payload.model_dump(mode="json"),
        )

    @property
    def topic(self) -> str:
        return topic_of(self.source.rsplit("/", 1)[-1])

    def payload(self) -> EventPayload:
        """The typed payload; raises UnknownEventType or pydantic.ValidationError."""
        payload_type = PAYLOAD_TYPES.get(self.type)
        if payload_type is None:
            raise UnknownEventType(f"unknown event type {self.type!r}")
        payload = payload_type.model_validate(self.data)
        if payload.case_id != self.subject:
            raise ValueError(
                f"subject {self.subject!r} is not the payload's case {payload.case_id!r}"
            )
        return payload
