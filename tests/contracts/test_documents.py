"""The documents say what the code says: each service README's consumes and publishes, and
the operations doc's processes and settings, are the parts `make docs` (tools/docs.py) writes
from the ServiceSpecs, the event classes and the settings classes."""

import difflib

import pytest

from shared.events import PAYLOAD_TYPES, topic_of
from shared.settings import SERVICE_NAMES, ServiceSettings
from tools.docs import OPERATIONS, ROOT, documents, own_fields, spec_of

DOCUMENTS = [*(ROOT / "services" / service / "README.md" for service in SERVICE_NAMES), OPERATIONS]


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda path: str(path.relative_to(ROOT)))
def test_each_document_says_what_the_code_says(document):
    now, wanted = documents()[document]
    drift = "".join(
        difflib.unified_diff(
            now.splitlines(keepends=True),
            wanted.splitlines(keepends=True),
            "as written",
            "as the code says",
        )
    )
    assert now == wanted, (
        f"{document.relative_to(ROOT)} differs from the code; `make docs` rewrites it:\n{drift}"
    )


@pytest.mark.parametrize(
    "settings",
    [ServiceSettings, *(spec_of(service).settings for service in SERVICE_NAMES)],
    ids=lambda settings: settings.__name__,
)
def test_every_setting_says_what_it_is(settings):
    undescribed = [name for name, field in own_fields(settings) if not field.description]
    assert undescribed == [], f"{settings.__name__}: give these a Field(description=...)"


@pytest.mark.parametrize("service", SERVICE_NAMES)
def test_each_handled_event_comes_from_a_topic_the_service_consumes(service):
    spec = spec_of(service)
    unknown = sorted(set(spec.handlers) - set(PAYLOAD_TYPES))
    assert unknown == [], f"{service} handles event types shared/events.py does not declare"
    unheard = sorted(
        event_type
        for event_type in spec.handlers
        if topic_of(PAYLOAD_TYPES[event_type].owner) not in spec.consumes
    )
    assert unheard == [], f"{service} handles events of topics it does not consume: {unheard}"
