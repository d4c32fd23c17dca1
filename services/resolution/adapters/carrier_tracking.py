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

How `track` reads the answers: no answer in time, no connection, 408, 425, 429 and 5xx
are `TrackingNotYetKnown` (ask again later, after `retry_after` seconds when EasyPost
says), and so is a 2xx without a readable tracker; any other non-2xx (401/403 a bad key,
404, 422 an unknown carrier or code) is `TrackingRefused`, with the status and EasyPost's
own message.
"""

from dataclasses import dataclass
from datetime import UTC, datetime

import httpx
from pydantic import AwareDatetime, BaseModel, Field, NaiveDatetime, ValidationError

from services.resolution.marketplace_refunds import excerpt, retry_after_of

TRACKERS_PATH = "/v2/trackers"
TRANSIENT_STATUSES = {408, 425, 429}
STATUSES = frozenset(
    {
        "unknown",
        "pre_transit",
        "in_transit",
        "out_for_delivery",
        "delivered",
        "available_for_pickup",
        "return_to_sender",
        "failure",
        "cancelled",
        "error",
    }
)
UNKNOWN, DELIVERED = "unknown", "delivered"


@dataclass(frozen=True)
class ParcelStatus:
    """Where the carrier says the parcel is; datetimes are aware, in UTC."""

    carrier: str
    tracking_number: str
    status: str  # one of `STATUSES`; a value EasyPost adds later reads as "unknown"
    delivered_at: datetime | None  # the latest "delivered" tracking detail
    estimated_delivery: datetime | None
    last_event: str  # the latest tracking detail's message, "" if none


class TrackingFailure(Exception):
    """A lookup EasyPost did not answer; `status` is the HTTP status when there was one."""

    def __init__(self, tracking_number: str, reason: str, status: int | None = None):
        super().__init__(f"tracking {tracking_number}: {reason}")
        self.tracking_number = tracking_number
        self.reason = reason
        self.status = status


class TrackingNotYetKnown(TrackingFailure):
    """Worth asking again, after `retry_after` seconds when known."""

    def __init__(
        self,
        tracking_number: str,
        reason: str,
        status: int | None = None,
        retry_after: float | None = None,
    ):
        super().__init__(tracking_number, reason, status)
        self.retry_after = retry_after


class TrackingRefused(TrackingFailure):
    """Will never work as asked (bad key, unknown carrier or code); `message` is EasyPost's."""

    def __init__(
        self, tracking_number: str, reason: str, status: int, code: str | None, message: str
    ):
        super().__init__(tracking_number, reason, status)
        self.code = code
        self.message = message


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
        try:
            response = await self._client.send(call, auth=self._auth)
        except httpx.TimeoutException as error:
            raise TrackingNotYetKnown(tracking_number, "no answer in time") from error
        except httpx.TransportError as error:
            raise TrackingNotYetKnown(tracking_number, f"unreachable: {error!r}") from error
        ensure_success(response, tracking_number)
        return parcel_status_of(tracker_of(response, tracking_number), carrier, tracking_number)


def wire_body(carrier: str, tracking_number: str) -> dict:
    """The tracker to create; without a carrier EasyPost guesses it from the code."""
    tracker = {"tracking_code": tracking_number.strip()}
    if carrier.strip():
        tracker["carrier"] = carrier.strip()
    return {"tracker": tracker}


def ensure_success(response: httpx.Response, tracking_number: str) -> None:
    status = response.status_code
    if response.is_success:
        return
    if status in TRANSIENT_STATUSES or status >= 500:
        reason = f"answered {status}; ask again later"
        raise TrackingNotYetKnown(tracking_number, reason, status, retry_after_of(response))
    code, message = error_of(response)
    reason = f"answered {status}: {message}"
    raise TrackingRefused(tracking_number, reason, status, code, message)


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


def tracker_of(response: httpx.Response, tracking_number: str) -> Tracker:
    try:
        return Tracker.model_validate_json(response.content)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "body"
        reason = (
            f"answered {response.status_code} without a readable tracker "
            f"({where}: {first['msg']}); ask again later"
        )
        raise TrackingNotYetKnown(tracking_number, reason, response.status_code) from error


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
