"""Which calls the trail keeps, read from the routes' declarations, and the case it files
them under."""

import importlib

import pytest
from fastapi import APIRouter
from fastapi.routing import APIRoute

from shared.audit import Kept, case_of, personal_data
from shared.identity import SellerAgent, public

router = APIRouter()


@router.post("/cases/{case_id}/notes")
async def write(case_id: str, caller: SellerAgent) -> None: ...


@router.get("/cases/{case_id}/notes")
async def read(case_id: str, caller: SellerAgent) -> None: ...


@router.get("/cases/{case_id}/address", dependencies=[personal_data("ship-to address")])
async def read_address(case_id: str, caller: SellerAgent) -> None: ...


@router.post("/webhooks/shop", dependencies=[public("signed by the shop")])
async def webhook() -> None: ...


def kept(path: str, method: str) -> Kept:
    route = next(r for r in router.routes if r.path == path and method in r.methods)
    return Kept.of(route)


def test_a_change_on_a_guarded_route_is_kept_a_plain_read_is_not():
    assert kept("/cases/{case_id}/notes", "POST").keeps("POST")
    assert not kept("/cases/{case_id}/notes", "GET").keeps("GET")


def test_a_read_of_personal_data_is_kept_with_what_it_reads():
    found = kept("/cases/{case_id}/address", "GET")
    assert found.keeps("GET") and found.personal_data == "ship-to address"


def test_a_public_route_s_changes_are_not_kept():
    assert not kept("/webhooks/shop", "POST").keeps("POST")


@pytest.mark.parametrize(
    ("params", "case"),
    [
        ({"case_id": "case-1", "photo_id": "p-2"}, "case-1"),
        ({"rma_id": "RMA-7"}, "RMA-7"),
        ({"id": "insp-3", "name": "x"}, "insp-3"),
        ({"code": "BOS1"}, "BOS1"),
        ({}, None),
    ],
)
def test_a_call_is_filed_under_its_case_else_the_thing_its_route_names(params, case):
    assert case_of(params) == case


MARKED = [
    ("intake", "GET", "/cases/{case_id}/ship-to"),
    ("intake", "GET", "/cases/{case_id}"),
    ("intake", "GET", "/cases/{case_id}/messages"),
    ("intake", "GET", "/cases/{case_id}/photos"),
    ("intake", "GET", "/cases/{case_id}/photos/{photo_id}"),
    ("fulfillment", "GET", "/returns/{rma_id}/label.pdf"),
    ("fulfillment", "GET", "/tasks/{shipment_id}/label.pdf"),
    ("analytics", "GET", "/cases/{case_id}/timeline"),
    ("analytics", "GET", "/cases/{case_id}/conversation"),
    ("refurbish", "GET", "/inspections/{inspection_id}/buyer-photos"),
    ("refurbish", "GET", "/inspections/{inspection_id}/buyer-photos/{photo_id}"),
]


@pytest.mark.parametrize(("service", "method", "path"), MARKED)
def test_the_routes_that_read_a_buyer_s_personal_data_say_so(service, method, path):
    spec = importlib.import_module(f"services.{service}.app").SPEC
    routes = [
        route
        for each in spec.routers
        for route in each.routes
        if isinstance(route, APIRoute) and route.path == path and method in route.methods
    ]
    assert len(routes) == 1
    assert Kept.of(routes[0]).personal_data
