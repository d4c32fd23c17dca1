"""The walls of refurbish's routes: technicians reach their own repair shops' units only
(another shop's inspections, repairs, relabel tasks and lots answer as unknown, and lists
hold none of them); no one but technicians works the bench (403), no token is 401."""

import pytest

from tests.factories import AGENT, STAFF, bearer, token_of
from tests.handlers.refurbish.conftest import SPEAKER, TEE, checklist, form_of, received, submit

BOSTON_BENCH = bearer(token_of(["technician"], repair_shops=["BOS1"], name="bea"))
RENO_BENCH = bearer(token_of(["technician"], repair_shops=["RNO1"], name="remy"))


async def test_technicians_neither_see_nor_grade_another_shops_inspections(api):
    inspection = await received(api, warehouse="RNO1")
    path = f"/inspections/{inspection['inspection_id']}"
    listed = await api.get(
        "/inspections", params={"case_id": inspection["case_id"]}, headers=BOSTON_BENCH
    )
    assert listed.json() == []
    by_shop = await api.get("/inspections", params={"warehouse": "RNO1"}, headers=BOSTON_BENCH)
    assert by_shop.json() == []
    form = await form_of(api, inspection)
    for attempt in (
        api.get(path, headers=BOSTON_BENCH),
        api.get(f"{path}/checklist", headers=BOSTON_BENCH),
        api.get(f"{path}/buyer-photos", headers=BOSTON_BENCH),
        api.get(f"{path}/buyer-photos/photo-1", headers=BOSTON_BENCH),
        submit(api, inspection, {"checklist": checklist(form)}, headers=BOSTON_BENCH),
    ):
        answer = await attempt
        assert answer.status_code == 404, answer.text
        assert answer.json()["detail"] == f"no inspection {inspection['inspection_id']}"
    own = await api.get("/inspections", params={"warehouse": "RNO1"}, headers=RENO_BENCH)
    assert inspection["inspection_id"] in {i["inspection_id"] for i in own.json()}
    graded = await submit(api, inspection, {"checklist": checklist(form)}, headers=RENO_BENCH)
    assert graded.status_code == 200 and graded.json()["technician"] == "remy"


async def test_technicians_neither_see_nor_finish_another_shops_repairs(api):
    inspection = await received(api, warehouse="RNO1")
    form = await form_of(api, inspection)
    faulty = checklist(form, failing=("charges",), fault="charging port loose")
    assert (await submit(api, inspection, {"checklist": faulty})).json()["status"] == "repairing"
    params = {"inspection_id": inspection["inspection_id"]}
    assert (await api.get("/repairs", params=params, headers=BOSTON_BENCH)).json() == []
    (repair,) = (await api.get("/repairs", params=params, headers=RENO_BENCH)).json()
    done = f"/repairs/{repair['repair_id']}/done"
    assert (await api.post(done, headers=BOSTON_BENCH)).status_code == 404
    finished = await api.post(done, headers=RENO_BENCH)
    assert finished.status_code == 200 and finished.json()["done_by"] == "remy"


async def test_technicians_neither_see_nor_finish_another_shops_relabels_and_lots(api):
    like_new = await received(api, SPEAKER, warehouse="RNO1")
    form = await form_of(api, like_new)
    assert (await submit(api, like_new, {"checklist": checklist(form)})).json()[
        "status"
    ] == "decided"
    worn = await received(api, TEE, warehouse="RNO1")
    form = await form_of(api, worn)
    body = {"checklist": checklist(form, cosmetic="moderate", packaging="missing")}
    assert (await submit(api, worn, body)).json()["disposition"] == "liquidate"
    for listing in ("/warehouses/RNO1/relabel-tasks", "/warehouses/RNO1/lots"):
        refused = await api.get(listing, headers=BOSTON_BENCH)
        assert refused.status_code == 404 and refused.json()["detail"] == "no repair shop RNO1"
    tasks = (await api.get("/warehouses/RNO1/relabel-tasks", headers=RENO_BENCH)).json()
    assert like_new["inspection_id"] in {t["inspection_id"] for t in tasks}
    lots = (await api.get("/warehouses/RNO1/lots", headers=RENO_BENCH)).json()
    (lot,) = [
        lot for lot in lots if worn["inspection_id"] in {u["inspection_id"] for u in lot["units"]}
    ]
    relabel = f"/relabel-tasks/{like_new['inspection_id']}"
    for attempt in (
        api.get(f"{relabel}/label.pdf", headers=BOSTON_BENCH),
        api.get(f"{relabel}/label.zpl", headers=BOSTON_BENCH),
        api.post(f"{relabel}/done", headers=BOSTON_BENCH),
        api.post(f"/lots/{lot['lot_id']}/close", headers=BOSTON_BENCH),
    ):
        assert (await attempt).status_code == 404
    assert (await api.post(f"{relabel}/done", headers=RENO_BENCH)).json()["done_by"] == "remy"
    closed = await api.post(f"/lots/{lot['lot_id']}/close", headers=RENO_BENCH)
    assert closed.json()["closed_by"] == "remy"


ROUTES = [
    ("get", "/inspections"),
    ("get", "/inspections/insp-any"),
    ("get", "/inspections/insp-any/checklist"),
    ("post", "/inspections/insp-any/checklist"),
    ("get", "/inspections/insp-any/buyer-photos"),
    ("get", "/repairs"),
    ("post", "/repairs/rep-any/done"),
    ("get", "/warehouses/BOS1/relabel-tasks"),
    ("get", "/relabel-tasks/insp-any/label.pdf"),
    ("get", "/relabel-tasks/insp-any/label.zpl"),
    ("get", "/inspections/insp-any/photos/photo-any"),
    ("post", "/relabel-tasks/insp-any/done"),
    ("get", "/warehouses/BOS1/lots"),
    ("post", "/lots/lot-any/close"),
]
# The technician's page: a browser without a live sign-in is sent to its start.
PAGES = [
    ("get", "/bench/queue"),
    ("get", "/bench/find"),
    ("get", "/bench/inspections/insp-any"),
    ("post", "/bench/inspections/insp-any/review"),
    ("post", "/bench/inspections/insp-any/record"),
    ("get", "/bench/repairs"),
    ("post", "/bench/repairs/rep-any/done"),
    ("get", "/bench/relabel"),
    ("post", "/bench/relabel/insp-any/done"),
    ("get", "/bench/lots"),
    ("post", "/bench/lots/lot-any/close"),
]


@pytest.mark.parametrize(("method", "path"), ROUTES + PAGES)
@pytest.mark.parametrize("headers", [AGENT, STAFF], ids=["platform admin", "warehouse staff"])
async def test_only_technicians_work_the_bench(api, method, path, headers):
    answer = await api.request(method.upper(), path, headers=headers, json={"checklist": {}})
    assert answer.status_code == 403, answer.text


@pytest.mark.parametrize(("method", "path"), ROUTES)
async def test_no_token_is_unauthorized(api, method, path):
    assert (await api.request(method.upper(), path)).status_code == 401


@pytest.mark.parametrize(("method", "path"), PAGES)
async def test_the_page_without_a_sign_in_sends_the_browser_to_its_start(api, method, path):
    answer = await api.request(method.upper(), path)
    assert (answer.status_code, answer.headers["location"]) == (303, "/bench")
