"""The emulators' process: every system mounted, faults on demand, served quietly."""

import asyncio
import time

import httpx
import pytest

from deploy.emulators import app as process
from deploy.emulators.app import create_app
from tests.unit.deploy.emulators.test_refund_api import BODY

# Running it


def test_main_serves_the_emulators_quietly_on_the_given_address(monkeypatch):
    served = {}
    monkeypatch.setattr(process.uvicorn, "run", lambda app, **options: served.update(options))
    process.main(["--port", "8123"])
    assert served == {"host": "127.0.0.1", "port": 8123, "log_level": "warning"}


# Faults on demand


@pytest.fixture
async def emulators():
    transport = httpx.ASGITransport(app=create_app())
    async with httpx.AsyncClient(transport=transport, base_url="http://emulators") as http:
        yield http


async def trackers(http: httpx.AsyncClient) -> httpx.Response:
    body = {"tracker": {"tracking_code": "9400100000000000000DLV", "carrier": "USPS"}}
    return await http.post("/easypost/v2/trackers", json=body, auth=("EZTK-demo", ""))


async def test_a_status_fault_answers_that_many_times_then_clears(emulators):
    fault = {"status": 429, "times": 2, "retry_after": 7}
    assert (await emulators.put("/_emulator/faults/easypost", json=fault)).status_code == 204
    assert (await emulators.get("/_emulator/faults")).json() == {"easypost": fault}
    for _ in range(2):
        throttled = await trackers(emulators)
        assert (throttled.status_code, throttled.headers["Retry-After"]) == (429, "7")
    assert (await trackers(emulators)).status_code == 201
    assert (await emulators.get("/_emulator/faults")).json() == {}


async def test_an_outage_answers_503_with_the_seconds_left_and_only_for_its_system(emulators):
    await emulators.put("/_emulator/faults/easypost", json={"outage_seconds": 120})
    down = await trackers(emulators)
    assert down.status_code == 503 and 119 <= int(down.headers["Retry-After"]) <= 120
    assert (await emulators.get("/refund-api/v1/refunds")).status_code == 200
    assert (await emulators.delete("/_emulator/faults/easypost")).status_code == 204
    assert (await trackers(emulators)).status_code == 201


@pytest.mark.parametrize(
    "fault",
    [{}, {"status": 429, "outage_seconds": 5}, {"status": 200}, {"outage_seconds": -1}],
)
async def test_a_fault_says_one_kind_of_failure(emulators, fault):
    assert (await emulators.put("/_emulator/faults/easypost", json=fault)).status_code == 422


async def test_a_delay_holds_the_answer_back(emulators):
    await emulators.put("/_emulator/faults/easypost", json={"delay_seconds": 0.3})
    with pytest.raises(TimeoutError):  # what a client with a shorter timeout sees
        await asyncio.wait_for(trackers(emulators), timeout=0.1)
    started = time.monotonic()
    assert (await trackers(emulators)).status_code == 201  # one delay only: answered at once
    assert time.monotonic() - started < 0.3


async def test_a_hold_pays_first_and_keeps_the_answer_until_released(emulators):
    await emulators.put("/_emulator/faults/refund-api", json={"hold_seconds": 30})
    paying = asyncio.create_task(
        emulators.post("/refund-api/v1/refunds", json=BODY, headers={"Idempotency-Key": "k-1"})
    )

    async def traffic() -> dict:
        return (await emulators.get("/_emulator/in-flight")).json().get("refund-api", {})

    while not (await traffic()).get("held"):
        await asyncio.sleep(0.01)
    assert await traffic() == {
        "in_flight": 1,
        "held": 1,
        "held_total": 1,
        "gone_while_held": 0,
        "held_keys": ["k-1"],
    }
    # Paid already, the answer not yet heard: what a caller dying now leaves behind.
    (paid,) = (await emulators.get("/refund-api/v1/refunds")).json()["refunds"]
    assert paid["idempotency_key"] == "k-1" and not paying.done()
    assert (await emulators.delete("/_emulator/faults/refund-api")).status_code == 204
    answer = await asyncio.wait_for(paying, timeout=5)
    assert (answer.status_code, answer.json()["refund_id"]) == (201, paid["refund_id"])
    assert await traffic() == {
        "in_flight": 0,
        "held": 0,
        "held_total": 1,
        "gone_while_held": 0,
        "held_keys": [],
    }
    # One hold only: the next answer comes at once.
    again = await emulators.post(
        "/refund-api/v1/refunds", json=BODY, headers={"Idempotency-Key": "k-1"}
    )
    assert again.status_code == 200


def test_every_system_module_is_mounted_and_names_its_settings():
    names = {system.__name__.rsplit(".", 1)[-1] for system in process.systems()}
    assert {"refund_api", "easypost"} <= names and "faults" not in names
    settings = process.emulated_settings("http://127.0.0.1:8099")
    assert settings["GENERIC_REFUND_API_BASE_URL"] == "http://127.0.0.1:8099/refund-api"
    assert settings["TRACKING_API_BASE_URL"] == "http://127.0.0.1:8099/easypost"
    assert settings["TRACKING_API_KEY"] == "EZTK-emulated"  # a value, not a path
    paths = set(create_app().openapi()["paths"])
    assert {"/refund-api/v1/refunds", "/easypost/v2/trackers"} <= paths
