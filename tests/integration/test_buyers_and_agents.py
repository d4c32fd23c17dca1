"""Buyers and agents: contact kept sealed, erasure everywhere, replies, ratings, agent choices."""

import json
import uuid

from deploy.emulators.shopify.orders import emulated_order
from services.intake.channels.shopify.webhook import request_key_of
from services.intake.domain.opening import case_id_of
from tests.conftest import eventually
from tests.factories import AGENT, INTERNAL_TOKEN, post_case, webhook
from tests.integration.conftest import rows
from tests.integration.test_channels import (
    sample,
    shop_has_return,
    shopify_headers,
    stored_case,
)

INTERNAL = {"authorization": f"Bearer {INTERNAL_TOKEN}"}
ADDRESS = {
    "line1": "221 Harbor Street",
    "city": "Boston",
    "region": "MA",
    "postal_code": "02110",
    "country": "US",
}


async def timeline_events(clients, case_id: str) -> list[dict]:
    """The case's events in analytics; none while analytics does not know the case (404)."""
    timeline = await clients["analytics"].get(f"/cases/{case_id}/timeline", headers=AGENT)
    return timeline.json()["events"] if timeline.status_code == 200 else []


async def open_generic_case(clients, **changes) -> str:
    answer = await post_case(clients["intake"], webhook(**changes))
    assert answer.status_code == 202, answer.text
    case_id = answer.json()["case_id"]
    await eventually(lambda: stored_case(clients, case_id))
    return case_id


async def test_contact_data_is_sealed_at_rest_and_only_the_ship_to_lookup_opens_it(
    clients, database
):
    buyer = {"name": "Dana Whitfield", "email": "dana@example.com", "address": ADDRESS}
    case_id = await open_generic_case(clients, buyer=buyer)

    [(contact,)] = await rows(
        database,
        "SELECT b.contact FROM intake.buyers b JOIN intake.cases c USING (channel, account,"
        " buyer_ref) WHERE c.case_id = :c",
        c=case_id,
    )
    assert b"dana@example.com" not in contact and b"Whitfield" not in contact
    events = await rows(
        database, "SELECT envelope::text FROM intake.outbox WHERE key = :c", c=case_id
    )
    assert events  # the case opened, and any messages told to the buyer
    for (event,) in events:
        assert "dana@example.com" not in event and "Harbor" not in event

    lookup = await clients["intake"].get(f"/cases/{case_id}/ship-to", headers=INTERNAL)
    assert lookup.status_code == 200
    assert lookup.json()["address"]["line1"] == "221 Harbor Street"
    assert "email" not in lookup.json()
    for headers, status in ({}, 401), (AGENT, 403), ({"authorization": "Bearer wrong"}, 401):
        refused = await clients["intake"].get(f"/cases/{case_id}/ship-to", headers=headers)
        assert refused.status_code == status


async def test_a_shopify_redact_erases_the_buyer_in_intake_and_analytics(
    clients, emulators, database
):
    returned = json.loads(sample("shopify/returns_request.json"))
    order_id = uuid.uuid4().int % 10**12  # a new order, so a buyer of its own
    returned["order"]["id"] = order_id
    returned["admin_graphql_api_id"] = f"gid://shopify/Return/{order_id}"  # a return of its own
    await shop_has_return(emulators, returned)
    customer = str(emulated_order(order_id).customer_id)
    request = json.dumps(returned).encode()
    event_id = str(uuid.uuid4())
    answer = await clients["intake"].post(
        "/webhooks/shopify",
        content=request,
        headers=shopify_headers("returns/request", request, event_id),
    )
    assert answer.status_code == 202
    case_id = case_id_of("shopify", request_key_of(request), account="linen-home.myshopify.com")
    case = await eventually(lambda: stored_case(clients, case_id))
    assert case["buyer_ref"] == customer and case["buyer_comment"]

    await eventually(lambda: timeline_events(clients, case_id))

    redact = json.dumps(
        {
            "shop_id": 954889,
            "shop_domain": "linen-home.myshopify.com",
            "customer": {"id": int(customer), "email": "ellie.hughes@example.com"},
            "orders_to_redact": [],
        }
    ).encode()
    answer = await clients["intake"].post(
        "/webhooks/shopify",
        content=redact,
        headers=shopify_headers("customers/redact", redact, str(uuid.uuid4())),
    )
    assert answer.status_code == 202

    async def erased_in_analytics():
        events = await timeline_events(clients, case_id)
        return "case.buyer_erased" in [e["type"] for e in events] and events

    events = await eventually(erased_in_analytics, timeout=30)
    for event in events:
        assert "buyer_comment" not in event["data"] and "buyer_ref" not in event["data"]
    erased = await stored_case(clients, case_id)
    assert (erased["buyer_ref"], erased["buyer_comment"]) == ("[erased]", "")
    [(erased_at, contact)] = await rows(
        database,
        "SELECT erased_at, contact FROM intake.buyers WHERE channel = 'shopify' AND buyer_ref = :b",
        b=customer,
    )
    assert erased_at is not None and contact is None
    lookup = await clients["intake"].get(f"/cases/{case_id}/ship-to", headers=INTERNAL)
    assert lookup.status_code == 404


async def test_buyer_replies_and_ratings_are_events_once_each(clients, database):
    case_id = await open_generic_case(clients)
    reply = {
        "message_id": f"m-{uuid.uuid4()}",
        "answer": "decline",
        "text": "Je préfère un remboursement complet.",
    }
    for _ in range(2):
        answer = await clients["intake"].post(
            f"/cases/{case_id}/replies", json=reply, headers=AGENT
        )
        assert answer.status_code == 200
    assert answer.json()["duplicate"] is True
    rating = {"message_id": f"r-{uuid.uuid4()}", "rating": 5, "comment": "Quick and kind."}
    answer = await clients["intake"].post(f"/cases/{case_id}/ratings", json=rating, headers=AGENT)
    assert answer.status_code == 200
    bad = await clients["intake"].post(
        f"/cases/{case_id}/ratings", json={**rating, "rating": 6}, headers=AGENT
    )
    assert bad.status_code == 422
    unknown = await clients["intake"].post("/cases/case-nope/ratings", json=rating, headers=AGENT)
    assert unknown.status_code == 404
    assert (
        await clients["intake"].post(f"/cases/{case_id}/replies", json=reply)
    ).status_code == 401

    async def both_in_analytics():
        events = [
            e for e in await timeline_events(clients, case_id) if e["type"].startswith("case.")
        ]
        types = [e["type"] for e in events]
        return (
            types.count("case.buyer_replied") == 1 and "case.satisfaction_rated" in types and events
        )

    events = await eventually(both_in_analytics)
    replied = next(e for e in events if e["type"] == "case.buyer_replied")
    assert (replied["data"]["answer"], replied["data"]["language"]) == ("decline", "fr")


async def test_a_case_intake_cannot_classify_waits_for_an_agent_then_is_offered(clients, database):
    case_id = await open_generic_case(clients, reason_code="OTHER", buyer_comment="")
    case = await stored_case(clients, case_id)
    assert case["needs_agent"] is True and case["scenario"] is None
    queue = await clients["intake"].get("/cases?needs_agent=true", headers=AGENT)
    assert case_id in {c["case_id"] for c in queue.json()}

    async def waiting():
        found = await rows(
            database, "SELECT remedy, rule FROM resolution.decisions WHERE case_id = :c", c=case_id
        )
        return found and found[0]

    assert (await eventually(waiting)).remedy == ""

    choice = {"scenario": "minor_defect", "agent": "mei@support", "note": "scratch on the lid"}
    answer = await clients["intake"].post(
        f"/cases/{case_id}/classification", json=choice, headers=AGENT
    )
    assert answer.status_code == 200, answer.text
    again = await clients["intake"].post(
        f"/cases/{case_id}/classification", json=choice, headers=AGENT
    )
    assert again.status_code == 409

    async def offered():
        found = await rows(
            database,
            "SELECT state, plan->0->>'remedy' AS remedy, rule FROM resolution.decisions "
            "WHERE case_id = :c",
            c=case_id,
        )
        return found and found[0].state == "offered" and found[0]

    decision = await eventually(offered, timeout=30)
    assert decision.remedy == "partial_refund"
    assert "agent mei@support" in decision.rule
