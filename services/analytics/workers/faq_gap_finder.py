"""The FAQ gap finder: one pass of `workflows/faq_gaps` every `faq_gap_sweep_seconds`."""

from services.analytics.workflows.faq_gaps import find_gaps
from shared.service import Service
from shared.wakeup import Periodic


def gap_finder(service: Service) -> Periodic:
    period = service.settings.faq_gap_sweep_seconds
    return Periodic("FAQ gap finder", period, lambda: find_gaps(service))
