"""The seller's sales feed in: units sold per listing and day, as JSON or a CSV upload, by
the seller's admin (another seller's answers 404)."""

from fastapi import APIRouter, HTTPException, Request
from pydantic import TypeAdapter, ValidationError
from sqlalchemy.dialects.postgresql import insert

from services.analytics.domain.sales import SalesDay, SalesRefused, parse_sales_csv
from services.analytics.tables import UnitsSold
from shared.identity import SellerAdmin
from shared.service import CurrentService

router = APIRouter(tags=["sales feed"])

DAYS = TypeAdapter(list[SalesDay])
MAX_ROWS = 100_000


async def _sales_days(request: Request) -> list[SalesDay]:
    body = (await request.body()).decode("utf-8-sig", errors="replace")
    try:
        if request.headers.get("content-type", "").startswith("text/csv"):
            return parse_sales_csv(body)
        return DAYS.validate_json(body)
    except SalesRefused as refusal:
        raise HTTPException(422, str(refusal)) from refusal
    except ValidationError as error:
        problem = error.errors()[0]
        where = ".".join(str(part) for part in problem["loc"])
        raise HTTPException(422, f"{where}: {problem['msg']}") from error


@router.put(
    "/sales/{seller}",
    summary="Units sold per listing and day, optionally per market "
    "(JSON list, or text/csv with sku,day,units[,market])",
)
async def record_sales(
    seller: str, request: Request, caller: SellerAdmin, service: CurrentService
) -> dict:
    """A day sent again (for the same market, or for all) replaces what was sent before
    for it, so re-sending a file is safe."""
    caller.seller_or_404(seller, "seller")
    days = await _sales_days(request)
    if len(days) > MAX_ROWS:
        raise HTTPException(413, f"at most {MAX_ROWS} rows per upload")
    if days:
        rows = [
            {"seller_account": seller, **day.model_dump(), "market": day.market or ""}
            for day in days
        ]
        statement = insert(UnitsSold.__table__)
        upsert = statement.on_conflict_do_update(
            index_elements=["seller_account", "sku", "day", "market"],
            set_={"units": statement.excluded.units},
        )
        async with service.transaction() as session:
            await session.execute(upsert, rows)  # many parameter sets: any number of rows
    return {"seller": seller, "days": len(days)}
