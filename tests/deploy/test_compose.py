"""The compose files are valid Compose: each is checked against the compose specification's
JSON schema (vendored: tests/deploy/schemas/compose-spec.json), the observability overlay
alone and merged over the stack it extends."""

import copy
import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from tests.deploy.conftest import ROOT, SCHEMAS

COMPOSE_FILES = (
    ROOT / "deploy" / "compose.yaml",
    ROOT / "deploy" / "observability" / "compose.observability.yaml",
)


def compose_errors(document: dict[str, Any]) -> list[str]:
    schema = json.loads((SCHEMAS / "compose-spec.json").read_text())
    validator = jsonschema.Draft7Validator(schema)
    return [
        f"{'/'.join(map(str, error.absolute_path))}: {error.message}"
        for error in validator.iter_errors(document)
    ]


def read(path: Path) -> dict[str, Any]:
    return yaml.safe_load(path.read_text())


@pytest.mark.parametrize("path", COMPOSE_FILES, ids=lambda path: path.name)
def test_the_compose_file_is_valid_against_the_compose_specification(path):
    assert compose_errors(read(path)) == []


def test_the_overlay_merged_over_the_stack_is_valid_and_complete():
    stack, overlay = (read(path) for path in COMPOSE_FILES)
    merged = copy.deepcopy(stack)
    for name, service in overlay["services"].items():
        base = merged["services"].setdefault(name, {})
        environment = {**base.get("environment", {}), **service.get("environment", {})}
        base.update({**service, "environment": environment})
    assert compose_errors(merged) == []
    assert {"otel-collector", "jaeger", "prometheus", "grafana"} <= set(merged["services"])
    for name in ("intake", "resolution", "fulfillment", "refurbish", "analytics"):
        assert merged["services"][name]["environment"]["OTEL_EXPORTER_OTLP_ENDPOINT"] == (
            "http://otel-collector:4318"
        )


def test_a_misspelled_or_mistyped_key_is_caught():
    stack = read(COMPOSE_FILES[0])
    misspelled = copy.deepcopy(stack)
    misspelled["services"]["kafka"]["enviroment"] = {}
    mistyped = copy.deepcopy(stack)
    mistyped["services"]["postgres"]["healthcheck"]["test"] = {"pg_isready": True}
    assert compose_errors(misspelled)
    assert compose_errors(mistyped)
