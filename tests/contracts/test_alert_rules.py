"""The alert rules of deploy/observability/alerts.yml, checked by parsing (Prometheus does not
run here): Prometheus loads the file, each rule has the fields Prometheus requires and an
operator's description, each expression parses and uses only series and labels the services
emit, and every queue that waits for an operator (shared/recovery.py) has its alert."""

import re

import promql_parser
import pytest
import yaml

from shared import recovery
from tests.contracts.test_observability import (
    ALLOWED_SERIES,
    OBS,
    labels_of,
    series_and_labels,
)

RULES = yaml.safe_load((OBS / "alerts.yml").read_text())
ALERTS = [rule for group in RULES["groups"] for rule in group["rules"]]
DURATION = re.compile(r"^\d+[smhd]$")


def test_prometheus_loads_the_rules_file():
    config = yaml.safe_load((OBS / "prometheus.yml").read_text())
    assert "alerts.yml" in config["rule_files"]


@pytest.mark.parametrize("rule", ALERTS, ids=lambda rule: rule["alert"])
def test_each_rule_is_complete_and_asks_only_for_emitted_series(rule):
    assert set(rule) <= {"alert", "expr", "for", "labels", "annotations", "keep_firing_for"}
    assert DURATION.match(rule["for"])
    assert rule["labels"]["severity"] in {"warning", "critical"}
    assert rule["annotations"]["summary"] and rule["annotations"]["description"]
    promql_parser.parse(rule["expr"])
    names, labels = series_and_labels(rule["expr"])
    assert names and names <= ALLOWED_SERIES, f"no service emits {names - ALLOWED_SERIES}"
    known = set().union(*(labels_of(name) for name in names))
    assert labels <= known, f"labels {labels - known} do not exist"
    for used in re.findall(r"\$labels\.(\w+)", str(rule["annotations"])):
        assert used in labels, f"the annotations use {used}, which the expression drops"


def test_every_queue_that_waits_for_an_operator_has_an_alert():
    from services.fulfillment.workflows.failed_calls import WAITING_QUEUES as FULFILLMENT
    from services.intake.workflows.failed_calls import WAITING_QUEUES as INTAKE
    from services.resolution.workflows.failed_calls import WAITING_QUEUES as RESOLUTION

    queues = {q.metric for q in (recovery.DEAD_LETTERS, *INTAKE, *FULFILLMENT, *RESOLUTION)}
    alerted = {name for rule in ALERTS for name in series_and_labels(rule["expr"])[0]}
    assert {q.replace(".", "_") for q in queues} <= alerted
