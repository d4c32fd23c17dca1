"""The refund protocol, served to resolution (a service's token, `ServiceCall`): each refund
it decides is paid through the case's marketplace, once per idempotency key
(`workflows/refunding.py`).

    POST /v1/refunds   Idempotency-Key: <refund id>   (the body: `domain/refunds.py`)

- 201 and the refund, new; 200 and the same answer for a key paid before (a replay);
- 422 with a `detail` sentence naming the field: a key reused with another body, an
  invalid body, a case whose order, account, marketplace or currency differ from the body,
  a seller account intake does not hold; 404: a case intake does not hold;
- the marketplace's refusal: its own 4xx status (422 when that status means something
  else here) with its reason as `detail`; resolution reads every one of these as refused;
- 503 with Retry-After: the marketplace is unavailable (or another try of the key is under
  way): try again later with the same key and body.

For the sellers' people: `GET /refunds` (by state, by case: a refused one says why;
`SellerReader`) and `POST /refunds/{refund_id}/retry` (`SellerAgent`), a refused refund
asked again once its cause is fixed (then resolution's refund is set pending again:
docs/operations.md); their sellers' refunds only, another seller's answers 404.
"""

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Header, HTTPException, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ValidationError

from services.intake.domain.case import ChannelError
from services.intake.domain.refunds import INVALID, RefundAsked, RefundState
from services.intake.handlers.refusals import read_body
from services.intake.tables import RefundRecord
from services.intake.workflows import refunding
from services.intake.workflows.context import CurrentIntake
from shared.identity import SellerAgent, SellerReader, ServiceCall
from shared.lifecycle import IllegalTransition
from shared.outbound import Unavailable
from shared.routes import found
from shared.service import CurrentService

router = APIRouter(tags=["refunds"])

REFUNDS_PATH = "/v1/refunds"
MAX_KEY_CHARS = 255
ACCOUNT = RefundRecord.__table__.c.account


@router.post(
    REFUNDS_PATH, summary="Pay a refund through the case's marketplace, once per Idempotency-Key"
)
async def pay_refund(
    request: Request,
    intake: CurrentIntake,
    caller: ServiceCall,
    idempotency_key: Annotated[str | None, Header(alias="Idempotency-Key")] = None,
) -> JSONResponse:
    # The body is read by hand so that an invalid one gets the protocol's `detail`
    # sentence rather than FastAPI's list of validation errors.
    problem = key_problem_of(idempotency_key)
    if problem:
        return answered(INVALID, problem)
    try:
        body = await read_body(request, intake.service.settings.webhook_max_body_bytes)
        asked = RefundAsked.model_validate_json(body)
    except ChannelError as error:
        return answered(error.status, str(error.detail))
    except ValidationError as error:
        return answered(INVALID, invalid_body_reason(error))
    try:
        settled = await refunding.pay(intake, idempotency_key, asked)
    except refunding.RefundRefused as refusal:
        return answered(refusal.status, refusal.detail)
    except Unavailable as failure:
        retry_after = str(refunding.retry_after_seconds(failure))
        return answered(503, str(failure), {"Retry-After": retry_after})
    return JSONResponse(settled.answer, status_code=201 if settled.new else 200)


def key_problem_of(key: str | None) -> str | None:
    if key is None or not key.strip():
        return "the Idempotency-Key header is required: it is what makes a retry safe"
    if len(key) > MAX_KEY_CHARS:
        return f"the Idempotency-Key header is longer than {MAX_KEY_CHARS} characters"
    return None


def invalid_body_reason(error: ValidationError) -> str:
    first = error.errors()[0]
    if first["type"] == "json_invalid":
        return "invalid refund: the body is not JSON"
    where = ".".join(str(part) for part in first["loc"]) or "body"
    return f"invalid refund: {where}: {first['msg']}"


def answered(status: int, detail: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"detail": detail}, status_code=status, headers=headers)


class RefundView(BaseModel):
    refund_id: str
    case_id: str
    channel: str
    account: str
    order_id: str
    state: str
    attempts: int
    marketplace_refund_id: str | None
    credit_code: str | None  # store credit: the gift card's code
    paid_minor: int | None
    paid_currency: str | None
    refusal_status: int | None
    error: str | None
    asked_at: datetime
    settled_at: datetime | None


@router.get("/refunds", summary="Refunds paid through intake")
async def list_refunds(
    service: CurrentService,
    caller: SellerReader,
    state: RefundState | None = None,  # `refused`: those an agent must look at, with why
    case_id: str | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[RefundView]:
    async with service.transaction() as session:
        records = await refunding.listed(session, state, case_id, limit, caller.sellers_in(ACCOUNT))
    return [RefundView.model_validate(record, from_attributes=True) for record in records]


@router.post(
    "/refunds/{refund_id}/retry",
    summary="Ask the marketplace again for a refused refund, its cause fixed",
)
async def retry_refund(
    refund_id: str, service: CurrentService, caller: SellerAgent
) -> dict[str, Any]:
    async with service.transaction() as session:
        try:
            record = await refunding.reopen(session, refund_id, caller.sellers_in(ACCOUNT))
        except IllegalTransition as refused:
            raise HTTPException(409, refused.reason) from refused
        record = found(record, f"no refund {refund_id}")
    return {"refund_id": refund_id, "state": record.state}
