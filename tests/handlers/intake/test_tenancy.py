"""The walls between sellers on intake's routes (`handlers/tenancy.py` and each route's
policy): two sellers, A and B, each with one of every seller-owned thing intake keeps (a
case, its photo, a failed delivery, a refund, a return action, a message to the buyer, an
FBA unit, a removal order, a reimbursement claim, an Amazon report poll and a waiting
return, a channel account). Someone scoped to A sees only A's in every list, and B's
answer 404 with the words of a missing one; operations read and never write; a seller
admin changes only their own accounts; the platform admin sees both; warehouse staff and
technicians get 403 everywhere here, no token 401."""

import json
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime

import pytest
from fastapi.routing import APIRoute
from sqlalchemy import text

from services.intake.app import SPEC
from services.intake.handlers.tenancy import no_case
from services.intake.tables import (
    AmazonFbaUnit,
    AmazonReimbursementClaim,
    AmazonRemovalOrder,
    AmazonReportPoll,
    AmazonReturnRows,
    CasePhoto,
    DeliveryRecord,
    OutgoingMessage,
    RefundRecord,
    ReturnActionRecord,
)
from shared.identity import PublicRoute
from tests.factories import AGENT, INTERNAL_TOKEN, STAFF, TECHNICIAN, bearer, token_of, webhook
from tests.handlers.intake.conftest import Seller
from tests.handlers.intake.marketplace_side.conftest import stored_case

NOW = datetime.now(UTC)
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
INTERNAL = bearer(INTERNAL_TOKEN)


@dataclass
class Things:
    """One seller's things, by what names each."""

    account: str
    case_id: str = ""
    ids: dict[str, str] = field(default_factory=dict)


async def things_of(intake, account: str) -> Things:
    """A case of `account` and one of every seller-owned thing, stored as intake keeps them."""
    service, vault = intake.service, intake.service.context.vault
    case = await stored_case(service, account=account, reason="damaged")
    async with service.engine.begin() as connection:
        await connection.execute(
            text(
                """UPDATE intake.cases SET "case" = "case" || '{"buyer_language": "en"}'"""
                " WHERE case_id = :c"
            ),
            {"c": case.case_id},
        )
    case_id, order_id, key = case.case_id, case.order_id, uuid.uuid4().hex[:10]
    ids = {
        "photo": f"photo-{key}",
        "delivery": f"generic:tenancy-{key}",
        "refund": f"refund-{key}",
        "action": f"action-{key}",
        "message": f"message-{key}",
        "plate": f"LPN{key}",
        "removal": f"removal-{key}",
        "claim": f"claim-{key}",
        "return": f"amazon:rma:{key}",
    }
    unit = {"order_id": order_id, "sku": "SKU-1", "quantity": 1, "market": "US"}
    graded = {"fulfillment_center": "PHX7", "disposition": "SELLABLE", "amazon_status": "ok"}
    async with service.transaction() as session:
        session.add_all(
            [
                CasePhoto(
                    case_id=case_id,
                    photo_id=ids["photo"],
                    content_type="image/png",
                    size=len(PNG),
                    sealed=vault.seal_bytes(PNG),
                ),
                DeliveryRecord(
                    channel="generic",
                    account=account,
                    delivery_id=ids["delivery"],
                    kind="webhook",
                    content=b"",
                    trace_headers={},
                    state="failed",
                    error="the marketplace said no",
                ),
                RefundRecord(
                    refund_id=ids["refund"],
                    case_id=case_id,
                    channel="generic",
                    account=account,
                    order_id=order_id,
                    request={},
                    state="paid",
                ),
                ReturnActionRecord(
                    action_id=ids["action"],
                    case_id=case_id,
                    channel="generic",
                    account=account,
                    order_id=order_id,
                    action="approve",
                    state="done",
                ),
                OutgoingMessage(
                    message_id=ids["message"],
                    idempotency_key=f"tenancy/{key}",
                    case_id=case_id,
                    channel="generic",
                    account=account,
                    seller=account,
                    kind="nothing_owed",
                    way="email",
                    trigger="tenancy",
                    language="en",
                    facts={},
                    state="sent",
                ),
                AmazonFbaUnit(
                    account=account,
                    license_plate=ids["plate"],
                    case_id=case_id,
                    outcome="back_in_stock",
                    returned_at=NOW,
                    seen_at=NOW,
                    **unit,
                    **graded,
                ),
                AmazonRemovalOrder(
                    removal_order_id=ids["removal"],
                    case_id=case_id,
                    account=account,
                    license_plate=ids["plate"],
                    state="done",
                    **unit,
                ),
                AmazonReimbursementClaim(
                    claim_id=ids["claim"],
                    case_id=case_id,
                    account=account,
                    license_plate=ids["plate"],
                    returned_at=NOW,
                    currency="USD",
                    state="not_needed",
                    **unit,
                    **graded,
                ),
                # Paused: no poller of a later test asks Amazon for it.
                AmazonReportPoll(
                    account=account, report_type="TENANCY", state="paused", covered_until=NOW
                ),
                AmazonReturnRows(
                    account=account,
                    return_key=ids["return"],
                    rows=b"",
                    source="upload",
                    state="failed",
                    error="no such order",
                ),
            ]
        )
    return Things(account, case_id, ids)


OWNED_TABLES = (
    "deliveries", "cases", "refunds", "return_actions", "outgoing_messages",
    "amazon_fba_units", "amazon_removal_orders", "amazon_reimbursement_claims",
    "amazon_report_polls", "amazon_return_rows",
)  # fmt: skip


async def forget(intake, accounts: list[str]) -> None:
    """Nothing of these sellers is left for a later test's workers."""
    async with intake.service.engine.begin() as connection:
        given = {"a": accounts}
        for table in ("case_photos", "buyer_messages"):
            await connection.execute(
                text(
                    f"DELETE FROM intake.{table} WHERE case_id IN "
                    "(SELECT case_id FROM intake.cases WHERE account = ANY(:a))"
                ),
                given,
            )
        for table in OWNED_TABLES:
            await connection.execute(
                text(f"DELETE FROM intake.{table} WHERE account = ANY(:a)"), given
            )


@dataclass
class Sellers:
    a: Things
    b: Things
    agent: dict[str, str]  # an agent of A's
    operations: dict[str, str]  # operations, assigned A
    admin: dict[str, str]  # A's seller admin


@pytest.fixture
async def sellers(intake) -> AsyncIterator[Sellers]:
    key = uuid.uuid4().hex[:8]
    accounts = [f"tenant-a-{key}", f"tenant-b-{key}"]
    for account in accounts:
        created = await Seller(account, f"secret-{key}").create(intake)
        assert created.status_code == 201, created.text
    a, b = [await things_of(intake, account) for account in accounts]
    yield Sellers(
        a,
        b,
        agent=bearer(token_of(["agent"], sellers=[a.account], name="alice")),
        operations=bearer(token_of(["operations"], sellers=[a.account], name="olga")),
        admin=bearer(token_of(["seller_admin"], sellers=[a.account], name="sam")),
    )
    await forget(intake, accounts)
    for account in accounts:
        disabled = await intake.post(f"/channel-accounts/generic/{account}/disable", headers=AGENT)
        assert disabled.status_code == 200, disabled.text


# Every list of seller data, and what names each of its rows.
LISTS = {
    "/cases?limit=500": "case_id",
    "/deliveries?limit=500": "delivery_id",
    "/refunds?limit=500": "refund_id",
    "/return-actions?limit=500": "action_id",
    "/messages?limit=500": "message_id",
    "/amazon/fba-units?limit=500": "license_plate",
    "/amazon/removal-orders?limit=500": "removal_order_id",
    "/amazon/reimbursement-claims?limit=500": "claim_id",
    "/amazon/report-polls": "account",
    "/amazon/returns?limit=500": "return_key",
    "/channel-accounts": "account",
}
NAMED_BY = {
    "case_id": lambda t: t.case_id,
    "delivery_id": lambda t: t.ids["delivery"],
    "refund_id": lambda t: t.ids["refund"],
    "action_id": lambda t: t.ids["action"],
    "message_id": lambda t: t.ids["message"],
    "license_plate": lambda t: t.ids["plate"],
    "removal_order_id": lambda t: t.ids["removal"],
    "claim_id": lambda t: t.ids["claim"],
    "account": lambda t: t.account,
    "return_key": lambda t: t.ids["return"],
}


async def names_in(intake, path: str, headers: dict[str, str]) -> set[str]:
    answer = await intake.get(path, headers=headers)
    assert answer.status_code == 200, (path, answer.text)
    return {row[LISTS[path]] for row in answer.json()}


@pytest.mark.parametrize("path", LISTS)
async def test_someone_scoped_to_a_seller_lists_only_its_things(intake, sellers, path):
    name_of = NAMED_BY[LISTS[path]]
    mine, theirs = name_of(sellers.a), name_of(sellers.b)
    for headers in (sellers.agent, sellers.operations, sellers.admin):
        names = await names_in(intake, path, headers)
        assert mine in names and theirs not in names, path
    everyone = await names_in(intake, path, AGENT)
    assert {mine, theirs} <= everyone  # the platform admin sees both


async def test_a_case_s_own_lists_are_another_seller_s_404(intake, sellers):
    a, b = sellers.a, sellers.b
    for path, key, name in (("messages", "message_id", "message"), ("photos", "photo_id", "photo")):
        mine = await intake.get(f"/cases/{a.case_id}/{path}", headers=sellers.agent)
        assert [row[key] for row in mine.json()] == [a.ids[name]]
        theirs = await intake.get(f"/cases/{b.case_id}/{path}", headers=sellers.agent)
        assert (theirs.status_code, theirs.json()) == (404, {"detail": no_case(b.case_id)})
        both = await intake.get(f"/cases/{b.case_id}/{path}", headers=AGENT)
        assert [row[key] for row in both.json()] == [b.ids[name]]


async def test_narrowing_a_list_to_another_seller_s_account_shows_nothing(intake, sellers):
    b = sellers.b.account
    for path in (
        "/deliveries", "/amazon/fba-units", "/amazon/removal-orders",
        "/amazon/reimbursement-claims", "/amazon/report-polls", "/amazon/returns",
    ):  # fmt: skip
        answer = await intake.get(path, params={"account": b}, headers=sellers.agent)
        assert (answer.status_code, answer.json()) == (200, []), path
    for path in ("/messages", "/amazon/fba-units", "/channel-accounts"):
        answer = await intake.get(path, params={"seller": b}, headers=sellers.agent)
        assert (answer.status_code, answer.json()) == (200, []), path
    for path in ("/refunds", "/return-actions", "/messages"):
        answer = await intake.get(
            path, params={"case_id": sellers.b.case_id}, headers=sellers.agent
        )
        assert (answer.status_code, answer.json()) == (200, []), path


def one_of_each(t: Things) -> list[tuple[str, str, dict | None]]:
    """Every route on one thing of seller `t`: (method, path, JSON body)."""
    agent = {"agent": "alice", "note": "looked"}
    return [
        ("GET", f"/cases/{t.case_id}", None),
        ("GET", f"/cases/{t.case_id}/messages", None),
        ("GET", f"/cases/{t.case_id}/photos", None),
        ("GET", f"/cases/{t.case_id}/photos/{t.ids['photo']}", None),
        ("GET", f"/channel-accounts/generic/{t.account}", None),
        ("POST", f"/cases/{t.case_id}/classification", {"scenario": "minor_defect", **agent}),
        ("POST", f"/cases/{t.case_id}/replies", {"message_id": "r-1", "answer": "accept"}),
        ("POST", f"/cases/{t.case_id}/ratings", {"message_id": "s-1", "rating": 5}),
        ("POST", f"/cases/{t.case_id}/messages/nothing-owed", {"why": "the window has passed"}),
        ("POST", f"/deliveries/generic/{t.account}/{t.ids['delivery']}/retry", None),
        ("POST", f"/refunds/{t.ids['refund']}/retry", None),
        ("POST", f"/return-actions/{t.ids['action']}/retry", None),
        ("POST", f"/messages/{t.ids['message']}/retry", None),
        (
            "POST",
            f"/amazon/fba-units/{t.account}/{t.ids['plate']}/decision",
            {"outcome": "removal", **agent},
        ),  # fmt: skip
        ("POST", f"/amazon/removal-orders/{t.ids['removal']}/retry", None),
        (
            "POST",
            f"/amazon/reimbursement-claims/{t.ids['claim']}/filed",
            {"seller_central_case_id": "SC-1", **agent},
        ),  # fmt: skip
        ("POST", f"/amazon/reimbursement-claims/{t.ids['claim']}/settled", agent),
        ("POST", f"/amazon/reimbursement-claims/{t.ids['claim']}/rejected", agent),
    ]


def missing(t: Things) -> Things:
    """The names of things that do not exist, in the shape of `t`'s."""
    unknown = uuid.uuid4().hex[:10]
    return Things(
        f"nobody-{unknown}",
        f"case-{uuid.uuid4()}",
        {name: f"{value}-{unknown}" for name, value in t.ids.items()},
    )


async def call(intake, method: str, path: str, body: dict | None, headers: dict):
    content = None if body is None else json.dumps(body)
    kind = {"content-type": "application/json"} if body is not None else {}
    return await intake.request(method, path, content=content, headers={**headers, **kind})


async def test_another_seller_s_thing_answers_as_one_that_does_not_exist(intake, sellers):
    b = sellers.b
    nothing = missing(b)
    pairs = zip(one_of_each(b), one_of_each(nothing), strict=True)
    for (method, path, body), (_, absent, _) in pairs:
        theirs = await call(intake, method, path, body, sellers.agent)
        none = await call(intake, method, absent, body, sellers.agent)
        assert theirs.status_code == none.status_code == 404, (path, theirs.text, none.text)
        assert unnamed(theirs.text, b) == unnamed(none.text, nothing), path


def unnamed(said: str, t: Things) -> str:
    """What an answer says, the names of `t`'s things left out."""
    for name in (t.case_id, t.account, *t.ids.values()):
        said = said.replace(name, "?")
    return said


async def test_a_change_to_another_seller_s_thing_changes_nothing(intake, sellers):
    a, b = sellers.a, sellers.b
    for method, path, body in one_of_each(b):
        if method == "POST":
            assert (await call(intake, method, path, body, sellers.agent)).status_code == 404
    retried = await intake.post("/deliveries/retry", json={}, headers=sellers.agent)
    assert retried.json() == {"retried": 1}  # A's only
    returns = await intake.post("/amazon/returns/retry", headers=sellers.agent)
    assert returns.json() == {"retried": 1}
    async with intake.service.engine.connect() as connection:
        states = dict(
            (
                await connection.execute(
                    text(
                        "SELECT account, state FROM intake.deliveries WHERE account = ANY(:a)"
                        " UNION ALL SELECT 'messages:' || account, count(*)::text"
                        " FROM intake.outgoing_messages WHERE account = :b GROUP BY account"
                    ),
                    {"a": [a.account, b.account], "b": b.account},
                )
            ).all()
        )
    assert states == {a.account: "accepted", b.account: "failed", f"messages:{b.account}": "1"}


async def test_an_agent_works_its_own_seller_s_things(intake, sellers):
    for method, path, body in one_of_each(sellers.a):
        answer = await call(intake, method, path, body, sellers.agent)
        # 409: the thing's state allows no such change (so nothing is sent anywhere)
        assert answer.status_code in (200, 202, 409), (path, answer.text)


async def test_operations_read_their_sellers_things_and_change_none(intake, sellers):
    for method, path, body in one_of_each(sellers.a):
        answer = await call(intake, method, path, body, sellers.operations)
        if method == "GET":
            assert answer.status_code == 200, (path, answer.text)
        else:
            assert answer.status_code == 403, (path, answer.text)
            assert "this needs one of the roles" in answer.json()["detail"]


async def test_a_case_is_opened_by_hand_only_for_a_seller_account_one_serves(intake, sellers):
    body = webhook(event_id=f"evt-{uuid.uuid4().hex[:8]}")
    refused = await intake.post(
        "/cases", params={"seller_account": sellers.b.account}, json=body, headers=sellers.agent
    )
    assert refused.status_code == 403
    assert sellers.b.account in refused.json()["detail"]
    assert "do not serve" in refused.json()["detail"]
    opened = await intake.post(
        "/cases", params={"seller_account": sellers.a.account}, json=body, headers=sellers.agent
    )
    assert opened.status_code == 202, opened.text


async def test_a_seller_admin_changes_its_own_channel_account_and_no_other(intake, sellers):
    a, b, admin = sellers.a.account, sellers.b.account, sellers.admin
    changed = await intake.patch(
        f"/channel-accounts/generic/{a}", json={"default_market": "DE"}, headers=admin
    )
    assert (changed.status_code, changed.json()["default_market"]) == (200, "DE")
    rotation = {"secret": "a-new-secret-of-b", "grace_seconds": 0}
    for path, body in (
        (f"/channel-accounts/generic/{b}", {"default_market": "DE"}),
        (f"/channel-accounts/generic/{b}/secrets", rotation),
        (f"/channel-accounts/generic/{b}/disable", None),
        (f"/channel-accounts/generic/{b}/enable", None),
        (f"/channel-accounts/generic/{b}/check", None),
    ):
        method = "PATCH" if path.endswith(b) else "POST"
        answer = await call(intake, method, path, body, admin)
        assert (answer.status_code, answer.json()) == (
            404,
            {"detail": f"no generic account {b!r}"},
        ), path
    theirs = await intake.get(f"/channel-accounts/generic/{b}", headers=AGENT)
    assert theirs.json()["default_market"] is None and theirs.json()["enabled"]
    # An agent or operations read the account; only its admin changes it.
    for headers in (sellers.agent, sellers.operations):
        assert (
            await intake.get(f"/channel-accounts/generic/{a}", headers=headers)
        ).status_code == 200
        denied = await intake.patch(
            f"/channel-accounts/generic/{a}", json={"default_market": "FR"}, headers=headers
        )
        assert denied.status_code == 403
    # Onboarding is the platform's.
    new = {"channel": "generic", "account": f"tenant-c-{uuid.uuid4().hex[:8]}", "seller": a}
    assert (await intake.post("/channel-accounts", json=new, headers=admin)).status_code == 403


async def test_an_amazon_report_is_uploaded_only_for_an_account_one_serves(intake, sellers):
    b = f"TENANTB{uuid.uuid4().hex[:8].upper()}"
    account = {"channel": "amazon", "account": b, "seller": sellers.b.account, "secrets": ["s"]}
    assert (await intake.post("/channel-accounts", json=account, headers=AGENT)).status_code == 201
    try:
        scoped = bearer(token_of(["agent"], sellers=[sellers.a.account, "NOT" + b]))
        theirs = await intake.post(f"/reports/amazon/{b}?market=US", content=b"x", headers=scoped)
        none = await intake.post(f"/reports/amazon/NOT{b}?market=US", content=b"x", headers=scoped)
        assert theirs.status_code == none.status_code == 404
        assert theirs.json()["detail"].replace(b, "?") == none.json()["detail"].replace(
            "NOT" + b, "?"
        )
        # Its own seller's agent is past the wall: the report itself is what is refused.
        own = bearer(token_of(["agent"], sellers=[b]))
        upload = await intake.post(f"/reports/amazon/{b}?market=US", content=b"x", headers=own)
        assert upload.status_code == 422, upload.text
    finally:
        await intake.post(f"/channel-accounts/amazon/{b}/disable", headers=AGENT)


async def test_the_service_lookups_are_the_services_own(intake, sellers):
    b = sellers.b
    for path in (f"/cases/{b.case_id}/ship-to",):
        assert (await intake.get(path, headers=sellers.agent)).status_code == 403
        assert (await intake.get(path, headers=AGENT)).status_code == 403
        assert (await intake.get(path, headers=INTERNAL)).status_code == 404  # no address kept
    refund = await intake.post("/v1/refunds", json={}, headers=AGENT)
    assert refund.status_code == 403
    # The photos: a service (refurbish, for its technician) reaches every seller's.
    photos = await intake.get(f"/cases/{b.case_id}/photos", headers=INTERNAL)
    assert [p["photo_id"] for p in photos.json()] == [b.ids["photo"]]
    photo = await intake.get(f"/cases/{b.case_id}/photos/{b.ids['photo']}", headers=INTERNAL)
    assert photo.content == PNG


def guarded_routes() -> list[tuple[str, str]]:
    """Every route of intake that needs a token, its path parameters filled in."""
    routes = []
    for router in SPEC.routers:
        for route in router.routes:
            assert isinstance(route, APIRoute)
            calls = [d.call for d in route.dependant.dependencies]
            if any(isinstance(getattr(c, "policy", None), PublicRoute) for c in calls):
                continue
            path = route.path.replace("{channel}", "generic").replace(":path}", "}")
            for name in route.param_convertors:
                path = path.replace(f"{{{name}}}", "x")
            routes.extend((method, path) for method in sorted(route.methods))
    return routes


GUARDED = guarded_routes()


def test_the_walk_finds_every_kind_of_guarded_route():
    paths = {path for _, path in GUARDED}
    assert {"/cases", "/channel-accounts", "/v1/refunds", "/cases/x/ship-to"} <= paths
    assert not any(
        p.startswith(("/webhooks", "/buyer", "/returns", "/inbound-mail")) for p in paths
    )


@pytest.mark.parametrize(("method", "path"), GUARDED)
async def test_warehouse_staff_and_technicians_are_refused_and_no_token_is_401(
    intake, method, path
):
    for headers in (STAFF, TECHNICIAN):
        answer = await intake.request(method, path, headers=headers)
        assert answer.status_code == 403, (path, answer.text)
    assert (await intake.request(method, path)).status_code == 401
