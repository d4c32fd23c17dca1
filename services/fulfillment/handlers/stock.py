"""The local warehouses, and the stock staff count in them."""

from fastapi import APIRouter, HTTPException
from pydantic import BaseModel, Field
from sqlalchemy import select

from services.fulfillment.domain.warehouses import WAREHOUSES, Warehouse
from services.fulfillment.handlers.answers import warehouse_of
from services.fulfillment.tables import StockLevel
from services.fulfillment.workflows import stock
from shared.access import WarehouseStaff
from shared.service import CurrentService

router = APIRouter(tags=["warehouses"])


@router.get("/warehouses", summary="The local warehouses")
async def list_warehouses() -> list[Warehouse]:
    return list(WAREHOUSES)


class StockCount(BaseModel):
    on_hand: int = Field(ge=0, le=1_000_000)
    bin: str = Field(min_length=1, max_length=40)


@router.put("/stock/{warehouse}/{sku}", summary="Set the counted stock of a SKU in a warehouse")
async def count_stock(
    warehouse: str, sku: str, count: StockCount, service: CurrentService, _: WarehouseStaff
) -> StockLevel:
    warehouse_of(warehouse)
    async with service.transaction() as session:
        level = await stock.count(session, warehouse, sku, count.on_hand, count.bin)
        if level is None:
            raise HTTPException(409, f"{count.on_hand} on hand is fewer than the units reserved")
        return level


@router.get("/stock/{warehouse}", summary="Stock of a warehouse")
async def list_stock(warehouse: str, service: CurrentService) -> list[StockLevel]:
    warehouse_of(warehouse)
    async with service.sessions() as session:
        rows = await session.scalars(
            select(StockLevel).where(StockLevel.warehouse == warehouse).order_by(StockLevel.sku)
        )
        return list(rows)
