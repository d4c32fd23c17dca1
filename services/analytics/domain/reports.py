"""Why listings are returned, and where: the cases of a period folded per listing and
per market into reason, scenario and remedy counts. Plain functions over case rows."""

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

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


@dataclass(frozen=True)
class ListingReport:
    sku: str
    asin: str | None
    title: str | None
    cases: int
    reasons: Mix  # the one taxonomy across channels
    reason_codes: Mix  # the marketplaces' own codes
    scenarios: Mix
    remedies: Mix
    markets: Mix


@dataclass(frozen=True)
class MarketReport:
    market: str
    cases: int
    reasons: Mix
    scenarios: Mix
    remedies: Mix


def _mix(rows: list[Mapping[str, Any]], column: str) -> Mix:
    return Mix(dict(Counter(row.get(column) or UNKNOWN for row in rows)))


def by_listing(rows: Iterable[Mapping[str, Any]]) -> list[ListingReport]:
    """One report per SKU, the most returned first."""
    groups: dict[str, list[Mapping[str, Any]]] = {}
    for row in rows:
        groups.setdefault(row.get("sku") or UNKNOWN, []).append(row)
    reports = [
        ListingReport(
            sku=sku,
            asin=next((r["asin"] for r in group if r.get("asin")), None),
            title=next((r["title"] for r in group if r.get("title")), None),
            cases=len(group),
            reasons=_mix(group, "reason"),
            reason_codes=_mix(group, "reason_code"),
            scenarios=_mix(group, "scenario"),
            remedies=_mix(group, "remedy"),
            markets=_mix(group, "market"),
        )
        for sku, group in groups.items()
    ]
    return sorted(reports, key=lambda report: (-report.cases, report.sku))


def by_market(rows: Iterable[Mapping[str, Any]]) -> list[MarketReport]:
    """One report per market, in the order of the markets' names."""
    groups: dict[str, list[Mapping[str, Any]]] = {}
    for row in rows:
        groups.setdefault(row.get("market") or UNKNOWN, []).append(row)
    return [
        MarketReport(
            market=market,
            cases=len(group),
            reasons=_mix(group, "reason"),
            scenarios=_mix(group, "scenario"),
            remedies=_mix(group, "remedy"),
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
        }
        for report in reports
        for reason, count, share in report.reasons.ranked()
    ]


def market_rows(reports: list[MarketReport]) -> list[dict[str, Any]]:
    return [
        {
            "market": report.market,
            "cases": report.cases,
            "reason": reason,
            "reason_cases": count,
            "reason_share": round(share, 4),
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
