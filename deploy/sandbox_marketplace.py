"""A sandbox marketplace refund API, for `make run` and demos; never for production.

It stands in for the marketplaces in the embedded stack: resolution's
`MarketplaceRefunds` pays buyers back through it with the project's refund protocol
(see `services/resolution/adapters/marketplace_refunds.py`), and nobody's money moves. Refunds
live in memory, by idempotency key, until the process stops:

- POST /v1/refunds with `Idempotency-Key`: 201 and the new refund; 200 and the earlier
  refund for a key seen with the same body; 422 with a `detail` reason for a key seen
  with another body, or an invalid body or key;
- GET /v1/refunds: every refund paid, in the order paid.

It also stands in for EasyPost's Tracker API, which resolution's `CarrierTracking`
(`services/resolution/adapters/carrier_tracking.py`) asks where a parcel is:

- POST /v2/trackers with basic auth (any non-empty user name) and
  `{"tracker": {"tracking_code", "carrier"}}`: 201 and a new tracker, 200 and the same
  tracker for a code seen before; 401 without auth, 422 for an empty code, with
  EasyPost's `{"error": {"code", "message"}}`. A demo picks the parcel's fate by the
  code's end: "DLV" delivered 3 days ago, "TRN" in transit and due in 2 days, anything
  else returned to the sender.

    python -m deploy.sandbox_marketplace --host 127.0.0.1 --port 8099
"""

import argparse
import base64
import binascii
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Annotated

import uvicorn
from fastapi import APIRouter, FastAPI, Header, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field, StrictInt, ValidationError

REFUNDS_PATH = "/v1/refunds"
TRACKERS_PATH = "/v2/trackers"
MAX_KEY_CHARS = 255
DEFAULT_CARRIER = "USPS"

router = APIRouter()


class WireModel(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class Amount(WireModel):
    minor: StrictInt = Field(gt=0)
    currency: str = Field(pattern=r"^[A-Z]{3}$")


class RefundBody(WireModel):
    """The protocol's request body; a replay must carry the same one."""

    case_id: str = Field(min_length=1)
    marketplace: str = Field(min_length=1)
    seller_account: str = Field(min_length=1)
    order_id: str = Field(min_length=1)
    return_id: str | None = None
    amount: Amount
    reason: str = Field(min_length=1)


class RefundConflict(Exception):
    """The key was used for another refund: paying this one under it would hide one of them."""


class RefundLedger:
    """The refunds paid, by idempotency key.

    No await between looking a key up and recording it: on the one event loop, two
    tries with one key cannot both pay.
    """

    def __init__(self) -> None:
        self._by_key: dict[str, tuple[RefundBody, dict]] = {}

    def pay(self, key: str, body: RefundBody) -> tuple[dict, bool]:
        """The refund for `key` and whether it is new; the earlier one for a replay."""
        if key in self._by_key:
            return self._replayed(key, body), False
        refund = {
            "refund_id": f"sandbox-re-{len(self._by_key) + 1:06d}",
            "idempotency_key": key,
            **body.model_dump(),
        }
        self._by_key[key] = (body, refund)
        return refund, True

    def _replayed(self, key: str, body: RefundBody) -> dict:
        known_body, refund = self._by_key[key]
        if body != known_body:
            raise RefundConflict(
                f"Idempotency-Key {key!r} was used for refund {refund['refund_id']} "
                "with another body; a new refund needs a new key"
            )
        return refund

    def paid(self) -> list[dict]:
        return [refund for _, refund in self._by_key.values()]


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


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def create_app(now: Callable[[], datetime] = lambda: datetime.now(UTC)) -> FastAPI:
    """The sandbox, with an empty ledger and no trackers; `now` dates the trackers' scans."""
    app = FastAPI(title="Sandbox marketplace refunds", docs_url=None, redoc_url=None)
    app.state.ledger = RefundLedger()
    app.state.trackers = Trackers(now)
    app.include_router(router)
    return app


@router.post(REFUNDS_PATH)
async def issue_refund(
    request: Request,
    idempotency_key: Annotated[str | None, Header(alias="Idempotency-Key")] = None,
) -> JSONResponse:
    """Pay once per key: 201 new, 200 replay, 422 conflict or invalid."""
    # The body is read by hand so that an invalid one gets a `detail` sentence, as the
    # protocol says, rather than FastAPI's list of validation errors.
    key_problem = key_problem_of(idempotency_key)
    if key_problem:
        return refused(key_problem)
    try:
        body = RefundBody.model_validate_json(await request.body())
        refund, new = request.app.state.ledger.pay(idempotency_key, body)
    except ValidationError as error:
        return refused(invalid_body_reason(error))
    except RefundConflict as conflict:
        return refused(str(conflict))
    return JSONResponse(refund, status_code=201 if new else 200)


@router.get(REFUNDS_PATH)
async def list_refunds(request: Request) -> dict:
    """Every refund paid, in the order paid: what a demo shows the seller lost."""
    return {"refunds": request.app.state.ledger.paid()}


@router.post(TRACKERS_PATH)
async def create_tracker(
    request: Request, authorization: Annotated[str | None, Header()] = None
) -> JSONResponse:
    """EasyPost's tracker creation: 201 new, 200 a code seen before, 401 or 422 refused."""
    if not api_key_of(authorization):
        return easypost_error(401, "APIKEY.REQUIRED", "An API key is required (basic auth).")
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


def easypost_error(status: int, code: str, message: str) -> JSONResponse:
    return JSONResponse({"error": {"code": code, "message": message, "errors": []}}, status)


def key_problem_of(key: str | None) -> str | None:
    if key is None or not key.strip():
        return "the Idempotency-Key header is required: it is what makes a retry safe"
    if len(key) > MAX_KEY_CHARS:
        return f"the Idempotency-Key header is longer than {MAX_KEY_CHARS} characters"
    return None


def invalid_body_reason(error: ValidationError) -> str:
    first = error.errors()[0]
    where = ".".join(str(part) for part in first["loc"]) or "body"
    return f"invalid refund: {where}: {first['msg']}"


def refused(detail: str) -> JSONResponse:
    return JSONResponse({"detail": detail}, status_code=422)


def main(argv: list[str] | None = None) -> None:
    """Serve the sandbox until Ctrl-C; only the warnings are logged, to keep demos quiet."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8099)
    args = parser.parse_args(argv)
    uvicorn.run(create_app(), host=args.host, port=args.port, log_level="warning")


if __name__ == "__main__":
    main()
