"""What several routes answer alike: a warehouse that does not exist (404), a move its
lifecycle refuses (409), the buyer's address intake holds none of (410) or cannot give
now (503)."""

from collections.abc import Iterator
from contextlib import contextmanager

from fastapi import HTTPException

from services.fulfillment.domain.warehouses import WAREHOUSE_BY_CODE, Warehouse
from services.fulfillment.workflows.context import Fulfillment
from shared.labels import PostalAddress
from shared.lifecycle import IllegalTransition
from shared.outbound import Refused, Unavailable


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
        raise HTTPException(503, str(unavailable)) from unavailable
