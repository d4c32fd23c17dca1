"""The local warehouses, and the stock staff count in them: staff list, count and read
their own warehouses only (another's answers 404)."""

from fastapi import APIRouter, HTTPException
from pydantic import BaseModel, Field
from sqlalchemy import select

from services.fulfillment.domain.warehouses import WAREHOUSES, Warehouse
from services.fulfillment.handlers.scoping import staff_warehouse
from services.fulfillment.tables import StockLevel
from services.fulfillment.workflows import stock
from shared.identity import WarehouseStaff
from shared.service import CurrentService

router = APIRouter(tags=["warehouses"])


@router.get("/warehouses", summary="The staff member's local warehouses")
async def list_warehouses(caller: WarehouseStaff) -> list[Warehouse]:
    return [warehouse for warehouse in WAREHOUSES if caller.works_at(warehouse.code)]


class StockCount(BaseModel):
    on_hand: int = Field(ge=0, le=1_000_000)
    bin: str = Field(min_length=1, max_length=40)


@router.put("/stock/{warehouse}/{sku}", summary="Set the counted stock of a SKU in a warehouse")
async def count_stock(
    warehouse: str, sku: str, count: StockCount, service: CurrentService, caller: WarehouseStaff
) -> StockLevel:
    staff_warehouse(caller, warehouse)
    async with service.transaction() as session:
        level = await stock.count(session, warehouse, sku, count.on_hand, count.bin)
        if level is None:
            raise HTTPException(409, f"{count.on_hand} on hand is fewer than the units reserved")
        return level


@router.get("/stock/{warehouse}", summary="Stock of a warehouse")
async def list_stock(
    warehouse: str, service: CurrentService, caller: WarehouseStaff
) -> list[StockLevel]:
    staff_warehouse(caller, warehouse)
    async with service.sessions() as session:
        rows = await session.scalars(
            select(StockLevel).where(StockLevel.warehouse == warehouse).order_by(StockLevel.sku)
        )
        return list(rows)
