"""Labels bought from the carrier through EasyPost's Shipment API: `CarrierLabels`.

What it follows (docs.easypost.com): Shipments (a shipment from two addresses and a parcel
weighed in ounces, and measured in inches when its size is known, rated on creation;
retrieved by its id, or by the `reference` it was given), Shipment buy (a rate id; the
answer carries `tracking_code`, `selected_rate` and `postage_label.label_url`), Returns
(`is_return`: EasyPost swaps the two addresses), Customs Infos (what a parcel crossing a
customs border declares), Shipping Refund (an unused label given back: `refund_status`
"submitted", "refunded", "rejected" or "not_applicable").

    POST /v2/shipments               {"shipment": {"from_address", "to_address", "parcel",
                                      "reference", "is_return", "options"}}
    GET  /v2/shipments/{id}
    POST /v2/shipments/{id}/buy      {"rate": {"id"}}
    POST /v2/shipments/{id}/refund

EasyPost takes no idempotency key. Buying is made safe on our side: the shipment's id is
kept before it is bought, and a try whose answer was lost reads the shipment back first.
A purchase refused because the shipment's postage exists already (a concurrent try) is
answered with the shipment read back; so is a refund asked twice. A purchase whose 2xx is
not a shipment is `Unavailable`: it may have been bought, and only a read-back can say.
"""

from collections.abc import Sequence
from decimal import Decimal

from pydantic import BaseModel, Field

from services.fulfillment.adapters.easypost import EasyPostApi, wire_address
from services.fulfillment.domain.carrier_services import (
    CarrierRate,
    CarrierShipment,
    CustomsDeclaration,
    inches,
    ounces,
)
from shared.labels import PostalAddress
from shared.outbound import Refused, Unavailable, answer_to

POSTAGE_EXISTS = "SHIPMENT.POSTAGE.EXISTS"
LABEL_OPTIONS = {"label_format": "PDF", "label_size": "4x6"}


class WireRate(BaseModel):
    id: str = Field(min_length=1)
    carrier: str
    service: str
    rate: str
    currency: str


class WireParcel(BaseModel):
    weight: Decimal


class WireLabel(BaseModel):
    label_url: str | None = None
    label_pdf_url: str | None = None
    label_file_type: str | None = None


class WireShipment(BaseModel):
    """The part of EasyPost's Shipment read here; the rest is EasyPost's."""

    id: str = Field(min_length=1)
    reference: str | None = None
    parcel: WireParcel
    rates: list[WireRate] = Field(default_factory=list)
    messages: list[dict | str] = Field(default_factory=list)
    selected_rate: WireRate | None = None
    tracking_code: str | None = None
    postage_label: WireLabel | None = None
    refund_status: str | None = None


class CarrierLabels:
    """EasyPost's shipments and labels, through `api`."""

    def __init__(self, api: EasyPostApi) -> None:
        self.api = api

    async def create(
        self,
        reference: str,
        sender: PostalAddress,
        recipient: PostalAddress,
        weight_g: int,
        is_return: bool = False,
        customs: CustomsDeclaration | None = None,
        dimensions_mm: Sequence[int] | None = None,
    ) -> CarrierShipment:
        """A shipment rated for the parcel (its size too, when known). A return is created
        with the warehouse as `from_address` and the buyer as `to_address`, as EasyPost
        asks, and bought from the buyer to the warehouse. A parcel crossing a customs border
        carries its `customs` declaration, signed in the warehouse's name."""
        shipment: dict = {
            "from_address": wire_address(sender),
            "to_address": wire_address(recipient),
            "parcel": wire_parcel(weight_g, dimensions_mm),
            "reference": reference,
            "is_return": is_return,
            "options": LABEL_OPTIONS,
        }
        if customs is not None:
            shipment["customs_info"] = wire_customs(customs, sender.name)
        wire = await self.api.call(
            WireShipment, "POST", "/v2/shipments", f"shipment {reference}", {"shipment": shipment}
        )
        return carrier_shipment(wire)

    async def shipment(self, shipment_id: str) -> CarrierShipment:
        """The shipment read back: bought or not, refunded or not."""
        wire = await self.api.call(
            WireShipment, "GET", f"/v2/shipments/{shipment_id}", f"shipment {shipment_id}"
        )
        return carrier_shipment(wire)

    async def buy(self, shipment_id: str, rate_id: str) -> CarrierShipment:
        """The label bought at `rate_id`; the shipment as bought already when it was."""
        what = f"the label of shipment {shipment_id}"
        try:
            wire = await self.api.call(
                WireShipment,
                "POST",
                f"/v2/shipments/{shipment_id}/buy",
                what,
                {"rate": {"id": rate_id}},
                unreadable=Unavailable,
            )
        except Refused as refused:
            if refused.code != POSTAGE_EXISTS:
                raise
            return await self.shipment(shipment_id)
        return carrier_shipment(wire)

    async def refund(self, shipment_id: str) -> CarrierShipment:
        """The unused label given back; the shipment as it stands when a refund was asked
        for already."""
        try:
            wire = await self.api.call(
                WireShipment,
                "POST",
                f"/v2/shipments/{shipment_id}/refund",
                f"a refund of shipment {shipment_id}",
                {},
            )
        except Refused:
            shipment = await self.shipment(shipment_id)
            if shipment.refund_status is None:
                raise
            return shipment
        return carrier_shipment(wire)

    async def label_file(self, url: str) -> tuple[bytes, str]:
        """The label's file and its media type, from where EasyPost keeps it (no key is
        sent there)."""
        client = self.api.client
        answer = await answer_to(
            client, client.build_request("GET", url), "EasyPost", "a label file"
        )
        return answer.content, answer.headers.get("content-type", "application/pdf").split(";")[0]


def wire_parcel(weight_g: int, dimensions_mm: Sequence[int] | None) -> dict:
    """EasyPost's Parcel: the weight in ounces; length, width and height in inches, all
    three or none."""
    parcel: dict = {"weight": float(ounces(weight_g))}
    if dimensions_mm is not None:
        length, width, height = dimensions_mm
        parcel |= {
            "length": float(inches(length)),
            "width": float(inches(width)),
            "height": float(inches(height)),
        }
    return parcel


def wire_customs(customs: CustomsDeclaration, signer: str) -> dict:
    """EasyPost's CustomsInfo (docs.easypost.com, Customs Infos and Customs Items): each
    line's total value in major units of `currency`, its weight in ounces, its HS code as
    digits."""
    return {
        "contents_type": "returned_goods" if customs.returned_goods else "merchandise",
        "contents_explanation": "",
        "customs_certify": True,
        "customs_signer": signer,
        "eel_pfc": "NOEEI 30.37(a)",
        "non_delivery_option": "return",
        "restriction_type": "none",
        "customs_items": [
            {
                "description": line.description,
                "quantity": line.quantity,
                "value": f"{Decimal(line.unit_value_minor * line.quantity) / 100:.2f}",
                "currency": customs.currency,
                "weight": float(ounces(line.weight_g)),
                "hs_tariff_number": line.hs_code.replace(".", ""),
                "origin_country": line.origin_country,
            }
            for line in customs.lines
        ],
    }


def carrier_shipment(wire: WireShipment) -> CarrierShipment:
    label_url, label_type = label_file_of(wire.postage_label)
    return CarrierShipment(
        shipment_id=wire.id,
        reference=wire.reference,
        weight_oz=wire.parcel.weight,
        rates=tuple(carrier_rate(rate) for rate in wire.rates),
        rate_errors=rate_errors_of(wire.messages),
        bought=carrier_rate(wire.selected_rate) if wire.selected_rate else None,
        tracking_number=wire.tracking_code,
        label_url=label_url,
        label_type=label_type,
        refund_status=wire.refund_status,
    )


def label_file_of(label: WireLabel | None) -> tuple[str | None, str | None]:
    """The label's URL and media type: its PDF when EasyPost made one."""
    if label is None:
        return None, None
    if label.label_pdf_url:
        return label.label_pdf_url, "application/pdf"
    return label.label_url, label.label_file_type


def carrier_rate(wire: WireRate) -> CarrierRate:
    return CarrierRate(wire.id, wire.carrier, wire.service, wire.rate, wire.currency)


def rate_errors_of(messages: list[dict | str]) -> dict[str, str]:
    """EasyPost's `messages` of type rate_error, by carrier."""
    return {
        str(message["carrier"]): str(message.get("message") or "")
        for message in messages
        if isinstance(message, dict) and message.get("carrier")
    }
