"""Why listings are returned, and where: the cases of a period folded per listing and
per market into reason, scenario and remedy counts. Plain functions over tallied rows
(`tallies.py`: a case row is a tally of one case)."""

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import timedelta
from typing import Any

from services.analytics.domain.phrases import Ranked
from services.analytics.domain.tallies import tallied
from services.analytics.domain.taxonomy import Labeller

UNKNOWN = "unknown"


@dataclass(frozen=True)
class Mix:
    """Cases counted by what they are (reasons, scenarios, remedies): counts and shares."""

    counts: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def share(self, key: str) -> float:
        return self.counts.get(key, 0) / self.total if self.total else 0.0

    def ranked(self) -> list[tuple[str, int, float]]:
        """(key, count, share), the largest first: a Pareto of the mix."""
        ordered = sorted(self.counts.items(), key=lambda pair: (-pair[1], pair[0]))
        return [(key, count, self.share(key)) for key, count in ordered]


# A listing is flagged when its return rate is this many times its category's, on at
# least this many cases (fewer say nothing yet).
FAR_ABOVE = 2.0
FLAG_MIN_CASES = 3


@dataclass(frozen=True)
class ListingReport:
    sku: str
    asin: str | None
    title: str | None
    category: str | None
    cases: int
    reasons: Mix  # the one taxonomy across channels
    reason_codes: Mix  # the marketplaces' own codes
    scenarios: Mix
    remedies: Mix
    markets: Mix
    weekly: dict[str, int] = field(default_factory=dict)  # week's Monday → cases opened
    units_sold: int | None = None  # from the seller's sales feed, over the same period
    return_rate: float | None = None  # cases ÷ units sold
    category_return_rate: float | None = None
    far_above_category: bool = False
    phrases: dict[str, Ranked] = field(default_factory=dict)  # reason → what buyers wrote
    seller_reasons: Mix | None = None  # in the seller's own taxonomy, when it has one


@dataclass(frozen=True)
class MarketReport:
    market: str
    cases: int
    reasons: Mix
    scenarios: Mix
    remedies: Mix
    seller_reasons: Mix | None = None
    weekly: dict[str, int] = field(default_factory=dict)  # week's Monday → cases opened
    phrases: dict[str, Ranked] = field(default_factory=dict)  # reason → what buyers wrote
    units_sold: int | None = None  # from the seller's feed per market, over the period
    return_rate: float | None = None  # cases ÷ units sold


def units_per(per: str, sold: Iterable[tuple[str, str, int]]) -> dict[str, int]:
    """Units from the sales feed's (sku, market, units) rows, "" the market of figures
    for every market together: per SKU (those figures where given, else its markets'
    sum) or per market."""
    totals: dict[str, int] = Counter()
    if per == "market":
        for _, market, units in sold:
            if market:
                totals[market] += units
        return dict(totals)
    together: dict[str, int] = Counter()
    for sku, market, units in sold:
        (totals if market else together)[sku] += units
    return {**totals, **together}


def _rate(cases: int, units: int | None) -> float | None:
    return round(cases / units, 4) if units else None


def _mix(rows: list[Mapping[str, Any]], column: str) -> Mix:
    counts: Counter[str] = Counter()
    for row in rows:
        counts[row.get(column) or UNKNOWN] += row["cases"]
    return Mix(dict(counts))


def _cases(rows: list[Mapping[str, Any]]) -> int:
    return sum(row["cases"] for row in rows)


def _said_about(subject: str, phrases: Mapping[tuple[str, str], Ranked] | None) -> dict:
    """A listing's or market's top phrases, by reason."""
    return {
        reason: ranked for (about, reason), ranked in (phrases or {}).items() if about == subject
    }


def _labelled(rows: list[Mapping[str, Any]], labeller: Labeller | None) -> Mix | None:
    """The cases' reasons in the seller's own taxonomy; None without one."""
    if labeller is None:
        return None
    counts: Counter[str] = Counter()
    for row in rows:
        counts[labeller.label(row.get("reason"), row.get("reason_code"))] += row["cases"]
    return Mix(dict(counts))


def by_listing(
    rows: Iterable[Mapping[str, Any]],
    units_sold: Mapping[str, int] | None = None,
    phrases: Mapping[tuple[str, str], Ranked] | None = None,
    labeller: Labeller | None = None,
) -> list[ListingReport]:
    """One report per SKU, the most returned first; with units sold per SKU, each return
    rate and whether it is far above its category's; with the top buyer phrases per
    (SKU, reason), each listing's; with the seller's taxonomy, its reasons in it."""
    groups: dict[str, list[Mapping[str, Any]]] = {}
    for row in map(tallied, rows):
        groups.setdefault(row.get("sku") or UNKNOWN, []).append(row)
    reports = [
        replace(
            _listing(sku, group, (units_sold or {}).get(sku)),
            phrases=_said_about(sku, phrases),
            seller_reasons=_labelled(group, labeller),
        )
        for sku, group in groups.items()
    ]
    reports = compared_with_category(reports)
    return sorted(reports, key=lambda report: (-report.cases, report.sku))


def _first(group: list[Mapping[str, Any]], column: str) -> Any:
    return next((row[column] for row in group if row.get(column)), None)


def _listing(sku: str, group: list[Mapping[str, Any]], units: int | None) -> ListingReport:
    cases = _cases(group)
    return ListingReport(
        sku=sku,
        asin=_first(group, "asin"),
        title=_first(group, "title"),
        category=_first(group, "category"),
        cases=cases,
        reasons=_mix(group, "reason"),
        reason_codes=_mix(group, "reason_code"),
        scenarios=_mix(group, "scenario"),
        remedies=_mix(group, "remedy"),
        markets=_mix(group, "market"),
        weekly=weekly(group),
        units_sold=units,
        return_rate=_rate(cases, units),
    )


def weekly(group: list[Mapping[str, Any]]) -> dict[str, int]:
    """Cases opened per week (keyed by the week's Monday), oldest first."""
    weeks: Counter[str] = Counter()
    for row in group:
        if day := row.get("day"):
            weeks[(day - timedelta(days=day.weekday())).isoformat()] += row["cases"]
    return dict(sorted(weeks.items()))


def compared_with_category(reports: list[ListingReport]) -> list[ListingReport]:
    """Each listing's return rate beside its category's (all its listings with sales)."""
    cases: Counter[str] = Counter()
    units: Counter[str] = Counter()
    for report in reports:
        if report.units_sold and report.category:
            cases[report.category] += report.cases
            units[report.category] += report.units_sold
    compared = []
    for report in reports:
        category_units = units.get(report.category or "")
        if report.return_rate is None or not category_units:
            compared.append(report)
            continue
        category_rate = round(cases[report.category] / category_units, 4)
        far = report.cases >= FLAG_MIN_CASES and report.return_rate >= FAR_ABOVE * category_rate
        compared.append(replace(report, category_return_rate=category_rate, far_above_category=far))
    return compared


def by_market(
    rows: Iterable[Mapping[str, Any]],
    labeller: Labeller | None = None,
    phrases: Mapping[tuple[str, str], Ranked] | None = None,
    units_sold: Mapping[str, int] | None = None,
) -> list[MarketReport]:
    """One report per market, in the order of the markets' names; with the seller's
    taxonomy, its reasons in it; with the top buyer phrases per (market, reason), each
    market's; with units sold per market, each return rate."""
    groups: dict[str, list[Mapping[str, Any]]] = {}
    for row in map(tallied, rows):
        groups.setdefault(row.get("market") or UNKNOWN, []).append(row)
    return [
        MarketReport(
            market=market,
            cases=_cases(group),
            reasons=_mix(group, "reason"),
            scenarios=_mix(group, "scenario"),
            remedies=_mix(group, "remedy"),
            seller_reasons=_labelled(group, labeller),
            weekly=weekly(group),
            phrases=_said_about(market, phrases),
            units_sold=(units_sold or {}).get(market),
            return_rate=_rate(_cases(group), (units_sold or {}).get(market)),
        )
        for market, group in sorted(groups.items())
    ]


def listing_rows(reports: list[ListingReport]) -> list[dict[str, Any]]:
    """Flat rows for CSV: one per listing and reason, with the reason's count and share."""
    return [
        {
            "sku": report.sku,
            "asin": report.asin or "",
            "title": report.title or "",
            "cases": report.cases,
            "reason": reason,
            "reason_cases": count,
            "reason_share": round(share, 4),
            "top_phrases": phrases_text(report.phrases.get(reason, [])),
        }
        for report in reports
        for reason, count, share in report.reasons.ranked()
    ]


def phrases_text(ranked: Ranked) -> str:
    """Top phrases as one cell: "too small (3); runs short (2)"."""
    return "; ".join(f"{phrase} ({buyers})" for phrase, buyers in ranked)


def market_rows(reports: list[MarketReport]) -> list[dict[str, Any]]:
    return [
        {
            "market": report.market,
            "cases": report.cases,
            "reason": reason,
            "reason_cases": count,
            "reason_share": round(share, 4),
            "top_phrases": phrases_text(report.phrases.get(reason, [])),
        }
        for report in reports
        for reason, count, share in report.reasons.ranked()
    ]


def as_json(report: ListingReport | MarketReport) -> dict[str, Any]:
    """A report as the API answers it: each mix as its Pareto (key, cases, share)."""
    answer: dict[str, Any] = {}
    for name, value in vars(report).items():
        if isinstance(value, Mix):
            value = [
                {"key": key, "cases": count, "share": round(share, 4)}
                for key, count, share in value.ranked()
            ]
        answer[name] = value
    return answer
