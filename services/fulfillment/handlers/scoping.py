"""The wall between warehouses: staff reach their own warehouses (`warehouses` in their
token) only, and anything of another, a task, a held parcel, an origin shipment, its
stock, answers 404 as one that does not exist."""

from fastapi import HTTPException

from services.fulfillment.domain.warehouses import Warehouse
from services.fulfillment.handlers.answers import warehouse_of
from shared.identity import Principal


def staff_warehouse(caller: Principal, code: str) -> Warehouse:
    """The caller's own warehouse; another answers as one that does not exist."""
    if not caller.works_at(code):
        raise HTTPException(404, f"no warehouse {code}")
    return warehouse_of(code)


def staff_or_404(caller: Principal, warehouse: str, missing: str) -> None:
    """Something of another warehouse answers as one that does not exist (`missing`)."""
    if not caller.works_at(warehouse):
        raise HTTPException(404, missing)
