"""The buyer's own unit, in for a repair, at the bench over the real PostgreSQL: repaired
whatever its resale value, then sent back to its buyer; never sold, liquidated or recycled;
held for an agent, with the reason, when the local shop cannot repair it."""

from tests.factories import TECHNICIAN
from tests.handlers.refurbish.conftest import CABLE, checklist, form_of, outbox, received, submit

NEVER = {"relist_as_new", "sell_as_renewed", "liquidate", "return_to_origin", "recycle"}


async def inspection_now(api, inspection: dict) -> dict:
    path = f"/inspections/{inspection['inspection_id']}"
    return (await api.get(path, headers=TECHNICIAN)).json()


async def test_a_cheap_unit_is_repaired_then_sent_back_to_its_buyer(api):
    inspection = await received(api, CABLE, for_repair=True)
    assert inspection["for_repair"] is True
    form = await form_of(api, inspection)
    faulty = checklist(form, failing=("charges",), fault="charging port loose")
    decided = (await submit(api, inspection, {"checklist": faulty})).json()
    assert (decided["status"], decided["disposition"]) == ("repairing", "repair")
    by_disposition = {a["disposition"]: a for a in decided["alternatives"]}
    assert all(by_disposition[d]["excluded_by"] for d in NEVER)
    (repair,) = (
        await api.get(
            "/repairs", params={"inspection_id": inspection["inspection_id"]}, headers=TECHNICIAN
        )
    ).json()
    assert repair["cost_minor"] > 0
    done = await api.post(f"/repairs/{repair['repair_id']}/done", headers=TECHNICIAN)
    assert done.status_code == 200
    fixed = (await submit(api, inspection, {"checklist": checklist(form)})).json()
    assert (fixed["status"], fixed["disposition"], fixed["repairs_done"]) == (
        "decided",
        "return_to_buyer",
        1,
    )
    events = await outbox(api, inspection["case_id"])
    assert [e["type"] for e in events] == [
        "refurbish.inspection_opened",
        "refurbish.graded",
        "refurbish.disposition_decided",
        "refurbish.repair_ordered",
        "refurbish.repair_completed",
        "refurbish.graded",
        "refurbish.disposition_decided",
    ]
    assert events[-1]["data"]["disposition"] == "return_to_buyer"
    assert events[-1]["data"]["rma_id"] == inspection["rma_id"]


async def test_the_same_cheap_unit_returned_for_good_is_not_repaired(api):
    inspection = await received(api, CABLE)
    form = await form_of(api, inspection)
    faulty = checklist(form, failing=("charges",), fault="charging port loose")
    decided = (await submit(api, inspection, {"checklist": faulty})).json()
    assert decided["disposition"] not in ("repair", "return_to_buyer")


async def test_a_unit_with_nothing_to_repair_goes_straight_back_to_its_buyer(api):
    inspection = await received(api, CABLE, for_repair=True)
    form = await form_of(api, inspection)
    decided = (await submit(api, inspection, {"checklist": checklist(form)})).json()
    assert (decided["status"], decided["disposition"]) == ("decided", "return_to_buyer")


async def test_a_fault_the_shop_cannot_repair_holds_the_unit_for_an_agent(api):
    inspection = await received(api, CABLE, for_repair=True)
    form = await form_of(api, inspection)
    faulty = checklist(form, failing=("powers_on",), fault="cracked mainboard")
    for _ in range(2):  # the same findings again change nothing
        answer = await submit(api, inspection, {"checklist": faulty})
        assert answer.status_code == 200, answer.text
    held = await inspection_now(api, inspection)
    assert (held["status"], held["disposition"]) == ("held", None)
    assert held["held_reason"].startswith("not repairable locally")
    events = await outbox(api, inspection["case_id"])
    assert [e["type"] for e in events] == [
        "refurbish.inspection_opened",
        "refurbish.graded",
        "refurbish.unit_held_for_agent",
    ]
    assert events[-1]["data"]["reason"] == held["held_reason"]
    (repairs,) = [
        (
            await api.get(
                "/repairs",
                params={"inspection_id": inspection["inspection_id"]},
                headers=TECHNICIAN,
            )
        ).json()
    ]
    assert repairs == []
