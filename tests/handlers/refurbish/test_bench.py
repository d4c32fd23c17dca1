"""The technician's bench over the real PostgreSQL: the checklist graded by rubric (or
overridden with a reason), the unit disposed of by expected recovery, repairs."""

import pypdfium2 as pdfium
import pytest
import zxingcpp

from shared.events import CaseItem, ReturnRoute
from tests.factories import TECHNICIAN
from tests.handlers.refurbish.conftest import SPEAKER, checklist, form_of, outbox, received, submit
from tests.zpl_reading import read_zpl


async def test_a_like_new_unit_is_graded_a_and_relabelled_for_the_marketplace(api):
    inspection = await received(api)
    assert inspection["status"] == "open" and inspection["photos"]
    form = await form_of(api, inspection)
    assert "charges" in form["tests"]
    body = {"checklist": checklist(form)}
    graded = await submit(api, inspection, body)
    assert graded.status_code == 200, graded.text
    result = graded.json()
    assert (result["grade"], result["computed_grade"], result["status"]) == ("A", "A", "decided")
    assert result["disposition"] == "relist_as_new"
    considered = {a["disposition"] for a in result["alternatives"]}
    assert {"relist_as_new", "sell_as_renewed", "liquidate", "recycle"} <= considered
    best = result["alternatives"][0]
    assert best["disposition"] == "relist_as_new" and best["net_minor"] == result["net_minor"]
    assert -sum(line["amount_minor"] for line in best["lines"]) == best["net_minor"]

    again = await submit(api, inspection, body)  # the same findings again: nothing new
    assert again.status_code == 200
    types = [e["type"] for e in await outbox(api, inspection["case_id"])]
    assert types == [
        "refurbish.inspection_opened",
        "refurbish.graded",
        "refurbish.disposition_decided",
    ]

    tasks = (await api.get("/warehouses/BOS1/relabel-tasks", headers=TECHNICIAN)).json()
    task = next(t for t in tasks if t["inspection_id"] == inspection["inspection_id"])
    assert task["fnsku"] == SPEAKER.asin
    label = await api.get(f"/relabel-tasks/{task['inspection_id']}/label.pdf", headers=TECHNICIAN)
    page = pdfium.PdfDocument(label.content)[0]
    codes = zxingcpp.read_barcodes(page.render(scale=4).to_pil())
    assert [c.text for c in codes] == [SPEAKER.asin]
    zebra = await api.get(f"/relabel-tasks/{task['inspection_id']}/label.zpl", headers=TECHNICIAN)
    assert zebra.headers["content-type"] == "application/zpl"
    assert zebra.headers["content-disposition"].startswith("attachment;")
    assert [b.data for b in read_zpl(zebra.text).barcodes("code128")] == [SPEAKER.asin]
    done = await api.post(f"/relabel-tasks/{task['inspection_id']}/done", headers=TECHNICIAN)
    assert done.json()["status"] == "done" and done.json()["done_by"] == "ben"


async def test_a_graded_unit_keeps_its_grade_unless_the_same_findings_come_again(api):
    inspection = await received(api)
    form = await form_of(api, inspection)
    await submit(api, inspection, {"checklist": checklist(form)})
    other = await submit(api, inspection, {"checklist": checklist(form, cosmetic="heavy")})
    assert other.status_code == 409


async def test_an_override_needs_a_reason_and_is_recorded_with_the_technician(api):
    inspection = await received(api)
    form = await form_of(api, inspection)
    short = {"checklist": checklist(form), "override": {"grade": "C", "reason": "meh"}}
    assert (await submit(api, inspection, short)).status_code == 422
    reason = "speaker grille bent; not on the checklist"
    body = {"checklist": checklist(form), "override": {"grade": "C", "reason": reason}}
    graded = (await submit(api, inspection, body)).json()
    assert (graded["grade"], graded["computed_grade"]) == ("C", "A")
    assert graded["override_reason"] == reason and graded["technician"] == "ben"
    event = next(
        e["data"]
        for e in await outbox(api, inspection["case_id"])
        if e["type"] == "refurbish.graded"
    )
    assert (event["grade"], event["computed_grade"], event["override_reason"]) == ("C", "A", reason)


async def test_a_parcel_received_without_a_currency_still_shows_its_checklist(api):
    inspection = await received(api, currency=None)
    assert inspection["currency"] == ""
    assert "charges" in (await form_of(api, inspection))["tests"]


async def test_a_unit_without_a_price_is_refused_with_the_reason_not_graded(api):
    """A parcel that came without a currency, or listing no items (an old event), has no
    price to weigh its outlets by: the bench says so (422), it does not fail (500)."""
    unpriced = await received(api, currency=None)
    unlisted = await received(api, item=None)
    assert (await form_of(api, unlisted))["category"] == "default"
    for inspection, why in (
        (unpriced, "came without a currency"),
        (unlisted, "lists no items"),
    ):
        body = {"checklist": checklist(await form_of(api, inspection))}
        refused = await submit(api, inspection, body)
        assert refused.status_code == 422, refused.text
        assert refused.json()["detail"] == (
            f"inspection {inspection['inspection_id']} cannot be graded: the returned parcel {why}"
        )
        again = await api.get(f"/inspections/{inspection['inspection_id']}", headers=TECHNICIAN)
        assert again.json()["status"] == "open"


async def test_an_override_reason_of_blanks_is_refused_not_a_server_error(api):
    inspection = await received(api)
    form = await form_of(api, inspection)
    padded = {"checklist": checklist(form), "override": {"grade": "C", "reason": " " * 12 + "x"}}
    answer = await submit(api, inspection, padded)
    assert answer.status_code == 422 and "reason" in answer.text
    assert (
        await api.get(f"/inspections/{inspection['inspection_id']}", headers=TECHNICIAN)
    ).json()["status"] == "open"


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"functional": {"no_such_test": True}}, "no_such_test"),
        ({"cosmetic": "sparkly"}, "cosmetic"),
        ({"packaging": None}, "packaging"),
    ],
)
async def test_a_checklist_that_does_not_fit_the_category_is_refused(api, change, reason):
    inspection = await received(api)
    form = await form_of(api, inspection)
    answer = await submit(api, inspection, {"checklist": {**checklist(form), **change}})
    assert answer.status_code == 422 and reason in answer.text


async def test_unknown_inspections_are_404_and_technicians_must_sign_in(api):
    assert (await api.get("/inspections/insp-nope", headers=TECHNICIAN)).status_code == 404
    assert (await submit(api, {"inspection_id": "insp-nope"}, {"checklist": {}})).status_code == 404
    inspection = await received(api)
    form = await form_of(api, inspection)
    anonymous = await submit(api, inspection, {"checklist": checklist(form)}, headers={})
    assert anonymous.status_code == 401
    assert (await api.post("/repairs/rep-nope/done", headers=TECHNICIAN)).status_code == 404
    assert (await api.post("/lots/lot-nope/close", headers=TECHNICIAN)).status_code == 404


async def test_a_fault_worth_repairing_is_repaired_once_then_graded_again(api):
    inspection = await received(api)
    form = await form_of(api, inspection)
    faulty = checklist(form, failing=("charges",), fault="charging port loose")
    decided = (await submit(api, inspection, {"checklist": faulty})).json()
    assert (decided["status"], decided["disposition"]) == ("repairing", "repair")
    repairs = (
        await api.get(
            "/repairs", params={"inspection_id": decided["inspection_id"]}, headers=TECHNICIAN
        )
    ).json()
    (repair,) = repairs
    assert repair["cost_minor"] > 0 and repair["parts"]
    for _ in range(2):
        done = await api.post(f"/repairs/{repair['repair_id']}/done", headers=TECHNICIAN)
        assert done.status_code == 200
    reopened = (
        await api.get(f"/inspections/{decided['inspection_id']}", headers=TECHNICIAN)
    ).json()
    assert (reopened["status"], reopened["repairs_done"]) == ("open", 1)
    fixed = (await submit(api, inspection, {"checklist": checklist(form, cosmetic="light")})).json()
    assert fixed["status"] == "decided" and fixed["disposition"] != "repair"
    types = [e["type"] for e in await outbox(api, inspection["case_id"])]
    assert types == [
        "refurbish.inspection_opened",
        "refurbish.graded",
        "refurbish.disposition_decided",
        "refurbish.repair_ordered",
        "refurbish.repair_completed",
        "refurbish.graded",
        "refurbish.disposition_decided",
    ]


async def test_a_dear_unit_with_a_fault_no_local_shop_fixes_goes_back_to_origin(api):
    pump = CaseItem(
        sku="ESP-900",
        title="Espresso machine",
        category="electronics",
        quantity=1,
        unit_price_minor=15000,
    )
    inspection = await received(api, pump, route=ReturnRoute.ORIGIN)
    form = await form_of(api, inspection)
    faulty = checklist(form, failing=("powers_on",), fault="E4 pump")
    decided = (await submit(api, inspection, {"checklist": faulty})).json()
    assert (decided["grade"], decided["disposition"]) == ("D", "return_to_origin")
    by_disposition = {a["disposition"]: a for a in decided["alternatives"]}
    assert (
        by_disposition["return_to_origin"]["net_minor"] > by_disposition["liquidate"]["net_minor"]
    )
    assert "repair" in by_disposition and by_disposition["repair"]["excluded_by"]
    event = (await outbox(api, inspection["case_id"]))[-1]
    assert event["type"] == "refurbish.disposition_decided"
    assert (
        event["data"]["rma_id"] == inspection["rma_id"]
        and event["data"]["items"][0]["sku"] == "ESP-900"
    )
