"""The warehouse systems that get each dispatch task by signed webhook: registered and
removed by the platform's admins (the warehouses are the platform's, not a seller's),
with the delivery log of every task pushed and every attempt."""

from fastapi import APIRouter, HTTPException
from pydantic import AnyHttpUrl, BaseModel

from services.fulfillment.handlers.answers import warehouse_of
from services.fulfillment.workflows import warehouse_deliveries
from services.fulfillment.workflows.context import CurrentFulfillment
from shared.identity import PlatformAdmin
from shared.service import CurrentService

router = APIRouter(tags=["warehouses"])


class Endpoint(BaseModel):
    url: AnyHttpUrl


@router.put(
    "/warehouses/{code}/webhook",
    summary="Push this warehouse's dispatch tasks to its own system",
)
async def register_webhook(
    code: str,
    endpoint: Endpoint,
    service: CurrentService,
    context: CurrentFulfillment,
    _: PlatformAdmin,
) -> dict:
    """Answers the signing secret (Standard Webhooks); registering again keeps it. A URL
    that is not a public https address (after DNS resolution) is refused."""
    warehouse_of(code)
    if refusal := await context.warehouse_webhooks.refusal_of(str(endpoint.url)):
        raise HTTPException(422, refusal)
    async with service.transaction() as session:
        registered = await warehouse_deliveries.register(session, code, str(endpoint.url))
        return {"warehouse": code, "url": registered.url, "secret": registered.secret}


@router.delete("/warehouses/{code}/webhook", status_code=204)
async def remove_webhook(code: str, service: CurrentService, _: PlatformAdmin) -> None:
    warehouse_of(code)
    async with service.transaction() as session:
        if not await warehouse_deliveries.unregister(session, code):
            raise HTTPException(404, f"warehouse {code} has no webhook")


@router.get(
    "/warehouses/{code}/webhook/deliveries",
    summary="The delivery log: each task pushed and every attempt",
)
async def list_deliveries(code: str, service: CurrentService, _: PlatformAdmin) -> list[dict]:
    warehouse_of(code)
    async with service.sessions() as session:
        return await warehouse_deliveries.delivery_log(session, code)
