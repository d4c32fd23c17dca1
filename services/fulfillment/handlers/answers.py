"""What several routes answer alike: a warehouse that does not exist (404), a move its
lifecycle refuses (409), the buyer's address intake holds none of (410) or cannot give
now (503), and the carrier's answers: not now (503 with Retry-After: try again), or no
(422 with EasyPost's reason)."""

import math
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, Literal

from fastapi import HTTPException, Query, Response

from services.fulfillment.domain.carriers import ShippingRefused
from services.fulfillment.domain.warehouses import WAREHOUSE_BY_CODE, Warehouse
from services.fulfillment.workflows.context import Fulfillment
from shared.labels import PostalAddress
from shared.lifecycle import IllegalTransition
from shared.outbound import Refused, Unavailable

DEFAULT_RETRY_AFTER_SECONDS = 5

# Which label a download gives: the carrier's file, or one drawn here.
LabelSource = Literal["carrier", "drawn"]
LabelChoice = Annotated[
    LabelSource | None, Query(description="carrier: the carrier's file; drawn: drawn here")
]


def warehouse_of(code: str) -> Warehouse:
    if code not in WAREHOUSE_BY_CODE:
        raise HTTPException(404, f"no warehouse {code}")
    return WAREHOUSE_BY_CODE[code]


@contextmanager
def illegal_as_409() -> Iterator[None]:
    try:
        yield
    except IllegalTransition as refusal:
        raise HTTPException(409, refusal.reason) from refusal


async def buyer_address(fulfillment: Fulfillment, case_id: str) -> PostalAddress:
    """The address a label is drawn with, or the HTTP error: 410 none, 503 not now."""
    try:
        return await fulfillment.ship_to.address_of(case_id)
    except Refused as unknown:
        raise HTTPException(410, str(unknown)) from unknown
    except Unavailable as unavailable:
        raise not_now(unavailable) from unavailable


@contextmanager
def carrier_answers() -> Iterator[None]:
    """EasyPost not answering now: 503 with Retry-After, the request is safe to repeat (a
    label bought meanwhile is read back, not bought again); EasyPost (or the rate cards)
    saying no: 422 with the reason."""
    try:
        yield
    except Unavailable as unavailable:
        raise not_now(unavailable) from unavailable
    except (Refused, ShippingRefused) as refusal:
        raise HTTPException(422, str(refusal)) from refusal


def not_now(unavailable: Unavailable) -> HTTPException:
    seconds = max(1, math.ceil(unavailable.retry_after or DEFAULT_RETRY_AFTER_SECONDS))
    detail = f"{unavailable}; try again in {seconds} s"
    return HTTPException(503, detail, headers={"Retry-After": str(seconds)})


async def carrier_file(fulfillment: Fulfillment, url: str | None) -> Response:
    """The carrier's label file, fetched from where EasyPost keeps it."""
    if fulfillment.labels is None or url is None:
        raise HTTPException(404, "the carrier's label file cannot be reached: no carrier account")
    try:
        content, media_type = await fulfillment.labels.label_file(url)
    except Unavailable as unavailable:
        raise not_now(unavailable) from unavailable
    return Response(content, media_type=media_type)
