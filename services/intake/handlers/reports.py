"""Amazon return reports: Amazon has no return webhooks, so a seller uploads the reports.

Both report types are accepted (seller-fulfilled returns, FBA customer returns), as the
raw tab-separated file. Each good row is stored as a delivery keyed by its RMA id or
license plate number, so uploading the same report again opens nothing twice; a bad
row is reported with its line number and the column at fault, and the rest go ahead.
"""

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse

from services.intake.channels.amazon.reports import parse_report
from services.intake.domain.case import Channel, ChannelError
from services.intake.handlers.refusals import read_body, refusal
from services.intake.workflows.context import CurrentIntake
from shared.access import AgentOnly
from shared.markets import Market

router = APIRouter(prefix="/reports", tags=["marketplace reports"], dependencies=[AgentOnly])


@router.post("/amazon/{account}", summary="Upload an Amazon returns report (tab-separated)")
async def upload_amazon_report(
    account: str,
    request: Request,
    intake: CurrentIntake,
    market: Annotated[Market | None, Query(description="the marketplace the report is for")] = None,
) -> JSONResponse:
    service = intake.service
    try:
        body = await read_body(request, service.settings.webhook_max_body_bytes * 16)
        known = await intake.accounts.find(Channel.AMAZON, account)
        if known is None:
            raise ChannelError(404, "unknown_account", f"no amazon account {account!r}")
        market = market or (Market(known.default_market) if known.default_market else None)
        if market is None:
            raise ChannelError(
                422, "market_unknown", "say ?market=: the account has none", "market"
            )
        try:
            report = parse_report(body, seller_account=account, market=market)
        except ValueError as error:
            raise ChannelError(422, "unreadable_report", str(error)) from error
    except ChannelError as error:
        return refusal(service, "amazon", error)
    accepted = await intake.acceptance.accept_parsed(report.deliveries)
    if report.rejected_rows:
        service.counter("intake.rejections", "requests refused").add(
            len(report.rejected_rows), {"reason": "report_row", "channel": "amazon"}
        )
    return JSONResponse(
        {
            "report": report.kind.value,
            "cases": len(report.deliveries),
            "new": accepted,
            "duplicates": len(report.deliveries) - accepted,
            "rejected_rows": [row.model_dump() for row in report.rejected_rows],
        }
    )
