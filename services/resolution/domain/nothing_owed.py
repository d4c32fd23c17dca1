"""A lawful answer when nothing is owed: the buyer hears why, and what the law still gives.

A plan with no step leaves the case to an agent. When that is because the buyer has no
right to any remedy (a changed mind once the withdrawal or cancellation period and the
channel's return window have closed), the buyer is told so at once, politely, with the
statutory rights they keep: the legal guarantee in the EU, the Consumer Rights Act in the
UK. The case still waits for an agent, who may offer something anyway. The same holds for
an item the channel does not take back (`law.RETURN_EXCEPTIONS`, e.g. a gift card bought on
Walmart) when the complaint is no fault: the answer names the products the channel excepts.

A plan empty for any other reason (the seller's policy disables what the law may still
owe, a marketplace that takes the unit back itself) is not "nothing owed": it goes to an
agent without a word to the buyer, as before.
"""

from datetime import datetime
from enum import StrEnum

from services.resolution.domain.engine import CaseFacts, Plan, return_window_open
from services.resolution.domain.fulfilment import fulfilled_by_marketplace
from services.resolution.domain.law import FAULTY, BuyerRights
from services.resolution.domain.messages import LANGUAGES, NothingOwedFacts, render_nothing_owed
from services.resolution.domain.offers import FALLBACK_LANGUAGE, GREETING, Draft
from shared.compliance import Finding, lint
from shared.events import Scenario
from shared.markets import REGION_OF, Market, Region


class NothingOwedReason(StrEnum):
    RETURN_WINDOW_CLOSED = "return_window_closed"  # a changed mind after every window
    NOT_RETURNABLE = "not_returnable"  # the channel does not take such an item back


def reason_of(facts: CaseFacts, plan: Plan) -> NothingOwedReason | None:
    """Why nothing is owed, when the law and the channel give the buyer no remedy; None
    when the plan offers something or the case is an agent's for another reason."""
    if plan.steps or fulfilled_by_marketplace(facts.marketplace):
        return None
    if facts.scenario not in FAULTY and facts.not_returnable is not None:
        return NothingOwedReason.NOT_RETURNABLE
    if facts.scenario is Scenario.CHANGED_MIND and not return_window_open(plan.rights):
        return NothingOwedReason.RETURN_WINDOW_CLOSED
    return None


def required_disclosures(market: Market, rights: BuyerRights) -> list[str]:
    """The statutory rights the answer must keep in view, by the lint's names."""
    region = REGION_OF[market]
    if region is Region.UK:
        return ["statutory_repair"]
    if region is Region.EU and rights.legal_guarantee_running:
        return ["legal_guarantee"]
    return []


def draft(
    reason: NothingOwedReason,
    rights: BuyerRights,
    language: str,
    product_title: str,
    scenario: Scenario,
    excepted: str = "",
) -> Draft:
    """The answer in the buyer's language, with the lint's findings (none: it may go).
    `excepted`: the products the channel does not take back, for `NOT_RETURNABLE`."""
    language = language if language in LANGUAGES else FALLBACK_LANGUAGE
    required = required_disclosures(rights.market, rights)
    guarantee = rights.legal_guarantee_until if "legal_guarantee" in required else None
    facts = NothingOwedFacts(
        greeting=GREETING[language],
        product_title=product_title,
        scenario=scenario,
        reason=reason.value,
        closed_on=rights.return_closed_on,
        legal_guarantee_until=guarantee,
        statutory_repair="statutory_repair" in required,
        excepted=excepted,
    )
    message = render_nothing_owed(language, facts)
    findings: list[Finding] = lint(message, language, rights.market, required)
    return Draft(language=language, message=message, findings=[str(f) for f in findings])


def finding_of(reason: NothingOwedReason, closed_on: datetime | None, why: str = "") -> str:
    """What the agents' queue reads: why (`why`: the channel's exception, if that is it),
    and that the buyer was told."""
    when = f" on {closed_on.date().isoformat()}" if closed_on else ""
    if reason is NothingOwedReason.NOT_RETURNABLE:
        when = f": {why}" if why else ""
    return (
        f"nothing owed ({reason.value}{when}): the buyer was told, with the statutory "
        "rights they keep; an agent may still offer a remedy"
    )
