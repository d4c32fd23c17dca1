"""EasyPost (`/easypost`): the Tracker API resolution's `CarrierTracking` asks where a parcel
is, and the Shipment, Pickup and Refund APIs fulfillment's carrier adapters buy labels,
book collections and void unused labels with (`services/fulfillment/adapters/`).

Every call takes basic auth with the API key as the user name (any non-empty one here);
without it: 401 `APIKEY.REQUIRED`. Errors are EasyPost's body,
`{"error": {"code", "message", "errors": [{"field", "message"}]}}`. What it follows:
docs.easypost.com (Trackers, Shipments, Rates, Shipping Refund, Returns, Pickups, Errors,
Addresses, Parcels) and the requests and answers recorded in EasyPost's own client tests.

- POST /v2/trackers `{"tracker": {"tracking_code", "carrier"}}`: 201 a new tracker, 200
  the same tracker for a code seen before, 422 for an empty code. A demo picks the
  parcel's fate by the code's end: "DLV" delivered 3 days ago, "TRN" in transit and due in
  2 days, anything else returned to the sender.
- POST /v2/shipments `{"shipment": {"to_address", "from_address", "parcel": {"weight"
  (ounces), "length", "width", "height" (inches, all three or none)}, "reference",
  "is_return", "options", "customs_info"}}`: 201 and the Shipment with its `rates`,
  those of every carrier service of the route (`easypost_postage.ROUTES`), priced from
  the weight and postcodes, so the same request is rated the same. `is_return` swaps the
  two addresses, as EasyPost does. A carrier whose rating fails on demand (below) has no
  rates and a `messages` entry of type `rate_error`. 422 for a missing or invalid field.
- GET /v2/shipments/{id}: the Shipment, by its id or its `reference` (the newest of that
  reference), 404 `NOT_FOUND` otherwise.
- POST /v2/shipments/{id}/buy `{"rate": {"id"}}`: the label: `tracking_code` in the
  carrier's format, `postage_label.label_url` (a PDF), `selected_rate`; 422
  `SHIPMENT.POSTAGE.EXISTS` for a shipment bought already, `SHIPMENT.POSTAGE.FAILURE` for
  one crossing a customs border without its `customs_info`.
- POST /v2/shipments/{id}/refund: `refund_status` "submitted" (a test key's refunds stay
  there); 422 for a label never bought or refunded already.
- POST /v2/pickups `{"pickup": {"address", "shipment": {"id"}, "min_datetime",
  "max_datetime", "reference", "instructions"}}`: 200 and the Pickup, status "unknown",
  with the `pickup_rates` of the shipment's carrier; 422 for a shipment not bought or a
  window that ends before it starts. GET /v2/pickups/{id} (id or reference).
- POST /v2/pickups/{id}/buy `{"carrier", "service"}`: "scheduled" with a `confirmation`;
  POST /v2/pickups/{id}/cancel: "canceled" (again: the same).
- GET /easypost/files/postage_label/{shipment}.pdf: the label file (no auth, like
  EasyPost's file host).

Where EasyPost documents no error code, the emulator's own say what went wrong:
`SHIPMENT.RATE.INVALID`, `SHIPMENT.REFUND.UNAVAILABLE`, `PICKUP.SHIPMENT.INVALID`,
`PICKUP.RATE.INVALID`, `PICKUP.ALREADY_SCHEDULED`.

The ledger, for tests and demos: GET /_emulator/easypost/labels (every label bought,
with its parcel, its customs items and its `refund_status`: "submitted" once voided),
GET /_emulator/easypost/pickups (every pickup booked or cancelled); PUT
/_emulator/easypost/rate-errors/{carrier} `{"message"}` makes that carrier's rating fail
until DELETE.
"""

import base64
import binascii
import secrets
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, FastAPI, Header, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from deploy.emulators import easypost_postage as postage

TRACKERS_PATH = "/v2/trackers"
DEFAULT_CARRIER = "USPS"
FILES_PATH = "/files/postage_label"
PARCEL_FIELDS = ("weight", "length", "width", "height")

api = APIRouter(prefix="/easypost", tags=["EasyPost"])
ledger = APIRouter(prefix="/_emulator/easypost", tags=["EasyPost ledger"])
SETTINGS = {
    "TRACKING_API_BASE_URL": "/easypost",
    "TRACKING_API_KEY": "EZTK-emulated",
    "EASYPOST_API_BASE_URL": "/easypost",
    "EASYPOST_API_KEY": "EZTK-emulated",
}


def install(app: FastAPI, now: Callable[[], datetime]) -> None:
    app.state.trackers = Trackers(now)
    app.state.easypost = Postage(now)


class EasyPostError(Exception):
    """An answer EasyPost gives as an error body."""

    def __init__(
        self, status: int, code: str, message: str, errors: list[dict] | None = None
    ) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.errors = status, code, message, errors or []


def easypost_error(
    status: int, code: str, message: str, errors: list[dict] | None = None
) -> JSONResponse:
    return JSONResponse(
        {"error": {"code": code, "message": message, "errors": errors or []}}, status
    )


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


# Trackers


class TrackerBody(BaseModel):
    """EasyPost's `tracker` parameter; other fields EasyPost takes are ignored here."""

    model_config = ConfigDict(str_strip_whitespace=True)

    tracking_code: str = ""
    carrier: str = ""


class TrackerRequest(BaseModel):
    tracker: TrackerBody


class Trackers:
    """The trackers made, by carrier and code: the same code again is the same tracker."""

    def __init__(self, now: Callable[[], datetime]) -> None:
        self._now = now
        self._by_code: dict[tuple[str, str], dict] = {}

    def track(self, carrier: str, code: str) -> tuple[dict, bool]:
        """The tracker for `code` and whether it is new."""
        key = (carrier.upper(), code)
        if key in self._by_code:
            return self._by_code[key], False
        now = self._now().astimezone(UTC)
        tracker = {
            "id": f"trk_sandbox{len(self._by_code) + 1:06d}",
            "object": "Tracker",
            "mode": "test",
            "tracking_code": code,
            "carrier": carrier,
            "created_at": iso(now),
            "updated_at": iso(now),
            **journey_of(code, now),
        }
        self._by_code[key] = tracker
        return tracker, True


def journey_of(code: str, now: datetime) -> dict:
    """The status, estimate and scans a demo chose by the code's last letters."""
    if code.upper().endswith("DLV"):
        delivered = now - timedelta(days=3)
        return {
            "status": "delivered",
            "est_delivery_date": iso(delivered),
            "tracking_details": [
                scan("pre_transit", delivered - timedelta(days=3), "Shipping label created"),
                scan("in_transit", delivered - timedelta(days=2), "Arrived at facility"),
                scan("out_for_delivery", delivered - timedelta(hours=6), "Out for delivery"),
                scan("delivered", delivered, "Delivered, front door/porch"),
            ],
        }
    if code.upper().endswith("TRN"):
        return {
            "status": "in_transit",
            "est_delivery_date": iso(now + timedelta(days=2)),
            "tracking_details": [
                scan("pre_transit", now - timedelta(days=2), "Shipping label created"),
                scan("in_transit", now - timedelta(days=1), "Departed facility"),
            ],
        }
    return {
        "status": "return_to_sender",
        "est_delivery_date": None,
        "tracking_details": [
            scan("in_transit", now - timedelta(days=4), "Arrived at facility"),
            scan("return_to_sender", now - timedelta(days=1), "Returned to sender: no such number"),
        ],
    }


def scan(status: str, moment: datetime, message: str) -> dict:
    return {
        "object": "TrackingDetail",
        "status": status,
        "datetime": iso(moment),
        "message": message,
    }


# Shipments and pickups: the requests


class Wire(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True)


class AddressBody(Wire):
    name: str | None = None
    company: str | None = None
    street1: str = Field(min_length=1)
    street2: str | None = None
    city: str = Field(min_length=1)
    state: str | None = None
    zip: str = Field(min_length=1)
    country: str = Field(pattern=r"^[A-Za-z]{2}$")
    phone: str | None = None
    email: str | None = None


class ParcelBody(Wire):
    """Ounces and inches; length, width and height all three or none (EasyPost's Parcel)."""

    weight: float = Field(gt=0)
    length: float | None = Field(default=None, gt=0)
    width: float | None = Field(default=None, gt=0)
    height: float | None = Field(default=None, gt=0)

    @model_validator(mode="after")
    def _all_sides_or_none(self) -> "ParcelBody":
        given = [side is not None for side in (self.length, self.width, self.height)]
        if any(given) and not all(given):
            raise ValueError("length, width and height are required if any of them is present")
        return self


class ShipmentBody(Wire):
    to_address: AddressBody
    from_address: AddressBody
    parcel: ParcelBody
    reference: str | None = None
    is_return: bool = False
    options: dict[str, Any] = Field(default_factory=dict)
    customs_info: dict[str, Any] | None = None


class ShipmentRequest(Wire):
    shipment: ShipmentBody


class RateChoice(Wire):
    id: str = Field(min_length=1)


class BuyRequest(Wire):
    rate: RateChoice


class ShipmentChoice(Wire):
    id: str = Field(min_length=1)


class PickupBody(Wire):
    address: AddressBody
    shipment: ShipmentChoice
    min_datetime: datetime | date
    max_datetime: datetime | date
    reference: str | None = None
    instructions: str | None = None
    is_account_address: bool = False


class PickupRequest(Wire):
    pickup: PickupBody


class PickupPurchase(Wire):
    carrier: str = Field(min_length=1)
    service: str = Field(min_length=1)


Request_ = TypeVar("Request_", bound=BaseModel)


class RateError(Wire):
    message: str = "Unable to get rates from the carrier."


def parsed(model: type[Request_], body: bytes) -> Request_:
    """The request as `model`, or EasyPost's 422 naming the first field at fault."""
    try:
        return model.model_validate_json(body)
    except ValidationError as error:
        first = error.errors()[0]
        field = ".".join(str(part) for part in first["loc"]) or "body"
        code = "PARAMETER.REQUIRED" if first["type"] == "missing" else "PARAMETER.INVALID"
        message = (
            "Missing required parameter." if code == "PARAMETER.REQUIRED" else "Invalid parameter."
        )
        raise EasyPostError(
            422, code, message, [{"field": field, "message": first["msg"]}]
        ) from None


# Shipments and pickups: what EasyPost holds


class Postage:
    """The shipments made, their labels and refunds, and the pickups booked. No await
    between reading a shipment and changing it: on the one event loop, two tries to buy
    one shipment cannot both buy. Ids are new in every process, as EasyPost's are unique:
    tracking codes derived from them never repeat one a database kept from an earlier run."""

    def __init__(self, now: Callable[[], datetime]) -> None:
        self._now = now
        self._seed = secrets.token_hex(8)
        self.shipments: dict[str, dict] = {}
        self.pickups: dict[str, dict] = {}
        self.rate_errors: dict[str, str] = {}
        self._made = 0

    def _new_id(self, prefix: str) -> str:
        self._made += 1
        return postage.object_id(prefix, self._seed, self._made)

    def _address(self, body: AddressBody) -> dict:
        now = iso(self._now())
        return {
            "id": self._new_id("adr"),
            "object": "Address",
            "created_at": now,
            "updated_at": now,
            "mode": "test",
            **body.model_dump(),
            "country": body.country.upper(),
            "verifications": {},
        }

    def create_shipment(self, body: ShipmentBody) -> dict:
        to_address, from_address = self._address(body.to_address), self._address(body.from_address)
        if body.is_return:  # the buyer sends it back to where it came from
            to_address, from_address = from_address, to_address
        shipment_id, now = self._new_id("shp"), iso(self._now())
        parcel = {"id": self._new_id("prcl"), "object": "Parcel", "mode": "test"}
        shipment = {
            "id": shipment_id,
            "object": "Shipment",
            "mode": "test",
            "reference": body.reference,
            "is_return": body.is_return,
            "status": "unknown",
            "created_at": now,
            "updated_at": now,
            "to_address": to_address,
            "from_address": from_address,
            "return_address": from_address,
            "parcel": {**parcel, **body.parcel.model_dump()},
            "options": {
                "currency": postage.CURRENCY_OF.get(from_address["country"], "USD"),
                **body.options,
            },
            "messages": [],
            "rates": [],
            "selected_rate": None,
            "postage_label": None,
            "tracking_code": None,
            "tracker": None,
            "refund_status": None,
            "customs_info": body.customs_info,
            "fees": [],
            "forms": [],
        }
        self._rate(shipment)
        self.shipments[shipment_id] = shipment
        return shipment

    def _rate(self, shipment: dict) -> None:
        origin, destination = shipment["from_address"], shipment["to_address"]
        weight = postage.ounces(shipment["parcel"]["weight"])
        currency = postage.CURRENCY_OF.get(origin["country"], "USD")
        for service in postage.services_for(origin["country"], destination["country"]):
            if service.carrier in self.rate_errors:
                message = {
                    "carrier": service.carrier,
                    "type": "rate_error",
                    "message": self.rate_errors[service.carrier],
                }
                if message not in shipment["messages"]:
                    shipment["messages"].append(message)
                continue
            if weight > service.max_ounces:
                continue
            cents = postage.price_cents(service, weight, origin["zip"], destination["zip"])
            shipment["rates"].append(
                {
                    "id": postage.object_id(
                        "rate", shipment["id"], service.carrier, service.service
                    ),
                    "object": "Rate",
                    "mode": "test",
                    "carrier": service.carrier,
                    "service": service.service,
                    "rate": postage.money(cents),
                    "currency": currency,
                    "list_rate": postage.money(cents + cents // 10),
                    "list_currency": currency,
                    "delivery_days": service.delivery_days,
                    "est_delivery_days": service.delivery_days,
                    "delivery_date_guaranteed": False,
                    "shipment_id": shipment["id"],
                    "carrier_account_id": postage.object_id("ca", service.carrier),
                    "created_at": shipment["created_at"],
                    "updated_at": shipment["created_at"],
                }
            )

    def shipment(self, key: str) -> dict:
        """By id, or the newest shipment of that reference."""
        if key in self.shipments:
            return self.shipments[key]
        referenced = [s for s in self.shipments.values() if s["reference"] == key]
        if not referenced:
            raise not_found()
        return referenced[-1]

    def buy(self, key: str, rate_id: str, base_url: str) -> dict:
        shipment = self.shipment(key)
        if shipment["postage_label"] is not None:
            raise EasyPostError(
                422, "SHIPMENT.POSTAGE.EXISTS", "Postage already exists for this shipment."
            )
        origin, destination = shipment["from_address"]["country"], shipment["to_address"]["country"]
        if postage.crosses_customs(origin, destination) and not shipment["customs_info"]:
            raise EasyPostError(
                422,
                "SHIPMENT.POSTAGE.FAILURE",
                f"Customs information is required to ship from {origin} to {destination}.",
                [{"field": "shipment.customs_info", "message": "cannot be blank"}],
            )
        rate = next((r for r in shipment["rates"] if r["id"] == rate_id), None)
        if rate is None:
            raise EasyPostError(
                422,
                "SHIPMENT.RATE.INVALID",
                "The rate is not one of this shipment's rates.",
                [{"field": "rate.id", "message": f"unknown rate {rate_id}"}],
            )
        now = iso(self._now())
        code = postage.tracking_code(rate["carrier"], shipment["id"])
        url = f"{base_url.rstrip('/')}/easypost{FILES_PATH}/{shipment['id']}.pdf"
        shipment.update(
            selected_rate=rate,
            tracking_code=code,
            updated_at=now,
            postage_label={
                "id": postage.object_id("pl", shipment["id"]),
                "object": "PostageLabel",
                "created_at": now,
                "updated_at": now,
                "label_date": now,
                "label_resolution": 300,
                "label_size": "4x6",
                "label_type": "default",
                "label_file_type": "application/pdf",
                "label_url": url,
                "label_pdf_url": url,
                "label_zpl_url": None,
                "label_epl2_url": None,
            },
            tracker={
                "id": postage.object_id("trk", code),
                "object": "Tracker",
                "mode": "test",
                "tracking_code": code,
                "carrier": rate["carrier"],
                "status": "pre_transit",
                "shipment_id": shipment["id"],
            },
            fees=[
                {
                    "object": "Fee",
                    "type": "LabelFee",
                    "amount": "0.00000",
                    "charged": True,
                    "refunded": False,
                },
                {
                    "object": "Fee",
                    "type": "PostageFee",
                    "amount": f"{Decimal(rate['rate']):.5f}",
                    "charged": True,
                    "refunded": False,
                },
            ],
        )
        shipment["bought_at"] = now  # the ledger's; stripped from answers
        return shipment

    def refund(self, key: str) -> dict:
        shipment = self.shipment(key)
        if shipment["postage_label"] is None:
            raise EasyPostError(
                422, "SHIPMENT.REFUND.UNAVAILABLE", "No label was bought for this shipment."
            )
        if shipment["refund_status"] is not None:
            raise EasyPostError(
                422,
                "SHIPMENT.REFUND.UNAVAILABLE",
                f"A refund was requested already: {shipment['refund_status']}.",
            )
        shipment.update(refund_status="submitted", updated_at=iso(self._now()))
        return shipment

    def create_pickup(self, body: PickupBody) -> dict:
        shipment = self.shipment(body.shipment.id)
        if shipment["selected_rate"] is None:
            raise EasyPostError(
                422,
                "PICKUP.SHIPMENT.INVALID",
                "A pickup needs a shipment whose label is bought.",
                [{"field": "pickup.shipment", "message": "no label bought"}],
            )
        earliest, latest = moment_of(body.min_datetime), moment_of(body.max_datetime)
        if latest < earliest:
            raise EasyPostError(
                422,
                "PARAMETER.INVALID",
                "Invalid parameter.",
                [{"field": "pickup.max_datetime", "message": "must not be before min_datetime"}],
            )
        pickup_id, now = self._new_id("pickup"), iso(self._now())
        carrier = shipment["selected_rate"]["carrier"]
        service, cents = postage.PICKUP_RATES.get(carrier, postage.OTHER_PICKUP)
        pickup = {
            "id": pickup_id,
            "object": "Pickup",
            "mode": "test",
            "status": "unknown",
            "reference": body.reference,
            "min_datetime": iso(earliest),
            "max_datetime": iso(latest),
            "is_account_address": body.is_account_address,
            "instructions": body.instructions,
            "messages": [],
            "confirmation": None,
            "address": self._address(body.address),
            "carrier_accounts": [],
            "pickup_rates": [
                {
                    "id": postage.object_id("pickuprate", pickup_id, carrier),
                    "object": "PickupRate",
                    "mode": "test",
                    "carrier": carrier,
                    "service": service,
                    "rate": postage.money(cents),
                    "currency": shipment["selected_rate"]["currency"],
                    "pickup_id": pickup_id,
                    "created_at": now,
                    "updated_at": now,
                }
            ],
            "created_at": now,
            "updated_at": now,
            "shipment_id": shipment["id"],  # the ledger's; stripped from answers
        }
        self.pickups[pickup_id] = pickup
        return pickup

    def pickup(self, key: str) -> dict:
        if key in self.pickups:
            return self.pickups[key]
        referenced = [p for p in self.pickups.values() if p["reference"] == key]
        if not referenced:
            raise not_found()
        return referenced[-1]

    def buy_pickup(self, key: str, carrier: str, service: str) -> dict:
        pickup = self.pickup(key)
        if pickup["status"] != "unknown":
            raise EasyPostError(
                422, "PICKUP.ALREADY_SCHEDULED", f"This pickup is {pickup['status']} already."
            )
        rate = next(
            (
                r
                for r in pickup["pickup_rates"]
                if (r["carrier"], r["service"]) == (carrier, service)
            ),
            None,
        )
        if rate is None:
            raise EasyPostError(
                422,
                "PICKUP.RATE.INVALID",
                f"No pickup rate of {carrier} {service} for this pickup.",
                [{"field": "service", "message": "not one of the pickup rates"}],
            )
        pickup.update(
            status="scheduled",
            confirmation=postage.pickup_confirmation(pickup["id"]),
            updated_at=iso(self._now()),
            bought=rate,  # the ledger's; stripped from answers
        )
        return pickup

    def cancel_pickup(self, key: str) -> dict:
        pickup = self.pickup(key)
        pickup.update(status="canceled", updated_at=iso(self._now()))
        return pickup

    def labels(self) -> list[dict]:
        return [
            {
                "shipment_id": s["id"],
                "reference": s["reference"],
                "is_return": s["is_return"],
                "carrier": s["selected_rate"]["carrier"],
                "service": s["selected_rate"]["service"],
                "rate": s["selected_rate"]["rate"],
                "currency": s["selected_rate"]["currency"],
                "tracking_code": s["tracking_code"],
                "parcel": {side: s["parcel"][side] for side in PARCEL_FIELDS},
                "customs_items": (s["customs_info"] or {}).get("customs_items", []),
                "label_url": s["postage_label"]["label_url"],
                "bought_at": s["bought_at"],
                "refund_status": s["refund_status"],
            }
            for s in self.shipments.values()
            if s["postage_label"] is not None
        ]

    def booked_pickups(self) -> list[dict]:
        return [
            {
                "pickup_id": p["id"],
                "reference": p["reference"],
                "shipment_id": p["shipment_id"],
                "status": p["status"],
                "confirmation": p["confirmation"],
                "carrier": p["bought"]["carrier"],
                "service": p["bought"]["service"],
                "min_datetime": p["min_datetime"],
                "max_datetime": p["max_datetime"],
            }
            for p in self.pickups.values()
            if "bought" in p
        ]


LEDGER_ONLY = ("bought_at", "shipment_id", "bought")


def answer(resource: dict, status: int = 200) -> JSONResponse:
    """The resource as EasyPost shows it: without what only the ledger keeps."""
    shown = {key: value for key, value in resource.items() if key not in LEDGER_ONLY}
    return JSONResponse(shown, status)


def moment_of(value: datetime | date) -> datetime:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    return datetime.combine(value, time(), UTC)


def not_found() -> EasyPostError:
    return EasyPostError(404, "NOT_FOUND", "The requested resource could not be found.")


def api_key_of(authorization: str | None) -> str | None:
    """The user name of a basic Authorization header, the EasyPost API key; None without."""
    scheme, _, credentials = (authorization or "").partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        user, _, _ = base64.b64decode(credentials, validate=True).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return None
    return user or None


def unauthorized() -> JSONResponse:
    return easypost_error(401, "APIKEY.REQUIRED", "An API key is required (basic auth).")


async def call(
    request: Request, authorization: str | None, act: Callable[[Postage], tuple[dict, int]]
) -> JSONResponse:
    """Authenticate, then answer what `act` did, or EasyPost's error."""
    if not api_key_of(authorization):
        return unauthorized()
    try:
        resource, status = act(request.app.state.easypost)
    except EasyPostError as error:
        return easypost_error(error.status, error.code, error.message, error.errors)
    return answer(resource, status)


Authorization = Annotated[str | None, Header()]


# The API


@api.post(TRACKERS_PATH)
async def create_tracker(request: Request, authorization: Authorization = None) -> JSONResponse:
    """EasyPost's tracker creation: 201 new, 200 a code seen before, 401 or 422 refused."""
    if not api_key_of(authorization):
        return unauthorized()
    try:
        body = TrackerRequest.model_validate_json(await request.body()).tracker
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "body"
        return easypost_error(422, "PARAMETER.INVALID", f"Invalid tracker: {where}: {first['msg']}")
    if not body.tracking_code:
        return easypost_error(
            422, "TRACKER.TRACKING_CODE.INVALID", "Invalid tracking code: it is empty."
        )
    tracker, new = request.app.state.trackers.track(
        body.carrier or DEFAULT_CARRIER, body.tracking_code
    )
    return JSONResponse(tracker, status_code=201 if new else 200)


@api.post("/v2/shipments")
async def create_shipment(request: Request, authorization: Authorization = None) -> JSONResponse:
    body = await request.body()
    return await call(
        request,
        authorization,
        lambda held: (held.create_shipment(parsed(ShipmentRequest, body).shipment), 201),
    )


@api.get("/v2/shipments/{key}")
async def retrieve_shipment(
    key: str, request: Request, authorization: Authorization = None
) -> JSONResponse:
    return await call(request, authorization, lambda held: (held.shipment(key), 200))


@api.post("/v2/shipments/{key}/buy")
async def buy_shipment(
    key: str, request: Request, authorization: Authorization = None
) -> JSONResponse:
    body, base_url = await request.body(), str(request.base_url)
    return await call(
        request,
        authorization,
        lambda held: (held.buy(key, parsed(BuyRequest, body).rate.id, base_url), 200),
    )


@api.post("/v2/shipments/{key}/refund")
async def refund_shipment(
    key: str, request: Request, authorization: Authorization = None
) -> JSONResponse:
    return await call(request, authorization, lambda held: (held.refund(key), 200))


@api.post("/v2/pickups")
async def create_pickup(request: Request, authorization: Authorization = None) -> JSONResponse:
    body = await request.body()
    return await call(
        request,
        authorization,
        lambda held: (held.create_pickup(parsed(PickupRequest, body).pickup), 200),
    )


@api.get("/v2/pickups/{key}")
async def retrieve_pickup(
    key: str, request: Request, authorization: Authorization = None
) -> JSONResponse:
    return await call(request, authorization, lambda held: (held.pickup(key), 200))


@api.post("/v2/pickups/{key}/buy")
async def buy_pickup(
    key: str, request: Request, authorization: Authorization = None
) -> JSONResponse:
    body = await request.body()

    def act(held: Postage) -> tuple[dict, int]:
        purchase = parsed(PickupPurchase, body)
        return held.buy_pickup(key, purchase.carrier, purchase.service), 200

    return await call(request, authorization, act)


@api.post("/v2/pickups/{key}/cancel")
async def cancel_pickup(
    key: str, request: Request, authorization: Authorization = None
) -> JSONResponse:
    return await call(request, authorization, lambda held: (held.cancel_pickup(key), 200))


@api.get(FILES_PATH + "/{shipment_id}.pdf", response_class=Response)
async def label_file(shipment_id: str, request: Request) -> Response:
    shipment = request.app.state.easypost.shipments.get(shipment_id)
    if shipment is None or shipment["postage_label"] is None:
        return Response("no such file", 404, media_type="text/plain")
    return Response(postage.label_pdf(shipment), media_type="application/pdf")


# The ledger


@ledger.get("/labels", summary="Every label bought, voided ones with their refund status")
async def labels_bought(request: Request) -> dict:
    return {"labels": request.app.state.easypost.labels()}


@ledger.get("/pickups", summary="Every pickup booked, cancelled ones too")
async def pickups_booked(request: Request) -> dict:
    return {"pickups": request.app.state.easypost.booked_pickups()}


@ledger.put("/rate-errors/{carrier}", status_code=204, summary="Make a carrier's rating fail")
async def fail_rating(carrier: str, error: RateError, request: Request) -> None:
    request.app.state.easypost.rate_errors[carrier] = error.message


@ledger.delete("/rate-errors/{carrier}", status_code=204, summary="Rate the carrier again")
async def rate_again(carrier: str, request: Request) -> None:
    request.app.state.easypost.rate_errors.pop(carrier, None)


router = APIRouter()
router.include_router(api)
router.include_router(ledger)
