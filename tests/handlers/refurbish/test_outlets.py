"""Where graded units leave the bench, over the real PostgreSQL: liquidation lots and
relabel tasks (with the FNSKU the seller's catalog gives, else the ASIN), each finished
once."""

import pypdfium2 as pdfium
import zxingcpp

from shared.events import ProductFacts
from tests.factories import TECHNICIAN
from tests.handlers.refurbish.conftest import SPEAKER, TEE, checklist, form_of, received, submit


async def test_worn_units_of_a_kind_go_into_one_liquidation_lot(api):
    inspections = [await received(api, TEE) for _ in range(2)]
    for inspection in inspections:
        form = await form_of(api, inspection)
        worn = checklist(form, cosmetic="moderate", packaging="missing")
        decided = (await submit(api, inspection, {"checklist": worn})).json()
        assert decided["disposition"] == "liquidate", decided
    lots = (await api.get("/warehouses/BOS1/lots", headers=TECHNICIAN)).json()
    ids = {i["inspection_id"] for i in inspections}
    (lot,) = [lot for lot in lots if ids & {u["inspection_id"] for u in lot["units"]}]
    assert ids <= {u["inspection_id"] for u in lot["units"]}
    assert lot["category"] == "apparel" and lot["expected_minor"] > 0
    closed = await api.post(f"/lots/{lot['lot_id']}/close", headers=TECHNICIAN)
    assert closed.json()["status"] == "closed"


def units_of(lot: dict) -> set[str]:
    return {unit["inspection_id"] for unit in lot["units"]}


async def test_a_lot_closed_again_or_a_task_relabelled_again_stays_as_it_was_first(api):
    worn = await received(api, TEE)
    form = await form_of(api, worn)
    body = {"checklist": checklist(form, cosmetic="moderate", packaging="missing")}
    assert (await submit(api, worn, body)).json()["disposition"] == "liquidate"
    lots = (await api.get("/warehouses/BOS1/lots", headers=TECHNICIAN)).json()
    (lot,) = [each for each in lots if worn["inspection_id"] in units_of(each)]
    first = (await api.post(f"/lots/{lot['lot_id']}/close", headers=TECHNICIAN)).json()
    again = await api.post(f"/lots/{lot['lot_id']}/close", headers=TECHNICIAN)
    assert again.status_code == 200 and again.json() == first
    assert first["status"] == "closed" and first["closed_by"] == "ben"

    like_new = await received(api, SPEAKER)
    await submit(api, like_new, {"checklist": checklist(await form_of(api, like_new))})
    path = f"/relabel-tasks/{like_new['inspection_id']}/done"
    done = (await api.post(path, headers=TECHNICIAN)).json()
    assert (await api.post(path, headers=TECHNICIAN)).json() == done
    assert done["status"] == "done"
    open_tasks = (await api.get("/warehouses/BOS1/relabel-tasks", headers=TECHNICIAN)).json()
    assert like_new["inspection_id"] not in {t["inspection_id"] for t in open_tasks}
    assert (await api.post("/relabel-tasks/insp-nope/done", headers=TECHNICIAN)).status_code == 404


async def test_a_unit_is_relabelled_with_its_fnsku_from_the_sellers_catalog(api):
    facts = ProductFacts(product_id="prod-spk-200", fnsku="X00ABCDEF1")
    like_new = await received(api, SPEAKER.model_copy(update={"product": facts}))
    await submit(api, like_new, {"checklist": checklist(await form_of(api, like_new))})
    tasks = (await api.get("/warehouses/BOS1/relabel-tasks", headers=TECHNICIAN)).json()
    (task,) = [t for t in tasks if t["inspection_id"] == like_new["inspection_id"]]
    assert task["fnsku"] == "X00ABCDEF1"  # not the ASIN
    label = await api.get(f"/relabel-tasks/{task['inspection_id']}/label.pdf", headers=TECHNICIAN)
    page = pdfium.PdfDocument(label.content)[0]
    assert [c.text for c in zxingcpp.read_barcodes(page.render(scale=4).to_pil())] == ["X00ABCDEF1"]
