"""EasyPost (`/easypost`): the Tracker API resolution's `CarrierTracking`
(`services/resolution/adapters/carrier_tracking.py`) asks where a parcel is.

- POST /v2/trackers with basic auth (any non-empty user name) and
  `{"tracker": {"tracking_code", "carrier"}}`: 201 and a new tracker, 200 and the same
  tracker for a code seen before; 401 without auth, 422 for an empty code, with
  EasyPost's `{"error": {"code", "message"}}`. A demo picks the parcel's fate by the
  code's end: "DLV" delivered 3 days ago, "TRN" in transit and due in 2 days, anything
  else returned to the sender.
"""

import base64
import binascii
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, FastAPI, Header, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, ValidationError

TRACKERS_PATH = "/v2/trackers"
DEFAULT_CARRIER = "USPS"

router = APIRouter(prefix="/easypost", tags=["EasyPost"])
SETTINGS = {"TRACKING_API_BASE_URL": "/easypost", "TRACKING_API_KEY": "EZTK-emulated"}


def install(app: FastAPI, now: Callable[[], datetime]) -> None:
    app.state.trackers = Trackers(now)


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
