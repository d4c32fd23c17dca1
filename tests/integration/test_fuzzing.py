"""Every route of every service fuzzed from its own OpenAPI document (schemathesis):
valid and invalid requests, without a token and with each caller's token. No answer may be
a server error, no request may break the service, and every answer must match the schema
the service publishes for it.

The examples are bounded and derandomized (the same requests on every run):
FUZZ_EXAMPLES per operation, mode and token (3 in `make test`; `make fuzz` runs more).
The counts are written to tests/artifacts/fuzzing.md.
"""

import os
from collections import Counter
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hypothesis_settings
from hypothesis.errors import Unsatisfiable
from schemathesis.generation.modes import GenerationMode
from schemathesis.specs.openapi.checks import response_schema_conformance

from shared.settings import SERVICE_NAMES
from tests.factories import (
    AGENT_TOKEN,
    GENERIC_ACCOUNT,
    INTERNAL_TOKEN,
    STAFF_TOKEN,
    TECHNICIAN_TOKEN,
    token_of,
)

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "3"))
# Nobody, and a token of each role (the scoped ones to the tests' generic seller).
CALLERS = {
    "anonymous": None,
    "platform admin": AGENT_TOKEN,
    "agent": token_of(["agent"], sellers=[GENERIC_ACCOUNT]),
    "seller admin": token_of(["seller_admin"], sellers=[GENERIC_ACCOUNT]),
    "operations": token_of(["operations"], sellers=[GENERIC_ACCOUNT]),
    "service": INTERNAL_TOKEN,
    "warehouse staff": STAFF_TOKEN,
    "technician": TECHNICIAN_TOKEN,
}
REPORT = Path(__file__).parents[1] / "artifacts" / "fuzzing.md"


@dataclass
class Findings:
    requests: Counter = field(default_factory=Counter)  # per service
    broken: dict[str, str] = field(default_factory=dict)  # "service: operation" -> first error

    def record(self, service: str, operation: str, problem: str) -> None:
        self.broken.setdefault(f"{service}: {operation}", problem[:1500])


@pytest.fixture(scope="module")
def findings():
    found = Findings()
    yield found
    REPORT.parent.mkdir(exist_ok=True)
    lines = ["| service | requests |", "|---|---:|"]
    lines += [f"| {name} | {count:,} |" for name, count in found.requests.items()]
    lines += ["", f"{len(found.broken)} operations broken", ""]
    lines += [f"- {key}: {problem}" for key, problem in found.broken.items()]
    REPORT.write_text("\n".join(lines) + "\n")


def cases_of(operation, mode: GenerationMode) -> list:
    """EXAMPLES requests for one operation, the same ones on every run."""
    found = []

    @given(operation.as_strategy(generation_mode=mode))
    @hypothesis_settings(
        max_examples=EXAMPLES,
        database=None,
        derandomize=True,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def collect(case) -> None:
        found.append(case)

    with suppress(Unsatisfiable):  # an operation with nothing to get wrong (nothing to send)
        collect()
    return found


async def sent(client: httpx.AsyncClient, case, token: str | None) -> httpx.Response:
    request = case.as_transport_kwargs(base_url=str(client.base_url))
    headers = {key: value for key, value in (request.get("headers") or {}).items()}
    if token:
        headers["authorization"] = f"Bearer {token}"
    return await client.request(
        request["method"],
        request["url"],
        headers=headers,
        params=request.get("params"),
        content=request.get("content"),
        json=request.get("json"),
        data=request.get("data"),
        files=request.get("files"),
        cookies=request.get("cookies"),
        timeout=30,
    )


def problem_of(case, response: httpx.Response) -> str | None:
    if response.status_code >= 500:
        return f"{response.status_code} on {case.as_curl_command()}: {response.text[:300]}"
    try:
        case.validate_response(response, checks=[response_schema_conformance])
    except BaseException as failure:  # schemathesis raises a group of failures
        parts = getattr(failure, "exceptions", [failure])
        return f"{case.as_curl_command()}: " + "; ".join(str(part)[:400] for part in parts)
    return None


@pytest.mark.parametrize("name", SERVICE_NAMES)
async def test_no_request_breaks_a_service_or_its_schema(stack, findings, name):
    client = stack.clients[name]
    schema = schemathesis.openapi.from_dict((await client.get("/openapi.json")).json())
    for result in schema.get_all_operations():
        operation = result.ok()
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            for case in cases_of(operation, mode):
                for token in CALLERS.values():
                    try:
                        response = await sent(client, case, token)
                    except Exception as error:  # the app raised: a 500 behind a real server
                        problem = f"{type(error).__name__}: {error} on {case.as_curl_command()}"
                        findings.record(name, operation.label, problem)
                        continue
                    findings.requests[name] += 1
                    if problem := problem_of(case, response):
                        findings.record(name, operation.label, problem)
    assert findings.requests[name] > 0
    broken = {key: value for key, value in findings.broken.items() if key.startswith(name)}
    assert not broken, "\n\n".join(f"{key}\n{value}" for key, value in broken.items())
