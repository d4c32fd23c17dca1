"""The emulators' buyers: the demo's (deploy/sample_cases.json), by the country they live
in; `buyer_in` picks one for any id, the same every time, so that every emulated
marketplace gives a plausible name and address for the orders it is asked about."""

import hashlib
import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

SAMPLE_CASES = Path(__file__).resolve().parents[1] / "sample_cases.json"


@dataclass(frozen=True)
class Buyer:
    name: str
    email: str
    line1: str
    city: str
    region: str | None
    postal_code: str
    country: str


@cache
def buyers_by_country() -> dict[str, tuple[Buyer, ...]]:
    cases = json.loads(SAMPLE_CASES.read_text(encoding="utf-8"))
    found: dict[str, list[Buyer]] = {}
    for case in cases:
        buyer = case.get("buyer") or {}
        address = buyer.get("address")
        if address:
            found.setdefault(address["country"], []).append(
                Buyer(
                    name=buyer["name"],
                    email=buyer["email"],
                    line1=address["line1"],
                    city=address["city"],
                    region=address.get("region"),
                    postal_code=address["postal_code"],
                    country=address["country"],
                )
            )
    for buyer in MORE_BUYERS:
        found.setdefault(buyer.country, []).append(buyer)
    return {country: tuple(buyers) for country, buyers in sorted(found.items())}


# Buyers of the markets the demo's sample cases do not ship to.
MORE_BUYERS = (
    Buyer("Giulia Conti", "giulia.conti@example.it", "Via Roma 18", "Milano", "MI", "20121", "IT"),
    Buyer("Marco Ferri", "m.ferri@example.it", "Corso Vittorio 7", "Torino", "TO", "10121", "IT"),
    Buyer("Lucía Navarro", "lucia.n@example.es", "Calle Mayor 24", "Madrid", "M", "28013", "ES"),
    Buyer(
        "Pau Serra", "pau.serra@example.es", "Carrer de Sants 90", "Barcelona", "B", "08014", "ES"
    ),
    Buyer(
        "Sanne de Vries",
        "sanne@example.nl",
        "Prinsengracht 263",
        "Amsterdam",
        None,
        "1016 GV",
        "NL",
    ),
    Buyer(
        "Aoife Byrne", "aoife.byrne@example.ie", "12 Harcourt St", "Dublin", None, "D02 W963", "IE"
    ),
)


def buyer_in(country: str, seed: str) -> Buyer:
    """A buyer living in `country` (any demo buyer when none lives there), drawn by `seed`."""
    buyers = buyers_by_country()
    candidates = buyers.get(country) or tuple(b for found in buyers.values() for b in found)
    index = int.from_bytes(hashlib.sha256(f"buyer:{seed}".encode()).digest()[:8], "big")
    return candidates[index % len(candidates)]
