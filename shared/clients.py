"""Where a request comes from: the client's address, read from X-Forwarded-For only when
the connection comes from one of the trusted proxies (`TRUSTED_PROXIES`); anyone else could
write any address there."""

from collections.abc import Iterable
from dataclasses import dataclass
from ipaddress import IPv4Network, IPv6Network, ip_address, ip_network

from starlette.types import Scope

Network = IPv4Network | IPv6Network


@dataclass(frozen=True)
class TrustedProxies:
    networks: tuple[Network, ...] = ()

    @classmethod
    def of(cls, written: Iterable[str]) -> "TrustedProxies":
        return cls(tuple(ip_network(each.strip(), strict=False) for each in written))

    def trust(self, address: str) -> bool:
        if not self.networks:
            return False
        try:
            found = ip_address(address)
        except ValueError:
            return False
        return any(found in network for network in self.networks)

    def client_of(self, scope: Scope) -> str:
        """The peer's address; behind trusted proxies, the nearest address in X-Forwarded-For
        that is not one of them (the ones further left were written by the client)."""
        peer = (scope.get("client") or ("unknown", 0))[0]
        if not self.trust(peer):
            return peer
        forwarded = [
            value.decode("latin-1")
            for name, value in scope.get("headers") or ()
            if name == b"x-forwarded-for"
        ]
        hops = [hop.strip() for line in forwarded for hop in line.split(",") if hop.strip()]
        for hop in reversed(hops):
            if not self.trust(hop):
                return hop
        return hops[0] if hops else peer
