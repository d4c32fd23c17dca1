"""The chaos run's load plays buyers who take a part or a new unit: one generic case in five
is a fault a part or a unit from a local warehouse puts right, and its buyer answers."""

import json

from bench.chaos import ANSWERING_BUYERS, PUT_RIGHT_FROM_STOCK, Deliveries, buyers_waiting
from bench.pipeline import classified


async def generic_deliveries(count: int) -> list:
    made = Deliveries(settings=None, emulators=None)  # type: ignore[arg-type]
    return [await made.made(i) for i in range(count) if i % 4 < 2]  # 2 and 3: marketplaces


async def test_one_generic_case_in_five_is_a_buyer_taking_a_part_or_a_new_unit():
    generic = await generic_deliveries(100)
    answering = [d for d in generic if d.buyer_answers]
    assert len(answering) == len(generic) // ANSWERING_BUYERS
    scenarios = {classified(json.loads(d.body)).scenario for d in answering}
    assert scenarios <= PUT_RIGHT_FROM_STOCK
    assert len(scenarios) > 1  # parts and new units alike


async def test_a_buyer_waits_until_their_case_is_accepted_and_its_first_offer_comes():
    generic = await generic_deliveries(40)
    answering = [d for d in generic if d.buyer_answers]
    assert buyers_waiting(generic) == []  # no case yet: intake has not accepted them
    for n, delivery in enumerate(answering):
        delivery.case_id = f"case-{n}"
    answering[0].offer_taken = "part_shipment"
    answering[1].offer_left = "partial_refund"
    assert buyers_waiting(generic) == ["case-2", "case-3"]
