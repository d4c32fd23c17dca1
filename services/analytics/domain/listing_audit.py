"""The listing audit: each listing's own content on each market's marketplace (title,
bullets, description, size chart, attributes, as intake read them from the marketplace)
checked against what that market expects, and against what its own returns say buyers
missed. Pure: rules as data with their sources (as resolution's `domain/law.py` writes the
law), and functions over plain records.

Two kinds of rule (`RULES`):
- **market rules**: units (imperial in the US, metric in the EU and the UK, both in
  Canada), the plug and the mains voltage of the market for electrical products, the
  conformity mark the category needs there (CE, UKCA, FCC), a size chart for apparel in the
  market's measures, and the content written in the marketplace's language. They apply to
  every listing of their markets and categories, returned or not;
- **return rules**: what a listing's own returns call for: a size chart when buyers return
  it for size, a setup guide when for being hard to set up, troubleshooting when for not
  working. They apply when the reason's share of the listing's returns in that market is
  at least `REASON_SHARE` on at least `REASON_MIN_CASES` cases.

Each finding names its rule and source, the evidence (the reasons and their share of the
listing's returns in that market, what was found or missing in its text) and the expected
saving: the returns of the reasons the rule prevents × the share a fix is expected to avoid
(`Rule.avoidable`, with where the figure comes from) × the listing's own cost per return
(what its decided cases cost, in their currency). Findings are ranked by saving.
"""

import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from shared.markets import DEFAULT_LANGUAGE_OF, REGION_OF, Market, Region

EU = frozenset(m.value for m, region in REGION_OF.items() if region is Region.EU)
UK = frozenset({Market.UK.value})
US = frozenset({Market.US.value})
CA = frozenset({Market.CA.value})
EVERY_MARKET = frozenset(m.value for m in Market)
ELECTRICAL = frozenset({"electronics", "appliances"})
APPAREL = frozenset({"apparel"})
EVERY_CATEGORY: frozenset[str] = frozenset()  # a rule for every category (and none known)

# A return rule applies when its reasons are at least this share of the listing's returns
# in the market, on at least this many cases.
REASON_SHARE = 0.2
REASON_MIN_CASES = 2

SIZE_REASONS = ("size_too_small", "size_too_large", "size_fit")


@dataclass(frozen=True)
class Source:
    citation: str
    url: str
    note: str = ""


@dataclass(frozen=True)
class Listing:
    """One listing (a SKU) on one market's marketplace, as intake's catalog holds it."""

    seller: str
    sku: str
    market: str
    category: str | None = None
    title: str | None = None
    language: str | None = None  # the language the marketplace says its content is in
    bullets: tuple[str, ...] = ()
    description: str | None = None
    size_chart: str | None = None
    attributes: Mapping[str, str] = field(default_factory=dict)

    def text(self) -> str:
        """Everything the buyer reads: title, bullets, description, size chart, attributes."""
        parts = [self.title or "", *self.bullets, self.description or "", self.size_chart or ""]
        parts += [f"{name}: {value}" for name, value in self.attributes.items()]
        return "\n".join(part for part in parts if part)

    def prose(self) -> str:
        """What the seller wrote in words (bullets and description), for its language."""
        return "\n".join([*self.bullets, self.description or ""]).strip()


@dataclass(frozen=True)
class Check:
    """A rule's verdict on a listing: passed or not, and what was found or missing."""

    passed: bool
    evidence: str


@dataclass(frozen=True)
class Rule:
    rule_id: str
    says: str  # what the rule asks of a listing, in the seller's words
    source: Source
    check: Callable[[Listing], Check]
    markets: frozenset[str] = EVERY_MARKET
    categories: frozenset[str] = EVERY_CATEGORY  # empty: every category
    reasons: tuple[str, ...] = ()  # the return reasons it prevents
    avoidable: float = 0.0  # the share of those returns a fix is expected to avoid
    avoidable_source: str = ""
    # A return rule applies only where the listing's own returns call for it.
    from_returns: bool = False

    def applies_to(self, listing: Listing) -> bool:
        if listing.market not in self.markets:
            return False
        return not self.categories or (listing.category or "") in self.categories


@dataclass(frozen=True)
class Returns:
    """A listing's returns in one market: cases by reason, and what a return costs."""

    reasons: Mapping[str, int] = field(default_factory=dict)
    cost_per_return_minor: int | None = None
    currency: str | None = None

    @property
    def total(self) -> int:
        return sum(self.reasons.values())

    def of(self, reasons: Iterable[str]) -> int:
        return sum(self.reasons.get(reason, 0) for reason in reasons)

    def share(self, reasons: Iterable[str]) -> float:
        return self.of(reasons) / self.total if self.total else 0.0


@dataclass(frozen=True)
class Finding:
    seller: str
    sku: str
    market: str
    category: str | None
    title: str | None
    rule_id: str
    says: str
    source: str
    source_url: str
    evidence: str  # what was found or missing in the listing's text
    reasons: dict[str, int]  # the rule's reasons among the listing's returns in the market
    reason_share: float  # their share of the listing's returns there
    returns: int  # the listing's returns in the market
    returns_avoided: float
    cost_per_return_minor: int | None
    currency: str | None
    saving_minor: int  # expected: returns avoided × cost per return
    avoidable: float
    avoidable_source: str

    def as_row(self) -> dict[str, Any]:
        return {
            "seller": self.seller,
            "sku": self.sku,
            "market": self.market,
            "category": self.category or "",
            "title": self.title or "",
            "rule": self.rule_id,
            "says": self.says,
            "source": self.source,
            "source_url": self.source_url,
            "evidence": self.evidence,
            "reasons": "; ".join(f"{r} ({n})" for r, n in sorted(self.reasons.items())),
            "reason_share": round(self.reason_share, 4),
            "returns": self.returns,
            "returns_avoided": round(self.returns_avoided, 2),
            "cost_per_return_minor": self.cost_per_return_minor,
            "currency": self.currency or "",
            "saving_minor": self.saving_minor,
            "avoidable": self.avoidable,
            "avoidable_source": self.avoidable_source,
        }


# --- what a listing's text says ----------------------------------------------------------

IMPERIAL = re.compile(
    r"\d\s*(?:in\b|inch(?:es)?\b|\"|ft\b|feet\b|foot\b|lbs?\b|oz\b|pounds?\b)", re.I
)
METRIC = re.compile(
    r"\d\s*(?:mm|cm|m|kg|g|ml|l|millimet(?:er|re)s?|centimet(?:er|re)s?|met(?:er|re)s?"
    r"|kilograms?|grams?|litres?|liters?)\b",
    re.I,
)
# Plug types by IEC letter, and the words marketplaces use for them.
PLUG_WORDS = {
    "A": ("type_a", "type a", "nema 1-15", "us plug"),
    "B": ("type_b", "type b", "nema 5-15", "us plug"),
    "C": ("type_c", "type c", "europlug", "cee 7/16", "eu plug"),
    "E": ("type_e", "type e", "cee 7/5", "eu plug"),
    "F": ("type_f", "type f", "schuko", "cee 7/4", "eu plug", "cee 7/7"),
    "G": ("type_g", "type g", "bs 1363", "uk plug"),
}
# The marketplace's own words for "fits every socket": an adapter set or a universal plug.
UNIVERSAL_PLUG = ("universal", "interchangeable plugs", "plug adapters included")
MARKS = {
    "CE": re.compile(r"(?<![A-Za-z])CE(?![A-Za-z])"),
    "UKCA": re.compile(r"\bUKCA\b", re.I),
    "FCC": re.compile(r"\bFCC\b", re.I),
}
VOLTS = re.compile(r"(\d{2,3})\s*(?:-|–|to)?\s*(\d{2,3})?\s*(?:v\b|volts?\b|vac\b)", re.I)
SIZE_CHART_WORDS = (
    "size chart",
    "size guide",
    "sizing chart",
    "größentabelle",
    "grössentabelle",
    "größenübersicht",
    "guide des tailles",
    "tableau des tailles",
    "guía de tallas",
    "tabla de tallas",
    "guida alle taglie",
    "tabella taglie",
)
SETUP_WORDS = (
    "setup guide",
    "set-up guide",
    "set up in",
    "quick start",
    "installation guide",
    "step by step",
    "step-by-step",
    "anleitung",
    "schritt für schritt",
    "einrichtung",
    "guide d'installation",
    "installation en",
    "étape par étape",
    "guía de instalación",
    "paso a paso",
    "se instala",
    "guida all'installazione",
    "passo dopo passo",
    "si installa",
)
TROUBLESHOOTING_WORDS = (
    "troubleshoot",
    "fault code",
    "error code",
    "if the light",
    "reset",
    "fehlerbehebung",
    "fehlercode",
    "zurücksetzen",
    "dépannage",
    "code d'erreur",
    "réinitialis",
    "solución de problemas",
    "código de error",
    "restablec",
    "risoluzione dei problemi",
    "codice di errore",
    "ripristin",
)


def _found(words: Iterable[str], text: str) -> str | None:
    lowered = text.lower()
    return next((word for word in words if word in lowered), None)


def _quote(match: re.Match[str] | str | None) -> str:
    said = match.group(0) if isinstance(match, re.Match) else match
    return f'"{said.strip()}"' if said else ""


def imperial_units(listing: Listing) -> Check:
    found = IMPERIAL.search(listing.text())
    if found:
        return Check(True, f"imperial measure found: {_quote(found)}")
    metric = METRIC.search(listing.text())
    said = f"; metric only: {_quote(metric)}" if metric else "; no measure at all"
    return Check(False, f"no inches, feet, pounds or ounces{said}")


def metric_units(listing: Listing) -> Check:
    found = METRIC.search(listing.text())
    if found:
        return Check(True, f"metric measure found: {_quote(found)}")
    imperial = IMPERIAL.search(listing.text())
    said = f"; imperial only: {_quote(imperial)}" if imperial else "; no measure at all"
    return Check(False, f"no centimetres, metres, grams or kilograms{said}")


def both_units(listing: Listing) -> Check:
    metric, imperial = METRIC.search(listing.text()), IMPERIAL.search(listing.text())
    if metric and imperial:
        return Check(True, f"both found: {_quote(metric)} and {_quote(imperial)}")
    missing = "metric" if not metric else "imperial"
    return Check(False, f"no {missing} measure beside the other")


def plug_of(*letters: str) -> Callable[[Listing], Check]:
    def check(listing: Listing) -> Check:
        text = listing.text().lower()
        if universal := _found(UNIVERSAL_PLUG, text):
            return Check(True, f"plug: {_quote(universal)}")
        right = [word for letter in letters for word in PLUG_WORDS[letter] if word in text]
        if right:
            return Check(True, f"plug for the market: {_quote(right[0])}")
        wrong = [
            word
            for letter, words in PLUG_WORDS.items()
            if letter not in letters
            for word in words
            if word in text
        ]
        if wrong:
            return Check(False, f"a plug of another market: {_quote(wrong[0])}")
        return Check(False, f"no plug type named (expected type {' or '.join(letters)})")

    return check


def mains_of(low: int, high: int) -> Callable[[Listing], Check]:
    """The rated voltage (or range) must include the market's mains, low..high volts."""

    def check(listing: Listing) -> Check:
        found = VOLTS.search(listing.text())
        if not found:
            return Check(False, f"no voltage named (the mains here: {low}-{high} V)")
        first = int(found.group(1))
        last = int(found.group(2)) if found.group(2) else first
        ok = first <= high and last >= low
        where = "covers" if ok else "misses"
        return Check(ok, f"{_quote(found)} {where} the mains here ({low}-{high} V)")

    return check


def mark_of(*marks: str) -> Callable[[Listing], Check]:
    def check(listing: Listing) -> Check:
        text = listing.text()
        found = [mark for mark in marks if MARKS[mark].search(text)]
        if found:
            return Check(True, f"{found[0]} claimed")
        others = [mark for mark in MARKS if mark not in marks and MARKS[mark].search(text)]
        also = f" ({', '.join(others)} claimed, which is not this market's)" if others else ""
        return Check(False, f"no {' or '.join(marks)} claimed{also}")

    return check


def size_chart_in(units: Callable[[Listing], Check]) -> Callable[[Listing], Check]:
    """A size chart, in the market's measures."""

    def check(listing: Listing) -> Check:
        chart = listing.size_chart or ""
        if not chart:
            named = _found(SIZE_CHART_WORDS, listing.text())
            if not named:
                return Check(False, "no size chart")
            chart = listing.text()
        measured = units(Listing(listing.seller, listing.sku, listing.market, title=chart))
        if not measured.passed:
            return Check(False, f"a size chart, but {measured.evidence}")
        return Check(True, f"size chart with {measured.evidence}")

    return check


def size_chart(listing: Listing) -> Check:
    if listing.size_chart:
        return Check(True, f"size chart: {_quote(listing.size_chart[:60])}")
    if named := _found(SIZE_CHART_WORDS, listing.text()):
        return Check(True, f"size chart named: {_quote(named)}")
    return Check(False, "no size chart")


def setup_guide(listing: Listing) -> Check:
    if named := _found(SETUP_WORDS, listing.text()):
        return Check(True, f"set-up help found: {_quote(named)}")
    return Check(False, "no setup guide or set-up steps in the title, bullets or description")


def troubleshooting(listing: Listing) -> Check:
    if named := _found(TROUBLESHOOTING_WORDS, listing.text()):
        return Check(True, f"troubleshooting found: {_quote(named)}")
    return Check(False, "no troubleshooting, reset or fault codes in the listing")


LanguageOf = Callable[[str], str | None]


def in_language(language_of: LanguageOf) -> Callable[[Listing], Check]:
    """The bullets and description in the marketplace's language (detected, since what the
    marketplace says of its content is the seller's claim)."""

    def check(listing: Listing) -> Check:
        expected = DEFAULT_LANGUAGE_OF.get(Market(listing.market), "en")
        prose = listing.prose()
        if not prose:
            return Check(False, "no bullets and no description to read")
        detected = language_of(prose)
        if detected == expected:
            return Check(True, f"written in {expected}")
        return Check(False, f"written in {detected or 'an unknown language'}, not {expected}")

    return check


# --- the rules ---------------------------------------------------------------------------

MISLED = ("not_as_described", "size_too_small", "size_too_large", "size_fit")
ASSUMED = (
    "the project's assumption until the before/after reason shares (issue 20, point 2) measure it"
)


def rules(language_of: LanguageOf) -> tuple[Rule, ...]:
    """Every rule, the language check using `language_of` (text → ISO 639-1 code)."""
    return (
        Rule(
            "units_us_imperial",
            "Measures in inches and pounds for US buyers",
            Source(
                "Fair Packaging and Labeling Act, 15 U.S.C. §1453(a)(3); NIST Handbook 130",
                "https://www.law.cornell.edu/uscode/text/15/1453",
                "US consumers read customary (inch-pound) units",
            ),
            imperial_units,
            markets=US,
            reasons=MISLED,
            avoidable=0.2,
            avoidable_source=ASSUMED,
        ),
        Rule(
            "units_ca_both",
            "Measures in metric, with imperial beside, for Canadian buyers",
            Source(
                "Consumer Packaging and Labelling Act (R.S.C. 1985, c. C-38) and Weights and "
                "Measures Act: metric required, imperial allowed",
                "https://laws-lois.justice.gc.ca/eng/acts/c-38/",
            ),
            both_units,
            markets=CA,
            reasons=MISLED,
            avoidable=0.2,
            avoidable_source=ASSUMED,
        ),
        Rule(
            "units_eu_uk_metric",
            "Measures in metric units for European and UK buyers",
            Source(
                "Directive 80/181/EEC on units of measurement; UK Weights and Measures Act 1985",
                "https://eur-lex.europa.eu/legal-content/EN/ALL/?uri=CELEX:31980L0181",
            ),
            metric_units,
            markets=EU | UK,
            reasons=MISLED,
            avoidable=0.2,
            avoidable_source=ASSUMED,
        ),
        Rule(
            "plug_us_ca",
            "A type A or B plug (NEMA 1-15 / 5-15) for North America",
            Source("IEC World Plugs: United States, Canada", "https://www.iec.ch/world-plugs"),
            plug_of("A", "B"),
            markets=US | CA,
            categories=ELECTRICAL,
            reasons=("not_as_described", "defective", "hard_to_use"),
            avoidable=0.3,
            avoidable_source=ASSUMED,
        ),
        Rule(
            "plug_uk",
            "A type G plug (BS 1363) for the UK",
            Source(
                "The Plugs and Sockets etc. (Safety) Regulations 1994 (SI 1994/1768)",
                "https://www.legislation.gov.uk/uksi/1994/1768/contents/made",
            ),
            plug_of("G"),
            markets=UK,
            categories=ELECTRICAL,
            reasons=("not_as_described", "defective", "hard_to_use"),
            avoidable=0.3,
            avoidable_source=ASSUMED,
        ),
        Rule(
            "plug_eu",
            "A type C, E or F plug (Europlug, Schuko) for continental Europe",
            Source(
                "IEC World Plugs; CENELEC: CEE 7 plugs in the continental EU",
                "https://www.iec.ch/world-plugs",
            ),
            plug_of("C", "E", "F"),
            markets=EU - {Market.IE.value},
            categories=ELECTRICAL,
            reasons=("not_as_described", "defective", "hard_to_use"),
            avoidable=0.3,
            avoidable_source=ASSUMED,
        ),
        Rule(
            "mains_120v",
            "Rated for 120 V mains in North America",
            Source("IEC World Plugs: 120 V, 60 Hz", "https://www.iec.ch/world-plugs"),
            mains_of(110, 127),
            markets=US | CA,
            categories=ELECTRICAL,
            reasons=("defective", "not_as_described"),
            avoidable=0.3,
            avoidable_source=ASSUMED,
        ),
        Rule(
            "mains_230v",
            "Rated for 230 V mains in Europe and the UK",
            Source(
                "IEC 60038 standard voltages: 230 V in the EU and the UK",
                "https://www.iec.ch/world-plugs",
            ),
            mains_of(220, 240),
            markets=EU | UK,
            categories=ELECTRICAL,
            reasons=("defective", "not_as_described"),
            avoidable=0.3,
            avoidable_source=ASSUMED,
        ),
        Rule(
            "mark_ce",
            "The CE mark claimed for electrical products sold in the EU",
            Source(
                "Low Voltage Directive 2014/35/EU and EMC Directive 2014/30/EU; Regulation (EC) "
                "765/2008 art. 30",
                "https://eur-lex.europa.eu/eli/dir/2014/35/oj",
            ),
            mark_of("CE"),
            markets=EU,
            categories=ELECTRICAL | {"toys"},
        ),
        Rule(
            "mark_ukca",
            "The UKCA mark (or CE, still accepted) claimed for electrical products sold in GB",
            Source(
                "Electrical Equipment (Safety) Regulations 2016 (SI 2016/1101); CE accepted in "
                "GB under the 2024 amendment",
                "https://www.gov.uk/guidance/using-the-ukca-marking",
            ),
            mark_of("UKCA", "CE"),
            markets=UK,
            categories=ELECTRICAL | {"toys"},
        ),
        Rule(
            "mark_fcc",
            "FCC compliance claimed for electronics sold in the US",
            Source(
                "47 CFR Part 15 (radio frequency devices), §2.906 Supplier's Declaration of "
                "Conformity",
                "https://www.ecfr.gov/current/title-47/chapter-I/subchapter-A/part-15",
            ),
            mark_of("FCC"),
            markets=US,
            categories=frozenset({"electronics"}),
        ),
        Rule(
            "size_chart_us",
            "A size chart in inches (US sizes) for apparel sold in the US",
            Source(
                "ASTM D5585 / D6240 US body measurement tables; Amazon apparel style guide",
                "https://sellercentral.amazon.com/help/hub/reference/external/G1801",
            ),
            size_chart_in(imperial_units),
            markets=US,
            categories=APPAREL,
            reasons=SIZE_REASONS,
            avoidable=0.3,
            avoidable_source=ASSUMED,
        ),
        Rule(
            "size_chart_metric",
            "A size chart in centimetres (EN 13402) for apparel sold in the EU and the UK",
            Source(
                "EN 13402 size designation of clothes (body measures in cm)",
                "https://standards.cencenelec.eu/",
            ),
            size_chart_in(metric_units),
            markets=EU | UK | CA,
            categories=APPAREL,
            reasons=SIZE_REASONS,
            avoidable=0.3,
            avoidable_source=ASSUMED,
        ),
        Rule(
            "language_of_marketplace",
            "Bullets and description in the marketplace's language",
            Source(
                "Directive 2011/83/EU art. 6 (information in plain, intelligible language); "
                "Amazon's listing requirements per marketplace",
                "https://eur-lex.europa.eu/eli/dir/2011/83/oj",
            ),
            in_language(language_of),
            reasons=("not_as_described", "hard_to_use"),
            avoidable=0.3,
            avoidable_source=ASSUMED,
        ),
        Rule(
            "returned_for_size_without_chart",
            "Returned for size: add a size chart",
            Source("the listing's own returns", ""),
            size_chart,
            reasons=SIZE_REASONS,
            avoidable=0.3,
            avoidable_source=ASSUMED,
            from_returns=True,
        ),
        Rule(
            "returned_hard_to_set_up_without_guide",
            "Returned as hard to set up: add a setup guide",
            Source("the listing's own returns", ""),
            setup_guide,
            reasons=("hard_to_use",),
            avoidable=0.64,
            avoidable_source=(
                "the seed's worked example: a manual in the buyers' language cut one "
                "listing's functional-fault returns from 22% to 8%"
            ),
            from_returns=True,
        ),
        Rule(
            "returned_defective_without_troubleshooting",
            "Returned as not working: add troubleshooting and fault codes",
            Source("the listing's own returns", ""),
            troubleshooting,
            reasons=("defective",),
            avoidable=0.64,
            avoidable_source=(
                "the seed's worked example: a fault-code manual in the buyers' language cut "
                "one listing's functional-fault returns from 22% to 8%"
            ),
            from_returns=True,
        ),
    )


# --- the audit ---------------------------------------------------------------------------


def returns_by_listing(rows: Iterable[Mapping[str, Any]]) -> dict[tuple[str, str], Returns]:
    """Case rows folded per (SKU, market): cases by reason, and the average cost of the
    decided ones in their most frequent currency."""
    reasons: dict[tuple[str, str], Counter[str]] = {}
    costs: dict[tuple[str, str], dict[str, list[int]]] = {}
    for row in rows:
        if not row.get("sku") or not row.get("market"):
            continue
        key = (row["sku"], row["market"])
        reasons.setdefault(key, Counter())[row.get("reason") or "other"] += 1
        if row.get("cost_minor") is not None and row.get("currency"):
            costs.setdefault(key, {}).setdefault(row["currency"], []).append(row["cost_minor"])
    folded = {}
    for key, counted in reasons.items():
        paid = costs.get(key) or {}
        currency = max(paid, key=lambda c: (len(paid[c]), c)) if paid else None
        average = round(sum(paid[currency]) / len(paid[currency])) if currency else None
        folded[key] = Returns(dict(counted), average, currency)
    return folded


def audit(
    listings: Iterable[Listing],
    returns: Mapping[tuple[str, str], Returns],
    checked_by: Iterable[Rule],
) -> list[Finding]:
    """Every rule that applies to each listing and fails it, ranked by expected saving (the
    largest first; then by returns, SKU, market and rule)."""
    findings = []
    every_rule = tuple(checked_by)
    for listing in listings:
        came_back = returns.get((listing.sku, listing.market), Returns())
        for rule in every_rule:
            if not rule.applies_to(listing):
                continue
            if rule.from_returns and not _called_for(rule, came_back):
                continue
            verdict = rule.check(listing)
            if not verdict.passed:
                findings.append(_finding(listing, rule, verdict, came_back))
    return ranked(findings)


def _called_for(rule: Rule, came_back: Returns) -> bool:
    cases = came_back.of(rule.reasons)
    return cases >= REASON_MIN_CASES and came_back.share(rule.reasons) >= REASON_SHARE


def _finding(listing: Listing, rule: Rule, verdict: Check, came_back: Returns) -> Finding:
    cases = {r: came_back.reasons[r] for r in rule.reasons if came_back.reasons.get(r)}
    avoided = sum(cases.values()) * rule.avoidable
    cost = came_back.cost_per_return_minor
    return Finding(
        seller=listing.seller,
        sku=listing.sku,
        market=listing.market,
        category=listing.category,
        title=listing.title,
        rule_id=rule.rule_id,
        says=rule.says,
        source=rule.source.citation,
        source_url=rule.source.url,
        evidence=verdict.evidence,
        reasons=cases,
        reason_share=round(came_back.share(rule.reasons), 4),
        returns=came_back.total,
        returns_avoided=avoided,
        cost_per_return_minor=cost,
        currency=came_back.currency,
        saving_minor=round(avoided * cost) if cost is not None else 0,
        avoidable=rule.avoidable,
        avoidable_source=rule.avoidable_source,
    )


def ranked(findings: Iterable[Finding]) -> list[Finding]:
    return sorted(
        findings,
        key=lambda f: (-f.saving_minor, -f.returns_avoided, f.sku, f.market, f.rule_id),
    )


def listings_of(products: Iterable[Mapping[str, Any]]) -> list[Listing]:
    """The listings in intake's catalog answer (`GET /catalog/products`): one per variant
    and market whose marketplace content intake read."""
    found = []
    for product in products:
        for variant in product.get("variants") or []:
            for market, said in (variant.get("listings") or {}).items():
                if market not in EVERY_MARKET or not isinstance(said, Mapping):
                    continue
                found.append(
                    Listing(
                        seller=str(product.get("account") or ""),
                        sku=str(variant["sku"]),
                        market=market,
                        category=product.get("category"),
                        title=said.get("title") or variant.get("title"),
                        language=said.get("language"),
                        bullets=tuple(str(b) for b in said.get("bullets") or ()),
                        description=said.get("description"),
                        size_chart=said.get("size_chart"),
                        attributes={
                            str(k): str(v) for k, v in (said.get("attributes") or {}).items()
                        },
                    )
                )
    return found
