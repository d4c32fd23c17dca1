"""The walls of fulfillment's routes: staff reach their own warehouses only (another's
tasks, scans, held parcels, origin shipments and stock answer as unknown), agents and
operations their own sellers' shipments, returns and labels; a wrong role is 403, no token
401."""

import uuid

import pytest

from shared.events import CaseItem, Disposition, DispositionDecided, Grade, Remedy
from shared.markets import Currency
from tests.factories import AGENT, INTERNAL_TOKEN, STAFF, bearer, resolution_decided, token_of
from tests.handlers.fulfillment.conftest import (
    new_sku,
    publish,
    returned,
    stock,
    task_of,
)

BOSTON_STAFF = bearer(token_of(["warehouse_staff"], warehouses=["BOS1"], name="bo"))
RENO_STAFF = bearer(token_of(["warehouse_staff"], warehouses=["RNO1"], name="rhea"))
AGENT_A = bearer(token_of(["agent"], sellers=["seller-a"], name="alice"))
OPERATIONS_A = bearer(token_of(["operations"], sellers=["seller-a"], name="olga"))
AGENT_B = bearer(token_of(["agent"], sellers=["seller-b"], name="bert"))
SERVICE = bearer(INTERNAL_TOKEN)
TECHNICIAN_RENO = bearer(token_of(["technician"], repair_shops=["RNO1"], name="tess"))


async def reno_task(api, seller: str = "seller-a") -> dict:
    """A part's dispatch task in Reno (the only US warehouse holding it), for `seller`."""
    sku = new_sku()
    await stock(api, "RNO1", f"{sku}-PART", 3)
    decided = resolution_decided(sku).model_copy(update={"seller_account": seller})
    await publish(api, decided)
    task = await task_of(api, decided.case_id)
    assert task["warehouse"] == "RNO1" and task["seller_account"] == seller
    return task


async def sellers_return(api, seller: str) -> dict:
    decided = resolution_decided(new_sku(), remedy=Remedy.RETURN_FULL_REFUND)
    await publish(api, decided.model_copy(update={"seller_account": seller}))
    answer = await api.get("/returns", params={"case_id": decided.case_id}, headers=AGENT)
    assert answer.status_code == 200 and answer.json()["seller_account"] == seller
    return answer.json()


# Staff: their own warehouses only


async def test_staff_of_one_warehouse_neither_see_nor_work_anothers_tasks(api):
    task = await reno_task(api)
    path = f"/tasks/{task['shipment_id']}"
    assert (await api.get("/warehouses/RNO1/tasks", headers=BOSTON_STAFF)).status_code == 404
    boston = (await api.get("/warehouses/BOS1/tasks", headers=BOSTON_STAFF)).json()
    assert task["shipment_id"] not in {t["shipment_id"] for t in boston}
    tries = [
        api.post(f"{path}/picked", headers=BOSTON_STAFF),
        api.post(f"{path}/packed", json={"weight_g": 450}, headers=BOSTON_STAFF),
        api.get(f"{path}/label.pdf", headers=BOSTON_STAFF),
        api.post(f"{path}/shipped", headers=BOSTON_STAFF),
        api.post(f"{path}/problem", json={"problem": "not_found"}, headers=BOSTON_STAFF),
    ]
    for attempt in tries:
        answer = await attempt
        assert answer.status_code == 404, answer.text
        assert answer.json()["detail"] == f"no dispatch task {task['shipment_id']}"
    reno = (await api.get("/warehouses/RNO1/tasks", headers=RENO_STAFF)).json()
    assert task["shipment_id"] in {t["shipment_id"] for t in reno}
    picked = await api.post(f"{path}/picked", headers=RENO_STAFF)
    assert picked.status_code == 200 and picked.json()["picked_by"] == "rhea"


async def test_staff_scan_in_and_match_held_parcels_at_their_own_warehouses_only(api):
    code = f"UNKNOWN-{uuid.uuid4().hex[:8]}"
    at_reno = {"warehouse": "RNO1", "code": code, "condition_note": "no label"}
    refused = await api.post("/scans", json=at_reno, headers=BOSTON_STAFF)
    assert refused.status_code == 404 and refused.json()["detail"] == "no warehouse RNO1"
    held = await api.post("/scans", json=at_reno, headers=RENO_STAFF)
    assert held.status_code == 202 and held.json()["held"]["held_by"] == "rhea"
    holding_id = held.json()["held"]["holding_id"]
    assert (await api.get("/warehouses/RNO1/held-parcels", headers=BOSTON_STAFF)).status_code == 404
    parcel = await returned(api)
    match = {"rma_id": parcel["rma_id"]}
    matched = await api.post(f"/held-parcels/{holding_id}/match", json=match, headers=BOSTON_STAFF)
    assert matched.status_code == 404
    listed = (await api.get("/warehouses/RNO1/held-parcels", headers=RENO_STAFF)).json()
    assert holding_id in {h["holding_id"] for h in listed}


async def test_staff_reach_their_own_warehouses_origin_shipments_only(api):
    parcel = await returned(api)
    item = CaseItem(sku="BT-SPK-200-BLK", category="electronics", quantity=1, unit_price_minor=900)
    routed = DispositionDecided(
        case_id=parcel["case_id"],
        inspection_id=f"insp-{uuid.uuid4()}",
        rma_id=parcel["rma_id"],
        warehouse="RNO1",
        grade=Grade.D,
        disposition=Disposition.RETURN_TO_ORIGIN,
        net_minor=400,
        currency=Currency.USD,
        items=[item],
        alternatives=[],
    )
    await publish(api, routed)
    listed = await api.get("/warehouses/RNO1/origin-shipments", headers=BOSTON_STAFF)
    assert listed.status_code == 404
    reno = (await api.get("/warehouses/RNO1/origin-shipments", headers=RENO_STAFF)).json()
    consolidation = next(c for c in reno if c["status"] == "open")
    path = f"/origin-shipments/{consolidation['consolidation_id']}"
    for attempt in (
        api.get(f"{path}/customs", headers=BOSTON_STAFF),
        api.get(f"{path}/invoice.pdf", headers=BOSTON_STAFF),
        api.post(f"{path}/dispatch", headers=BOSTON_STAFF),
    ):
        assert (await attempt).status_code == 404
    assert (await api.get(f"{path}/customs", headers=RENO_STAFF)).status_code == 200


async def test_staff_count_and_read_their_own_warehouses_stock_only(api):
    sku = new_sku()
    count = {"on_hand": 2, "bin": "A-1"}
    assert (
        await api.put(f"/stock/RNO1/{sku}", json=count, headers=BOSTON_STAFF)
    ).status_code == 404
    assert (await api.get("/stock/RNO1", headers=BOSTON_STAFF)).status_code == 404
    assert (
        await api.put(f"/stock/BOS1/{sku}", json=count, headers=BOSTON_STAFF)
    ).status_code == 200
    assert sku in {
        row["sku"] for row in (await api.get("/stock/BOS1", headers=BOSTON_STAFF)).json()
    }
    warehouses = (await api.get("/warehouses", headers=BOSTON_STAFF)).json()
    assert [w["code"] for w in warehouses] == ["BOS1"]


# Agents and operations: their own sellers only


async def test_agents_see_their_own_sellers_shipments_only(api):
    task = await reno_task(api, seller="seller-b")
    params = {"case_id": task["case_id"]}
    assert (await api.get("/shipments", params=params, headers=AGENT_A)).json() == []
    for reader in (AGENT_B, AGENT):
        seen = (await api.get("/shipments", params=params, headers=reader)).json()
        assert [s["shipment_id"] for s in seen] == [task["shipment_id"]]
    own = await reno_task(api, seller="seller-a")
    mine = await api.get("/shipments", params={"case_id": own["case_id"]}, headers=OPERATIONS_A)
    assert [s["shipment_id"] for s in mine.json()] == [own["shipment_id"]]


async def test_agents_do_not_see_another_sellers_return_its_label_or_pickup(api):
    parcel = await sellers_return(api, "seller-b")
    path = f"/returns/{parcel['rma_id']}"
    window = (await api.get(f"{path}/pickup-windows", headers=AGENT_B)).json()[0]
    for attempt in (
        api.get("/returns", params={"case_id": parcel["case_id"]}, headers=AGENT_A),
        api.get(path, headers=AGENT_A),
        api.get(f"{path}/label.pdf", headers=AGENT_A),
        api.get(f"{path}/pickup-windows", headers=OPERATIONS_A),
        api.post(f"{path}/pickup", json=window, headers=AGENT_A),
    ):
        assert (await attempt).status_code == 404
    assert (await api.get(path, headers=AGENT_B)).status_code == 200
    assert (await api.get(f"{path}/label.pdf", headers=SERVICE)).status_code == 200
    booked = await api.post(f"{path}/pickup", json=window, headers=AGENT_B)
    assert booked.status_code == 200 and booked.json()["pickup_day"] == window["day"]


async def test_rows_of_decisions_naming_no_seller_are_read_by_platform_admins_only(api):
    parcel = await returned(api)  # a decision without its seller account
    assert parcel["seller_account"] == ""
    for reader in (AGENT_A, OPERATIONS_A):
        assert (await api.get(f"/returns/{parcel['rma_id']}", headers=reader)).status_code == 404


async def test_agents_list_and_retry_their_own_sellers_carrier_labels_only(carrier_api):
    decided = resolution_decided(new_sku(), remedy=Remedy.RETURN_FULL_REFUND)
    await publish(carrier_api, decided.model_copy(update={"seller_account": "seller-b"}))
    params = {"case_id": decided.case_id}
    assert (await carrier_api.get("/carrier-labels", params=params, headers=AGENT_A)).json() == []
    (label,) = (await carrier_api.get("/carrier-labels", params=params, headers=AGENT_B)).json()
    assert label["seller_account"] == "seller-b"
    retry = f"/carrier-labels/{label['reference']}/retry"
    assert (await carrier_api.post(retry, headers=AGENT_A)).status_code == 404
    assert (await carrier_api.post(retry, headers=AGENT_B)).status_code == 200


# Roles and tokens


@pytest.mark.parametrize(
    ("method", "path", "headers"),
    [
        ("get", "/warehouses/BOS1/tasks", AGENT),
        ("get", "/warehouses/BOS1/tasks", TECHNICIAN_RENO),
        ("post", "/tasks/shp-any/picked", AGENT_A),
        ("get", "/warehouses", AGENT),
        ("get", "/stock/BOS1", AGENT),
        ("get", "/warehouses/BOS1/origin-shipments", AGENT),
        ("get", "/shipments?case_id=any", STAFF),
        ("get", "/returns?case_id=any", STAFF),
        ("get", "/returns/RMA-ANY", TECHNICIAN_RENO),
        ("get", "/returns/RMA-ANY/label.pdf", STAFF),
        ("get", "/carrier-labels", STAFF),
        ("post", "/carrier-labels/any/retry", OPERATIONS_A),
        ("get", "/cases/any/buyer-view", AGENT),
        ("get", "/cases/any/buyer-view", STAFF),
        ("delete", "/warehouses/BOS1/webhook", AGENT_A),
        ("get", "/warehouses/BOS1/webhook/deliveries", STAFF),
    ],
)
async def test_a_wrong_role_is_forbidden(api, method, path, headers):
    answer = await api.request(method.upper(), path, headers=headers)
    assert answer.status_code == 403, answer.text


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/warehouses"),
        ("get", "/stock/BOS1"),
        ("get", "/shipments?case_id=any"),
        ("get", "/returns?case_id=any"),
        ("get", "/returns/RMA-ANY"),
        ("get", "/returns/RMA-ANY/pickup-windows"),
        ("get", "/carrier-labels"),
        ("post", "/tasks/shp-any/shipped"),
        ("post", "/scans"),
        ("get", "/warehouses/BOS1/held-parcels"),
        ("get", "/origin-shipments/any/customs"),
        ("get", "/warehouses/BOS1/webhook/deliveries"),
    ],
)
async def test_no_token_is_unauthorized(api, method, path):
    assert (await api.request(method.upper(), path)).status_code == 401
