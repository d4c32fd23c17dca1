"""The listing audit per seller (`domain/listing_audit.py`): each listing's content on
each market checked against the market's rules and its own returns, ranked by expected
saving; as JSON, CSV, or a workbook sheet (XLSX).

`GET /reports/listing-audit?seller=&market=&since=&until=&format=json|csv|xlsx`
(`SellerReader`; another seller answers 404). The listings are read from intake's catalog
API with the caller's own token (intake walls them by the caller's sellers too); intake
down answers 503, intake refusing the caller its status."""

from enum import StrEnum
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Request, Response

from services.analytics.adapters.intake_catalog_api import IntakeCatalogApi
from services.analytics.domain.workbook import csv_text, listing_audit_workbook
from services.analytics.handlers.reports import XLSX, Period
from services.analytics.handlers.what_if import credentials_of
from services.analytics.workflows.context import CurrentAnalytics
from services.analytics.workflows.listing_audit import audit_seller
from shared.identity import SellerReader
from shared.markets import Market
from shared.outbound import Refused, Unavailable
from shared.routes import attachment
from shared.service import CurrentService

router = APIRouter(tags=["reports"])


class AuditFormat(StrEnum):
    JSON = "json"
    CSV = "csv"
    XLSX = "xlsx"


@router.get(
    "/reports/listing-audit",
    summary="Each listing checked per market against the market's rules and its own returns, "
    "ranked by expected saving",
    responses={200: {"content": {"text/csv": {}, XLSX: {}}}},
)
async def listing_audit_report(
    request: Request,
    caller: SellerReader,
    service: CurrentService,
    analytics: CurrentAnalytics,
    seller: str,
    period: Annotated[Period, Depends()],
    market: Market | None = None,
    format: AuditFormat = AuditFormat.JSON,
) -> Any:
    caller.seller_or_404(seller, "seller")
    period.seller = seller
    period.market = market.value if market else None
    intake = analytics.service_apis.get("intake")
    if intake is None:
        raise HTTPException(503, "intake's catalog API is not configured")
    catalog = IntakeCatalogApi(intake)
    try:
        async with service.sessions() as session:
            findings = await audit_seller(
                session,
                catalog,
                seller,
                period.conditions(),
                credentials_of(request),
                period.market,
            )
    except Unavailable as unavailable:
        raise HTTPException(503, f"intake is unreachable: {unavailable.reason}") from None
    except Refused as refused:
        status = refused.status if refused.status in (401, 403) else 502
        raise HTTPException(status, f"intake refused the catalog: {refused.reason}") from None
    if format is AuditFormat.CSV:
        return Response(
            csv_text([finding.as_row() for finding in findings]),
            media_type="text/csv; charset=utf-8",
            headers=attachment(f"listing-audit-{seller}.csv"),
        )
    if format is AuditFormat.XLSX:
        data = listing_audit_workbook(seller, findings)
        return Response(data, media_type=XLSX, headers=attachment(f"listing-audit-{seller}.xlsx"))
    return {
        "seller": seller,
        "period": period.label(),
        "findings": [finding.as_row() for finding in findings],
        "saving_minor": _savings(findings),
    }


def _savings(findings) -> dict[str, int]:
    """The expected savings added up per currency."""
    totals: dict[str, int] = {}
    for finding in findings:
        if finding.currency:
            totals[finding.currency] = totals.get(finding.currency, 0) + finding.saving_minor
    return totals
