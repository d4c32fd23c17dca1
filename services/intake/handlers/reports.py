"""Amazon return reports: polled from the Reports API for every authorised account
(`workers/amazon_reports.py`), and uploaded here for back-fills.

Both report types are accepted (seller-fulfilled returns, FBA customer returns), as the
raw tab-separated file (or gzipped, as the Reports API gives it). A file that is not a
whole returns report (cut short, not tab-separated, not Amazon's header) is refused with
the line and column at fault, and nothing of it is kept. Each good return is stored as a
delivery keyed by its RMA id or license plate number (the same key a polled report
gives), so uploading the same report again, or one the poll read already, opens nothing
twice; a bad row is reported with its line number and the column at fault, and the rest
go ahead. A row's market comes from the row or, for an account intake can read orders
for, from its order: `?market=` is only the default for the rows neither names.

A seller's agent uploads for the seller accounts they serve (`SellerAgent`; another
seller's account answers 404 as an unknown one). The sellers' people see the polls
(`GET /amazon/report-polls`: each account's window, last report, last failure and its
cause) and the returns waiting for their order or failed
(`GET /amazon/returns?state=failed`) of their accounts (`SellerReader`), and their agents
try the failed ones again (`POST /amazon/returns/retry`).
"""

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse

from services.intake.channels.amazon.reports import read_report
from services.intake.channels.amazon.sp_api import selling_partner
from services.intake.domain.case import Channel, ChannelError
from services.intake.handlers.refusals import read_body, refusal
from services.intake.tables import AmazonReportPoll, AmazonReturnRows
from services.intake.workflows import amazon_reports, amazon_returns
from services.intake.workflows.context import CurrentIntake
from shared.identity import SellerAgent, SellerReader
from shared.markets import Market

router = APIRouter(tags=["marketplace reports"])

POLLED_ACCOUNT = AmazonReportPoll.__table__.c.account
RETURN_ACCOUNT = AmazonReturnRows.__table__.c.account

# A report is a tab-separated text file, gzipped or not; no Content-Type is one too.
REPORT_MEDIA_TYPES = ("text/", "application/octet-stream", "application/gzip", "application/x-gzip")


def ensure_report_media_type(content_type: str | None) -> None:
    media_type = (content_type or "").split(";", 1)[0].strip().lower()
    if media_type and not media_type.startswith(REPORT_MEDIA_TYPES):
        raise ChannelError(
            415,
            "unsupported_media_type",
            f"a returns report is tab-separated text (or gzipped), not {media_type}",
            "content-type",
        )


@router.post("/reports/amazon/{account}", summary="Upload an Amazon returns report (tab-separated)")
async def upload_amazon_report(
    account: str,
    request: Request,
    intake: CurrentIntake,
    caller: SellerAgent,
    market: Annotated[
        Market | None,
        Query(description="the marketplace of the rows that name none (default: the account's)"),
    ] = None,
) -> JSONResponse:
    service = intake.service
    try:
        ensure_report_media_type(request.headers.get("content-type"))
        body = await read_body(request, service.settings.webhook_max_body_bytes * 16)
        known = await intake.accounts.find(Channel.AMAZON, account)
        if known is None or not caller.serves(account):
            raise ChannelError(404, "unknown_account", f"no amazon account {account!r}")
        market = market or (Market(known.default_market) if known.default_market else None)
        if market is None and selling_partner(known) is None:
            raise ChannelError(
                422,
                "market_unknown",
                "say ?market=: the account has none, and no SP-API authorisation to read "
                "each row's order",
                "market",
            )
        try:
            report = read_report(body)
        except ValueError as error:
            raise ChannelError(422, "unreadable_report", str(error)) from error
    except ChannelError as error:
        return refusal(service, "amazon", error)
    outcome = await amazon_returns.take_report(intake, account, report, market, "upload")
    if outcome.rejected_rows:
        service.counter("intake.rejections", "requests refused").add(
            len(outcome.rejected_rows), {"reason": "report_row", "channel": "amazon"}
        )
    return JSONResponse(
        {
            "report": report.kind.value,
            "cases": outcome.returns,
            "new": outcome.new,
            "duplicates": outcome.duplicates,
            "rejected_rows": [row.model_dump() for row in outcome.rejected_rows],
        }
    )


@router.get("/amazon/report-polls", summary="Each Amazon account's returns reports, polled")
async def report_polls(
    intake: CurrentIntake, caller: SellerReader, account: str | None = None
) -> list[dict[str, Any]]:
    return await amazon_reports.polls(intake, caller.sellers_in(POLLED_ACCOUNT), account)


@router.get("/amazon/returns", summary="Amazon returns waiting for their order, or failed")
async def waiting_returns(
    intake: CurrentIntake,
    caller: SellerReader,
    state: Annotated[str, Query(pattern="^(waiting|opened|failed)$")] = amazon_returns.FAILED,
    account: str | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[dict[str, Any]]:
    scope = caller.sellers_in(RETURN_ACCOUNT)
    return await amazon_returns.returns_in(intake, state, scope, account, limit)


@router.post("/amazon/returns/retry", summary="Failed Amazon returns tried again")
async def retry_failed_returns(
    intake: CurrentIntake, caller: SellerAgent, account: str | None = None
) -> dict:
    """Once their cause is fixed (an account authorised again, an order Amazon shows now);
    the caller's sellers' returns only."""
    scope = caller.sellers_in(RETURN_ACCOUNT)
    return {"retried": await amazon_returns.retry_failed(intake, scope, account)}
