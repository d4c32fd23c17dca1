"""`make run` plays the people of the physical flow: warehouse staff pick, pack, label and
ship every dispatch task and scan every returned parcel in (one arrives with its label
torn off and waits on the holding list until matched); technicians fill each unit's
checklist, finish the repairs ordered, relabel like-new units, close the liquidation lots;
staff dispatch the consolidations back to origin."""

import asyncio
import time
from typing import Any

import httpx
from rich.progress import Progress

from deploy.dev_issuer import local_bearer
from deploy.secrets import DEMO_OPERATOR, DEMO_STAFF, DEMO_TECHNICIAN
from deploy.settings import StackSettings
from shared.identity import Role

WAREHOUSES = ("BOS1", "RNO1", "YYZ1", "CVT1", "NUE1")

# The condition technicians find, case after case: like new, lightly marked, a failed
# test (repairable or not), worn.
CONDITIONS = ("like_new", "light", "failed_test", "like_new", "heavy")


def staff(settings: StackSettings) -> dict[str, str]:
    """The Authorization header of the demo's warehouse staff (every local warehouse)."""
    return local_bearer(settings, Role.WAREHOUSE_STAFF, DEMO_STAFF, warehouses=WAREHOUSES)


def technician(settings: StackSettings) -> dict[str, str]:
    """The demo's technician: the benches of every local warehouse."""
    return local_bearer(settings, Role.TECHNICIAN, DEMO_TECHNICIAN, warehouses=WAREHOUSES)


def operator(settings: StackSettings) -> dict[str, str]:
    """The demo's scripted agent: the platform admin, every seller."""
    return local_bearer(settings, Role.PLATFORM_ADMIN, DEMO_OPERATOR)


def client(settings: StackSettings, service: str, headers: dict[str, str]) -> httpx.AsyncClient:
    return httpx.AsyncClient(base_url=settings.base_url_of(service), headers=headers, timeout=15)


async def ship_dispatch_tasks(settings: StackSettings, progress: Progress) -> int:
    async with client(settings, "fulfillment", staff(settings)) as http:
        tasks = []
        for code in WAREHOUSES:
            tasks += (await http.get(f"/warehouses/{code}/tasks")).raise_for_status().json()
        bar = progress.add_task("dispatch tasks picked, packed, shipped", total=len(tasks))
        shipped = 0
        for task in tasks:
            shipped += await ship(http, task)
            progress.advance(bar)
    if shipped < len(tasks):
        # Cases an older run imported before their marketplace's address was read.
        progress.console.print(
            f"[yellow]{len(tasks) - shipped} dispatch task(s) wait, picked: intake holds no "
            "address for their buyer (`make clean` starts afresh)[/]"
        )
    return shipped


async def ship(http: httpx.AsyncClient, task: dict[str, Any]) -> bool:
    """Picked, packed, labelled and shipped; False when no label can be drawn for want of
    the buyer's address (410): the task waits, picked."""
    path = f"/tasks/{task['shipment_id']}"
    (await http.post(f"{path}/picked")).raise_for_status()
    weight = 400 if task["remedy"] == "part_shipment" else 1500
    packed = await http.post(f"{path}/packed", json={"weight_g": weight})
    if packed.status_code == 410:
        return False
    packed.raise_for_status()
    label = (await http.get(f"{path}/label.pdf")).raise_for_status()
    assert label.content.startswith(b"%PDF")
    (await http.post(f"{path}/shipped")).raise_for_status()
    return True


async def receive_returns(
    settings: StackSettings, case_ids: list[str], progress: Progress
) -> list[str]:
    """Scan in the parcel of every case with a return label; the cases received."""
    await wait_for_return_labels(settings)
    async with (
        client(settings, "fulfillment", operator(settings)) as agent,  # reads the returns
        client(settings, "fulfillment", staff(settings)) as http,
    ):
        parcels = []
        for case_id in case_ids:
            answer = await agent.get("/returns", params={"case_id": case_id})
            if answer.status_code == 200 and not answer.json()["received_at"]:
                parcels.append(answer.json())
        bar = progress.add_task("returned parcels scanned in", total=len(parcels))
        for index, parcel in enumerate(parcels):
            await scan_in(http, parcel, torn_label=index == 0)
            progress.advance(bar)
    return [parcel["case_id"] for parcel in parcels]


async def wait_for_return_labels(settings: StackSettings, timeout: float = 60.0) -> None:
    """Return labels bought from the carrier are bought by a worker: wait until none is
    owed any more (at most `timeout` seconds)."""
    agent = operator(settings)
    deadline = time.monotonic() + timeout
    async with client(settings, "fulfillment", agent) as http:
        while time.monotonic() < deadline:
            owed = (await http.get("/carrier-labels", params={"state": "owed"})).json()
            if not [label for label in owed if label["kind"] == "return"]:
                return
            await asyncio.sleep(0.5)


async def scan_in(http: httpx.AsyncClient, parcel: dict[str, Any], torn_label: bool) -> None:
    scan = {
        "warehouse": parcel["warehouse"],
        "code": parcel["tracking_number"],
        "condition_note": "outer box dented",
    }
    if torn_label:  # unknown on arrival: held, then matched by the packing slip's RMA
        held = await http.post("/scans", json={**scan, "code": "UNREADABLE-LABEL"})
        holding_id = held.raise_for_status().json()["held"]["holding_id"]
        match = {"rma_id": parcel["rma_id"]}
        (await http.post(f"/held-parcels/{holding_id}/match", json=match)).raise_for_status()
    else:
        (await http.post("/scans", json=scan)).raise_for_status()


async def inspect_units(settings: StackSettings, received: list[str], progress: Progress) -> int:
    """Inspect the unit of every case received, once refurbish has opened it."""
    async with client(settings, "refurbish", technician(settings)) as http:
        inspections = await opened_inspections(http, received)
        bar = progress.add_task("units inspected, graded, disposed", total=len(inspections))
        for index, inspection in enumerate(inspections):
            await inspect(http, inspection, CONDITIONS[index % len(CONDITIONS)])
            progress.advance(bar)
        await finish_outlets(http)
    return len(inspections)


async def opened_inspections(http: httpx.AsyncClient, case_ids: list[str]) -> list[dict]:
    found: list[dict] = []
    for case_id in case_ids:
        for _ in range(100):
            answer = (await http.get("/inspections", params={"case_id": case_id})).json()
            if answer:
                found += [i for i in answer if i["status"] == "open"]
                break
            await asyncio.sleep(0.1)
    return found


async def inspect(http: httpx.AsyncClient, inspection: dict[str, Any], condition: str) -> None:
    path = f"/inspections/{inspection['inspection_id']}"
    form = (await http.get(f"{path}/checklist")).raise_for_status().json()
    checklist = checklist_for(form, condition)
    decided = (await http.post(f"{path}/checklist", json={"checklist": checklist})).json()
    if decided["status"] == "repairing":  # repaired, then graded again
        repairs = await http.get("/repairs", params={"inspection_id": decided["inspection_id"]})
        for repair in repairs.json():
            (await http.post(f"/repairs/{repair['repair_id']}/done")).raise_for_status()
        repaired = checklist_for(form, "light")
        (await http.post(f"{path}/checklist", json={"checklist": repaired})).raise_for_status()


def checklist_for(form: dict[str, Any], condition: str) -> dict[str, Any]:
    tests = dict.fromkeys(form["tests"], True)
    fault = None
    if condition == "failed_test":  # a fault the shop knows, in the words it knows it by
        known = next((f for f in form["known_faults"] if f["fails"]), None)
        failing = known["fails"][0] if known else form["tests"][0]
        tests[failing] = False
        fault = known["words"][0] if known else f"{failing} fails"
    return {
        "cosmetic": {"like_new": "none", "light": "light", "heavy": "heavy"}.get(condition, "none"),
        "functional": tests,
        "accessories_complete": condition != "heavy",
        "packaging": "original_opened" if condition == "like_new" else "damaged",
        "fault": fault,
    }


async def finish_outlets(http: httpx.AsyncClient) -> None:
    for code in WAREHOUSES:
        for task in (await http.get(f"/warehouses/{code}/relabel-tasks")).json():
            label = await http.get(f"/relabel-tasks/{task['inspection_id']}/label.pdf")
            assert label.raise_for_status().content.startswith(b"%PDF")
            (await http.post(f"/relabel-tasks/{task['inspection_id']}/done")).raise_for_status()
        for lot in (await http.get(f"/warehouses/{code}/lots")).json():
            (await http.post(f"/lots/{lot['lot_id']}/close")).raise_for_status()


async def dispatch_to_origin(settings: StackSettings) -> int:
    dispatched = 0
    async with client(settings, "fulfillment", staff(settings)) as http:
        for code in WAREHOUSES:
            for shipment in (await http.get(f"/warehouses/{code}/origin-shipments")).json():
                if shipment["status"] == "open" and shipment["units"]:
                    path = f"/origin-shipments/{shipment['consolidation_id']}"
                    (await http.post(f"{path}/dispatch")).raise_for_status()
                    invoice = (await http.get(f"{path}/invoice.pdf")).raise_for_status()
                    assert invoice.content.startswith(b"%PDF")
                    dispatched += 1
    return dispatched
