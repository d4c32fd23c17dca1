"""The wall between repair shops: technicians reach the units of their own shops (the
warehouses where their bench is: `repair_shops` in their token) only; another shop's
inspection, repair, relabel task or lot answers 404 as one that does not exist, and lists
hold their shops' rows only."""

from typing import Any

from fastapi import HTTPException
from sqlalchemy import ColumnElement

from shared.identity import Principal


def at_shops(caller: Principal, warehouse: Any) -> ColumnElement[bool]:
    """The SQL condition that keeps a query to the caller's repair shops."""
    return warehouse.in_(sorted(caller.repair_shops))


def at_shop(caller: Principal, warehouse: str, missing: str) -> None:
    """Another repair shop's unit answers as one that does not exist (`missing`)."""
    if not caller.repairs_at(warehouse):
        raise HTTPException(404, missing)


def shop_of(caller: Principal, code: str) -> None:
    """The caller's own repair shop; another answers as one that does not exist."""
    at_shop(caller, code, f"no repair shop {code}")
