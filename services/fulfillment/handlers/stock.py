"""Stock counts per warehouse, and the warehouse systems that get tasks by webhook."""

from fastapi import APIRouter, HTTPException
from pydantic import AnyHttpUrl, BaseModel, Field
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert

from services.fulfillment.domain.warehouses import WAREHOUSES, Warehouse
from services.fulfillment.handlers.tasks import warehouse_of
from services.fulfillment.tables import StockLevel, WarehouseEndpoint
from services.fulfillment.workflows.warehouse_deliveries import delivery_log, new_secret
from shared.access import AgentOnly, WarehouseStaff
from shared.messaging_tables import utc_now
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
        level = await session.scalar(
            insert(StockLevel)
            .values(warehouse=warehouse, sku=sku, bin=count.bin, on_hand=count.on_hand, reserved=0)
            .on_conflict_do_update(
                index_elements=[StockLevel.warehouse, StockLevel.sku],
                set_={"on_hand": count.on_hand, "bin": count.bin},
                where=StockLevel.reserved <= count.on_hand,
            )
            .returning(StockLevel)
        )
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


class Endpoint(BaseModel):
    url: AnyHttpUrl


@router.put(
    "/warehouses/{code}/webhook",
    summary="Push this warehouse's dispatch tasks to its own system",
    dependencies=[AgentOnly],
)
async def register_webhook(code: str, endpoint: Endpoint, service: CurrentService) -> dict:
    """Answers the signing secret (Standard Webhooks); registering again keeps it."""
    warehouse_of(code)
    async with service.transaction() as session:
        registered = await session.scalar(
            insert(WarehouseEndpoint)
            .values(
                warehouse=code, url=str(endpoint.url), secret=new_secret(), registered_at=utc_now()
            )
            .on_conflict_do_update(
                index_elements=[WarehouseEndpoint.warehouse], set_={"url": str(endpoint.url)}
            )
            .returning(WarehouseEndpoint)
        )
        return {"warehouse": code, "url": registered.url, "secret": registered.secret}


@router.delete("/warehouses/{code}/webhook", status_code=204, dependencies=[AgentOnly])
async def remove_webhook(code: str, service: CurrentService) -> None:
    warehouse_of(code)
    async with service.transaction() as session:
        endpoint = await session.get(WarehouseEndpoint, code)
        if endpoint is None:
            raise HTTPException(404, f"warehouse {code} has no webhook")
        await session.delete(endpoint)


@router.get(
    "/warehouses/{code}/webhook/deliveries",
    summary="The delivery log: each task pushed and every attempt",
    dependencies=[AgentOnly],
)
async def list_deliveries(code: str, service: CurrentService) -> list[dict]:
    warehouse_of(code)
    async with service.sessions() as session:
        return await delivery_log(session, code)
