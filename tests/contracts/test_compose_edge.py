"""The compose stack publishes only the public routes: the edge (deploy/Caddyfile) is the one
service on the host's public ports, and the paths it passes to intake are exactly those of
intake's public routes (their policy is `public(why)`, `shared/identity.py`)."""

import re
from pathlib import Path

import yaml

from shared.identity import PublicRoute
from tests.architecture.test_route_policies import policies_of, routes_of

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
PROBES = ("/healthz", "/readyz")


def compose() -> dict:
    return yaml.safe_load((DEPLOY / "compose.yaml").read_text())


def proxied_prefixes() -> list[str]:
    """The path prefixes the edge passes to intake on the public host."""
    caddyfile = (DEPLOY / "Caddyfile").read_text()
    (matcher,) = re.findall(r"@public path ([^\n]+)", caddyfile)
    assert "reverse_proxy intake:8001" in caddyfile
    return [pattern.removesuffix("*") for pattern in matcher.split()]


def test_only_the_edge_is_published_to_the_network():
    for name, service in compose()["services"].items():
        for port in service.get("ports", []):
            if name != "edge":
                assert str(port).startswith("127.0.0.1:"), f"{name} publishes {port}"
    assert compose()["services"]["edge"]["ports"] == ["80:80", "443:443"]


def test_the_edge_passes_intake_s_public_routes_and_nothing_else():
    prefixes = proxied_prefixes()
    for route in routes_of("intake"):
        (policy,) = set(policies_of(route.dependant))
        public = isinstance(policy, PublicRoute) and route.path not in PROBES
        passed = any(route.path.startswith(prefix) for prefix in prefixes)
        assert passed == public, f"{route.path}: public={public} but passed by the edge={passed}"


def test_production_secrets_are_required_and_static_tokens_are_gone():
    env = compose()["x-service"]["environment"]
    for name in ("AUTH_ISSUER", "SERVICE_CLIENT_SECRETS", "INTAKE_PII_KEYS", "BUYER_LINK_SECRET"):
        assert ":?" in env[name], f"{name} is not required"
    assert not {"AGENT_API_TOKEN", "INTERNAL_API_TOKEN"} & env.keys()
