"""Amazon's Reports API (2021-06-30): the returns reports, asked for and fetched.

Follows "Reports API v2021-06-30 use case guide"
(https://developer-docs.amazon.com/sp-api/docs/reports-api-v2021-06-30-use-case-guide):
- createReport: `POST /reports/2021-06-30/reports` with `{"reportType", "marketplaceIds",
  "dataStartTime", "dataEndTime"}`, answered 202 `{"reportId"}`;
- getReport: `GET /reports/2021-06-30/reports/{reportId}`, whose `processingStatus` is
  IN_QUEUE, IN_PROGRESS, then DONE (with `reportDocumentId`), FATAL (maybe with a
  `reportDocumentId` naming why) or CANCELLED (by request, or by Amazon when the window
  holds no data);
- getReportDocument: `GET /reports/2021-06-30/documents/{reportDocumentId}`, answered
  `{"reportDocumentId", "url", "compressionAlgorithm": "GZIP"?}`; the document is fetched
  from that presigned URL within five minutes and gunzipped (`sp_api.download`).
Rate limits (createReport 0.0167/s, getReport 2/s, getReportDocument 0.0167/s) surface as
429, read by `sp_api`.
"""

from datetime import UTC, datetime
from enum import StrEnum

from pydantic import AwareDatetime, BaseModel, ConfigDict
from pydantic.alias_generators import to_camel

from services.intake.channels.amazon.sp_api import SellingPartner, call, download
from services.intake.channels.marketplace import MarketplaceApis
from shared.outbound import resource_of

REPORTS = "/reports/2021-06-30"


class Camel(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, frozen=True)


class ProcessingStatus(StrEnum):
    IN_QUEUE = "IN_QUEUE"
    IN_PROGRESS = "IN_PROGRESS"
    DONE = "DONE"
    FATAL = "FATAL"
    CANCELLED = "CANCELLED"


class CreateReportResponse(Camel):
    report_id: str


class Report(Camel):
    report_id: str
    report_type: str
    processing_status: ProcessingStatus
    created_time: AwareDatetime
    data_start_time: AwareDatetime | None = None
    data_end_time: AwareDatetime | None = None
    report_document_id: str | None = None


class ReportDocument(Camel):
    report_document_id: str
    url: str
    compression_algorithm: str | None = None


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


async def create_report(
    apis: MarketplaceApis,
    partner: SellingPartner,
    report_type: str,
    start: datetime,
    end: datetime,
) -> str:
    """Ask for the report of the window [start, end] in every marketplace of the account;
    its report id."""
    what = f"a {report_type} report of seller {partner.account}"
    body = {
        "reportType": report_type,
        "marketplaceIds": list(partner.marketplace_ids),
        "dataStartTime": iso(start),
        "dataEndTime": iso(end),
    }
    response = await call(apis, partner, "POST", f"{REPORTS}/reports", what, json=body)
    return resource_of(CreateReportResponse, response, "Amazon SP-API", what).report_id


async def get_report(apis: MarketplaceApis, partner: SellingPartner, report_id: str) -> Report:
    what = f"report {report_id}"
    response = await call(apis, partner, "GET", f"{REPORTS}/reports/{report_id}", what)
    return resource_of(Report, response, "Amazon SP-API", what)


async def report_document(
    apis: MarketplaceApis, partner: SellingPartner, document_id: str
) -> bytes:
    """The document's content, downloaded and unzipped."""
    what = f"report document {document_id}"
    response = await call(apis, partner, "GET", f"{REPORTS}/documents/{document_id}", what)
    document = resource_of(ReportDocument, response, "Amazon SP-API", what)
    return await download(apis, document.url, document.compression_algorithm, what)
