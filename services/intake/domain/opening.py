"""Opening a case: a canonical case plus its classification becomes `case.opened`.

Pure rules. The case id is derived from the channel, the seller account and the channel's
own key of what opened it, so a delivery applied twice (or re-uploaded) names the same case
and two sellers whose marketplaces use the same key each get their own. Cases opened before
the account was part of it keep the id they were published with (`legacy_case_id_of`).
"""

import json
import uuid
from dataclasses import replace
from datetime import datetime
from decimal import Decimal

from services.intake.domain.case import CanonicalCase, Channel
from services.intake.domain.classification import Classification
from shared.events import CaseDeadline, CaseItem, CaseOpened
from shared.markets import DEFAULT_LANGUAGE_OF, MINOR_UNITS, REGION_OF, Currency

CASE_IDS = uuid.UUID("6f1c9a52-3c1e-4c43-9a57-2f0e8d7b1c11")
# Ids naming the account come from a namespace of their own, over an unambiguous name (a
# JSON list): none can equal an id derived before, whatever the keys and accounts hold.
SELLER_CASE_IDS = uuid.uuid5(CASE_IDS, "by seller account")


def case_id_of(channel: str, case_key: str, *, account: str, legacy: bool = False) -> str:
    """The id of the case `case_key` opens for the seller `account` on `channel`; `legacy`
    for a delivery accepted before ids named the account (its answer named that id)."""
    if legacy:
        return legacy_case_id_of(channel, case_key)
    name = json.dumps([str(channel), account, case_key])
    return f"case-{uuid.uuid5(SELLER_CASE_IDS, name)}"


def legacy_case_id_of(channel: str, case_key: str) -> str:
    """A case id as derived before the seller account was part of it."""
    return f"case-{uuid.uuid5(CASE_IDS, f'{channel}:{case_key}')}"


# What `case.opened` names the marketplace of a case the marketplace fulfilled itself:
# resolution owes such a case neither a return label nor a refund (the marketplace takes
# the unit back and refunds the buyer).
FULFILLED_BY_MARKETPLACE = {Channel.AMAZON: "amazon_fba"}


def marketplace_of(case: CanonicalCase) -> str:
    if not case.fulfilled_by_marketplace:
        return case.channel.value
    return FULFILLED_BY_MARKETPLACE.get(case.channel, f"{case.channel.value}_fulfilled")


def triaged(case: CanonicalCase, classification: Classification) -> Classification:
    """The classifier's word, unless the case is an agent's to decide whatever it says."""
    because = case.agent_decides_because
    if because is None:
        return classification
    return replace(classification, needs_agent=True, signals=[because, *classification.signals])


def to_minor_units(amount: Decimal, currency: Currency) -> int:
    return int((amount * MINOR_UNITS[currency]).quantize(Decimal(1)))


def buyer_language(case: CanonicalCase, classification: Classification) -> str:
    """What the buyer wrote in, else what the channel says, else the market's language."""
    if case.buyer_words.strip():
        return classification.language
    return case.buyer_language or DEFAULT_LANGUAGE_OF[case.market]


def case_opened(
    case: CanonicalCase,
    case_key: str,
    classification: Classification,
    now: datetime,
    legacy_case_id: bool = False,
) -> CaseOpened:
    return CaseOpened(
        case_id=case_id_of(
            case.channel, case_key, account=case.seller_account, legacy=legacy_case_id
        ),
        marketplace=marketplace_of(case),
        marketplace_event_id=case_key,
        seller_account=case.seller_account,
        order_id=case.ids.order_id,
        return_id=case.ids.return_id,
        rma_id=case.ids.rma_id,
        market=case.market,
        region=REGION_OF[case.market],
        buyer_ref=case.buyer_ref,
        buyer_language=buyer_language(case, classification),
        currency=case.currency,
        items=[
            CaseItem(
                sku=item.sku,
                asin=item.asin,
                title=item.title,
                category=item.category,
                quantity=item.quantity,
                unit_price_minor=to_minor_units(item.unit_price, case.currency),
            )
            for item in case.items
        ],
        reason_code=case.marketplace_reason,
        reason=case.reason.value,
        buyer_comment=case.buyer_words,
        photos=case.photos,
        deadlines=[CaseDeadline(name=d.name, due_at=d.due_at) for d in case.deadlines],
        scenario=None if classification.needs_agent else classification.scenario,
        classification_confidence=round(classification.confidence, 3),
        classification_signals=classification.signals,
        delivered_at=case.delivered_at,
        parcel=case.parcel,
        opened_at=now,
    )
