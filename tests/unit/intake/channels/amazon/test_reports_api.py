"""The Reports API client (`services/intake/channels/amazon/reports_api.py`) against the
emulated Amazon: a report asked for, looked at until done, its document unzipped."""

from datetime import UTC, datetime, timedelta

from services.intake.channels.amazon import reports_api
from services.intake.channels.amazon.reports import ReportKind, read_report
from services.intake.channels.amazon.reports_api import ProcessingStatus
from services.intake.channels.amazon.sp_api import selling_partner

START = datetime(2026, 4, 1, tzinfo=UTC)


async def test_a_returns_report_is_asked_for_looked_at_and_read(account, apis):
    partner = selling_partner(account)
    report_id = await reports_api.create_report(
        apis, partner, ReportKind.FBA.value, START, START + timedelta(days=1)
    )
    looks = [await reports_api.get_report(apis, partner, report_id) for _ in range(3)]
    assert [look.processing_status for look in looks] == [
        ProcessingStatus.IN_QUEUE,
        ProcessingStatus.IN_PROGRESS,
        ProcessingStatus.DONE,
    ]
    content = await reports_api.report_document(apis, partner, looks[-1].report_document_id)
    read = read_report(content)
    assert read.kind is ReportKind.FBA and len(read.returns) == 4 and not read.rejected_rows
