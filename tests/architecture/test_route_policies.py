"""Every route of every service says who may call it (`shared/identity.py`): one policy of
roles, or `public(why)` for the signed webhooks, the buyer's signed links and the probes.
A route without one fails here, whatever its handler checks by itself."""

import importlib
from collections.abc import Iterator

import pytest
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute

from shared.identity import Policy, PublicRoute
from shared.settings import SERVICE_NAMES


def routes_of(service: str) -> Iterator[APIRoute]:
    module = importlib.import_module(f"services.{service}.app")
    app = module.create_app()
    for route in app.router.routes:
        if isinstance(route, APIRoute):
            yield route
    for router in module.SPEC.routers:
        yield from (route for route in router.routes if isinstance(route, APIRoute))


def policies_of(dependant: Dependant) -> list[Policy | PublicRoute]:
    found = []
    for dependency in dependant.dependencies:
        declared = getattr(dependency.call, "policy", None)
        if declared is not None:
            found.append(declared)
        found += policies_of(dependency)
    return found


def every_route() -> Iterator[tuple[str, APIRoute]]:
    for service in SERVICE_NAMES:
        for route in routes_of(service):
            yield service, route


def route_id(service: str, route: APIRoute) -> str:
    return f"{service} {'|'.join(sorted(route.methods))} {route.path}"


ROUTES = list(every_route())


def test_the_walk_finds_every_service_s_routes():
    services = {service for service, _ in ROUTES}
    assert services == set(SERVICE_NAMES) and len(ROUTES) > 100


@pytest.mark.parametrize(("service", "route"), ROUTES, ids=[route_id(*r) for r in ROUTES])
def test_every_route_declares_one_policy(service, route):
    declared = {p for p in policies_of(route.dependant)}
    assert declared, f"{route_id(service, route)} declares no policy (shared/identity.py)"
    assert len(declared) == 1, f"{route_id(service, route)} declares several: {declared}"
    (policy,) = declared
    if isinstance(policy, PublicRoute):
        assert policy.why.strip(), "a public route says why it is safe"
    else:
        assert policy.roles, "a policy admits some role"
