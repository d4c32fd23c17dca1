"""Asks the carrier where a parcel is, through EasyPost's Tracker API: `CarrierTracking.track`.

When a buyer says a parcel never arrived, resolution first looks it up before sending
it again or paying back: `domain.tracing.read` turns the answer into a verdict.

The Tracker API (https://docs.easypost.com/docs/trackers), with HTTP basic auth: the API
key as the user name and an empty password.

    POST /v2/trackers
    {"tracker": {"tracking_code": str, "carrier": str}}

- 2xx: the Tracker object, `{"id", "tracking_code", "carrier", "status",
  "est_delivery_date", "tracking_details": [{"status", "datetime", "message"}, ...]}`;
  for a code EasyPost already tracks, the existing tracker, so a repeat call is safe;
- 4xx/5xx: `{"error": {"code": str, "message": str}}`.

How `track` reads the answers (`shared.outbound`): no answer in time, no connection, 408,
425, 429 and 5xx are `Unavailable` (ask again later, after `retry_after` seconds when
EasyPost says), and so is a 2xx without a readable tracker; any other non-2xx (401/403 a
bad key, 404, 422 an unknown carrier or code) is `Refused`, with the status, EasyPost's
own message and its error code (`code`).
"""

from datetime import UTC, datetime

import httpx
from pydantic import AwareDatetime, BaseModel, Field, NaiveDatetime

from services.resolution.domain.tracing import STATUSES, UNKNOWN, ParcelStatus
from shared.outbound import Unavailable, answer_to, excerpt, resource_of

SYSTEM = "EasyPost"
TRACKERS_PATH = "/v2/trackers"
DELIVERED = "delivered"


class TrackingDetail(BaseModel):
    status: str | None = None
    datetime: AwareDatetime | NaiveDatetime | None = None
    message: str | None = None


class Tracker(BaseModel):
    """The part of EasyPost's Tracker the reading needs; the rest is EasyPost's."""

    status: str = Field(min_length=1)
    carrier: str | None = None
    tracking_code: str | None = None
    est_delivery_date: AwareDatetime | NaiveDatetime | None = None
    tracking_details: list[TrackingDetail] = Field(default_factory=list)


class CarrierTracking:
    """EasyPost's Tracker API behind `client`, whose base_url and timeout the caller sets."""

    def __init__(self, client: httpx.AsyncClient, api_key: str) -> None:
        if not api_key.strip():
            raise ValueError("EasyPost needs an API key")
        self._client = client
        self._auth = httpx.BasicAuth(api_key, "")

    async def track(self, carrier: str, tracking_number: str) -> ParcelStatus:
        """Where the parcel is now; the same tracker however often it is asked."""
        if not tracking_number.strip():
            raise ValueError("a parcel is tracked by its tracking number; none was given")
        call = self._client.build_request(
            "POST", TRACKERS_PATH, json=wire_body(carrier, tracking_number)
        )
        what = f"tracker {tracking_number}"
        response = await answer_to(
            self._client, call, SYSTEM, what, auth=self._auth, reason_of=error_of
        )
        tracker = resource_of(Tracker, response, SYSTEM, what, unreadable=Unavailable)
        return parcel_status_of(tracker, carrier, tracking_number)


def wire_body(carrier: str, tracking_number: str) -> dict:
    """The tracker to create; without a carrier EasyPost guesses it from the code."""
    tracker = {"tracking_code": tracking_number.strip()}
    if carrier.strip():
        tracker["carrier"] = carrier.strip()
    return {"tracker": tracker}


def error_of(response: httpx.Response) -> tuple[str | None, str]:
    """EasyPost's `error.code` and `error.message`, else no code and the start of the body."""
    try:
        error = response.json().get("error")
    except (ValueError, AttributeError):
        error = None
    if not isinstance(error, dict):
        return None, excerpt(response)
    code = error.get("code") if isinstance(error.get("code"), str) else None
    message = error.get("message")
    if isinstance(message, str) and message.strip():
        return code, message.strip()
    return code, code or excerpt(response)


def parcel_status_of(tracker: Tracker, carrier: str, tracking_number: str) -> ParcelStatus:
    # Details come oldest first in EasyPost's answers; sorting keeps that true whatever the order.
    details = sorted(
        tracker.tracking_details,
        key=lambda detail: (detail.datetime is not None, in_utc(detail.datetime)),
    )
    deliveries = [d for d in details if d.status == DELIVERED and d.datetime is not None]
    return ParcelStatus(
        carrier=tracker.carrier or carrier,
        tracking_number=tracker.tracking_code or tracking_number,
        status=tracker.status if tracker.status in STATUSES else UNKNOWN,
        delivered_at=in_utc(deliveries[-1].datetime) if deliveries else None,
        estimated_delivery=in_utc(tracker.est_delivery_date),
        last_event=(details[-1].message or "").strip() if details else "",
    )


def in_utc(moment: datetime | None) -> datetime | None:
    """`moment` in UTC; EasyPost's times are UTC, so a naive one is read as UTC."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)
