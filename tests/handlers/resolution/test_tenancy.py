"""Resolution's walls between sellers (`handlers/tenancy.py`, kept by every route), over
the real PostgreSQL: two sellers, each with an offered case, a case waiting for an agent
(its clock running), a refund owed, a policy and a guide. Someone scoped to seller A sees
A's only, in every list; B's things answer 404, as ones that do not exist; operations
read, never write; a seller's admin writes its own policy and guides only; the platform
admin sees both; warehouse staff, technicians and services are refused (403), and a call
without a token 401."""

import uuid
from dataclasses import dataclass

import pytest
from faststream.kafka import TestKafkaBroker

from services.resolution.app import SPEC
from services.resolution.tables import Refund
from shared.events import Envelope, Scenario
from tests.factories import (
    AGENT,
    INTERNAL_TOKEN,
    STAFF,
    TECHNICIAN,
    SellerPeople,
    bearer,
    case_opened,
    envelope_bytes,
    token_of,
)
from tests.handlers.resolution.conftest import a_seller

GUIDE = {
    "language": "en",
    "sku": "KIT-MSC-SS12",
    "title": "The lid does not close",
    "steps": ["Clean the seal.", "Line up the arrows.", "Turn until it clicks."],
}
QUESTION = {"policy": {"offer_expiry_hours": 24}}


@dataclass
class Seller(SellerPeople):
    name: str
    offered: str  # a case offered a remedy, a refund owed on it
    waiting: str  # a case waiting for an agent, its first-reply clock running
    refund: str


async def a_seller_with_cases(api) -> Seller:
    name = a_seller()
    offered = case_opened(scenario=Scenario.SIZE_STYLE_MISMATCH)
    waiting = case_opened(scenario=None)
    async with TestKafkaBroker(api.service.broker) as broker:
        for case in (offered, waiting):
            case = case.model_copy(update={"seller_account": name})
            await broker.publish(envelope_bytes(Envelope.wrap(case)), "intake.events")
    refund = Refund(
        refund_id=f"refund-{uuid.uuid4()}",
        case_id=offered.case_id,
        marketplace="amazon",
        seller_account=name,
        order_id=offered.order_id,
        remedy="partial_refund",
        amount_minor=500,
        currency="USD",
    )
    async with api.service.transaction() as session:
        session.add(refund)
    policy = await api.put(f"/policies/{name}", json={"offer_expiry_hours": 24}, headers=AGENT)
    assert policy.status_code == 201, policy.text
    guide = await api.put(f"/guides/{name}/lid", json=GUIDE, headers=AGENT)
    assert guide.status_code == 200, guide.text
    return Seller(name, offered.case_id, waiting.case_id, refund.refund_id)


@pytest.fixture
async def sellers(api) -> tuple[Seller, Seller]:
    return await a_seller_with_cases(api), await a_seller_with_cases(api)


async def listed(api, path: str, headers: dict, **params) -> list[dict]:
    answer = await api.get(path, params={"limit": 500, **params}, headers=headers)
    assert answer.status_code == 200, answer.text
    return answer.json()


async def cases_seen(api, headers: dict) -> set[str]:
    """Every case the caller finds in the lists: decisions, refunds, clocks."""
    seen = set()
    for state in ("offered", "waiting"):
        seen |= {d["case_id"] for d in await listed(api, "/decisions", headers, state=state)}
    seen |= {r["case_id"] for r in await listed(api, "/refunds", headers, state="pending")}
    seen |= {c["case_id"] for c in await listed(api, "/clocks", headers, state="running")}
    return seen


async def test_someone_of_one_seller_finds_that_sellers_cases_only_in_every_list(api, sellers):
    a, b = sellers
    for reader in (a.agent(), a.operations(), a.admin()):
        decisions = await listed(api, "/decisions", reader, state="offered")
        assert {d["seller_account"] for d in decisions} == {a.name}
        assert [d["case_id"] for d in decisions] == [a.offered]
        waiting = await listed(api, "/decisions", reader, state="waiting")
        assert [d["case_id"] for d in waiting] == [a.waiting]
        refunds = await listed(api, "/refunds", reader, state="pending")
        assert [r["refund_id"] for r in refunds] == [a.refund]
        clocks = await listed(api, "/clocks", reader, state="running")
        assert {c["case_id"] for c in clocks} == {a.waiting}
        # Asked for B's case by name, a list still shows none of it.
        assert await listed(api, "/refunds", reader, case_id=b.offered) == []


async def test_the_platform_admin_finds_both_sellers(api, sellers):
    a, b = sellers
    seen = await cases_seen(api, AGENT)
    assert {a.offered, a.waiting, b.offered, b.waiting} <= seen
    for seller in (a, b):
        decision = await api.get(f"/decisions/{seller.offered}", headers=AGENT)
        assert decision.json()["seller_account"] == seller.name
        assert (await api.get(f"/policies/{seller.name}", headers=AGENT)).json()["version"] == 1


def one_sellers_things(seller: Seller) -> list[tuple[str, str, dict | None]]:
    """Every route of a seller's own things, as (method, path, body)."""
    return [
        ("GET", f"/decisions/{seller.offered}", None),
        ("GET", f"/cases/{seller.offered}/offers", None),
        ("GET", f"/policies/{seller.name}", None),
        ("GET", f"/policies/{seller.name}/versions/1", None),
        ("GET", f"/guides/{seller.name}", None),
        ("GET", f"/guides/{seller.name}/lid/versions", None),
    ]


def one_sellers_changes(seller: Seller) -> list[tuple[str, str, dict | None]]:
    return [
        ("POST", f"/cases/{seller.waiting}/follow-up", None),
        ("POST", f"/what-if/{seller.name}", QUESTION),
    ]


def one_sellers_settings(seller: Seller) -> list[tuple[str, str, dict | None]]:
    return [
        ("PUT", f"/policies/{seller.name}", {"offer_expiry_hours": 12}),
        ("PUT", f"/guides/{seller.name}/lid", GUIDE),
        ("DELETE", f"/guides/{seller.name}/lid", None),
    ]


async def test_another_sellers_things_answer_404_as_ones_that_do_not_exist(api, sellers):
    a, b = sellers
    agent, admin = a.agent(), a.admin()
    for method, path, body in one_sellers_things(a) + one_sellers_changes(a):
        mine = await api.request(method, path, json=body, headers=agent)
        assert mine.status_code == 200, (path, mine.text)
    for method, path, body in one_sellers_things(b) + one_sellers_changes(b):
        theirs = await api.request(method, path, json=body, headers=agent)
        assert theirs.status_code == 404, (path, theirs.text)
    for method, path, body in one_sellers_settings(b):
        theirs = await api.request(method, path, json=body, headers=admin)
        assert theirs.status_code == 404, (path, theirs.text)
    # The same answer as for a case never opened: nothing tells B's case exists.
    never = await api.get("/decisions/case-never-opened", headers=agent)
    theirs = await api.get(f"/decisions/{b.offered}", headers=agent)
    assert theirs.json()["detail"] == never.json()["detail"].replace("case-never-opened", b.offered)
    assert (await api.get("/cases/case-never-opened/offers", headers=agent)).status_code == 404
    # B's things are unchanged.
    assert (await api.get(f"/policies/{b.name}", headers=AGENT)).json()["version"] == 1
    guides = await api.get(f"/guides/{b.name}", params={"sku": GUIDE["sku"]}, headers=AGENT)
    assert "lid" in {g["guide_id"] for g in guides.json()}


async def test_operations_read_but_never_write(api, sellers):
    a, _ = sellers
    operations = a.operations()
    for method, path, body in one_sellers_things(a):
        assert (await api.request(method, path, json=body, headers=operations)).status_code == 200
    for method, path, body in one_sellers_changes(a) + one_sellers_settings(a):
        refused = await api.request(method, path, json=body, headers=operations)
        assert refused.status_code == 403, (path, refused.text)
    assert (await api.get(f"/policies/{a.name}", headers=AGENT)).json()["version"] == 1


async def test_a_sellers_admin_writes_its_own_policy_and_guides_an_agent_does_not(api, sellers):
    a, _ = sellers
    for method, path, body in one_sellers_settings(a):
        refused = await api.request(method, path, json=body, headers=a.agent())
        assert refused.status_code == 403, (path, refused.text)
    for method, path, body in one_sellers_settings(a):
        done = await api.request(method, path, json=body, headers=a.admin())
        assert done.status_code in (200, 201, 204), (path, done.text)
    in_force = (await api.get(f"/policies/{a.name}", headers=a.agent())).json()
    assert (in_force["version"], in_force["policy"]["offer_expiry_hours"]) == (2, 12)


# Every route of resolution's API, with a path that fits it (what it names need not exist:
# the token is checked first).
ROUTES = [
    ("GET", "/decisions/case-1"),
    ("GET", "/decisions"),
    ("GET", "/cases/case-1/offers"),
    ("GET", "/refunds"),
    ("GET", "/clocks"),
    ("POST", "/cases/case-1/follow-up"),
    ("POST", "/cases/case-1/offers"),
    ("GET", "/cases/case-1/buyer-view"),
    ("GET", "/policies/seller-1"),
    ("GET", "/policies/seller-1/versions/1"),
    ("PUT", "/policies/seller-1"),
    ("GET", "/guides/seller-1"),
    ("PUT", "/guides/seller-1/guide-1"),
    ("DELETE", "/guides/seller-1/guide-1"),
    ("GET", "/guides/seller-1/guide-1/versions"),
    ("POST", "/what-if/seller-1"),
    ("GET", "/failed-calls"),
    ("POST", "/failed-calls/retry"),
    ("POST", "/failed-calls/discard"),
    ("POST", "/failed-calls/refund/re-1/retry"),
    ("POST", "/failed-calls/refund/re-1/discard"),
]
SERVICES_ONLY = {"/cases/case-1/buyer-view"}


def test_every_route_of_the_api_is_in_the_walls_tests():
    templates = {
        (method, route.path)
        for router in SPEC.routers
        for route in router.routes
        for method in route.methods
    }
    filled = {
        (
            method,
            path.replace("{case_id}", "case-1")
            .replace("{seller}", "seller-1")
            .replace("{version}", "1")
            .replace("{guide_id}", "guide-1")
            .replace("{kind}", "refund")
            .replace("{call_id}", "re-1"),
        )
        for method, path in templates
    }
    assert filled == set(ROUTES)


@pytest.mark.parametrize(("method", "path"), ROUTES)
async def test_without_a_token_401_and_with_a_token_of_another_trade_403(api, method, path):
    body = {} if method in ("PUT", "POST") else None
    assert (await api.request(method, path, json=body)).status_code == 401
    others = [STAFF, TECHNICIAN, bearer(token_of(["agent"], sellers=["seller-1"], name="ida"))]
    if path not in SERVICES_ONLY:
        others[-1] = bearer(INTERNAL_TOKEN)  # a service reads none of a seller's things
    for headers in others:
        assert (await api.request(method, path, json=body, headers=headers)).status_code == 403


async def test_an_agent_offers_anyway_to_its_own_sellers_cases_only(api, sellers):
    a, b = sellers
    goodwill = {"remedy": "partial_refund"}
    # A's case is not held: refused as such (409); B's answers 404, as one never opened.
    mine = await api.post(f"/cases/{a.waiting}/offers", json=goodwill, headers=a.agent())
    assert mine.status_code == 409, mine.text
    theirs = await api.post(f"/cases/{b.waiting}/offers", json=goodwill, headers=a.agent())
    assert theirs.status_code == 404, theirs.text
    refused = await api.post(f"/cases/{a.waiting}/offers", json=goodwill, headers=a.operations())
    assert refused.status_code == 403
