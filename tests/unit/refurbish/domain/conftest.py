"""What the refurbish domain's tests share: a technician's findings for a category."""

from services.refurbish.domain.checklists import checklist_for


def findings(category, failing=(), **changes):
    """A checklist as a technician sends it: like new, but for the tests `failing` and
    the `changes`."""
    return {
        "cosmetic": "none",
        "functional": {test: test not in failing for test in checklist_for(category)},
        "accessories_complete": True,
        "packaging": "original_opened",
        "fault": None,
        **changes,
    }
