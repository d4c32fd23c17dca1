"""From plan to message: every step a lawful plan holds can be sent, in every market's
language, because each disclosure the law requires has its wording in the templates.
And the offer's lifecycle, from open to how the buyer answered."""

from datetime import UTC, datetime, timedelta

import pytest

from services.resolution.domain.engine import CaseFacts, Step, plan
from services.resolution.domain.law import Window, required_disclosures, rights_of
from services.resolution.domain.messages import format_day
from services.resolution.domain.offers import (
    OFFER,
    OfferState,
    PlannedStep,
    accept,
    draft,
    end_untaken,
    planned,
    planned_steps,
    sent,
)
from services.resolution.domain.policy import DEFAULT_POLICY
from services.resolution.domain.troubleshooting import starter_guides
from shared.compliance import REQUIRED_DISCLOSURES, normalize
from shared.events import CaseItem, Remedy, ResolutionAccepted, ResolutionDeclined, Scenario
from shared.lifecycle import IllegalTransition
from shared.markets import CURRENCY_OF, DEFAULT_LANGUAGE_OF, Market

MARKETS = (Market.US, Market.CA, Market.UK, Market.DE, Market.FR, Market.IT, Market.ES)
OPENED = datetime(2026, 11, 10, 12, tzinfo=UTC)
GUIDES = list(starter_guides().values())
SPEAKER = CaseItem(sku="BT-SPK-200-BLK", category="electronics", quantity=1, unit_price_minor=4999)
CURTAIN = CaseItem(sku="CRT-BLK-5284-GRY", category="home", quantity=1, unit_price_minor=1999)
POLICIES = (
    DEFAULT_POLICY,
    DEFAULT_POLICY.model_copy(update={"seller_pays_withdrawal_return": True}),
)
# Inside every window, inside only the long ones, past the marketplace's 30 days, unknown.
DELIVERED_DAYS_BEFORE = (5, 20, 40, None)


def facts(scenario: Scenario, market: Market, item: CaseItem, days: int | None) -> CaseFacts:
    return CaseFacts(
        case_id="case-1",
        marketplace="amazon",
        market=market,
        currency=CURRENCY_OF[market],
        scenario=scenario,
        items=[item],
        opened_at=OPENED,
        delivered_at=None if days is None else OPENED - timedelta(days),
        language=DEFAULT_LANGUAGE_OF[market],
    )


def drafts_of(case: CaseFacts, policy=DEFAULT_POLICY):
    the_plan = plan(case, policy, 0, GUIDES, OPENED)
    steps = planned_steps(the_plan)
    assert len(steps) == len(the_plan.steps)
    return [
        (
            step,
            draft(
                step,
                case.language,
                case.market,
                case.currency,
                "Bluetooth Speaker",
                OPENED + timedelta(hours=48),
                case.scenario,
            ),
        )
        for step in steps
    ]


@pytest.mark.parametrize("market", MARKETS)
@pytest.mark.parametrize("scenario", list(Scenario))
def test_every_step_of_every_lawful_plan_is_sendable(scenario, market):
    required_seen = set()
    for item in (SPEAKER, CURTAIN):
        for days in DELIVERED_DAYS_BEFORE:
            for policy in POLICIES:
                for step, the_draft in drafts_of(facts(scenario, market, item, days), policy):
                    assert the_draft.language == DEFAULT_LANGUAGE_OF[market]
                    assert the_draft.findings == [], (step.remedy, days, the_draft.message)
                    assert the_draft.sendable
                    required_seen.update(step.required)
    # The plans do exercise the disclosures, where the market has them.
    if market in (Market.US, Market.CA):
        assert required_seen == set()


def test_the_plans_need_every_disclosure_wording():
    """Which disclosures the default ladders reach (the UK's by their UK names); each has
    wording, so none is held."""
    required = set()
    for market in MARKETS:
        for scenario in Scenario:
            for policy in POLICIES:
                for step, _ in drafts_of(facts(scenario, market, SPEAKER, 5), policy):
                    required.update(step.required)
    assert required == set(REQUIRED_DISCLOSURES)


def test_a_uk_wrong_item_exchange_within_30_days_tells_of_the_right_to_reject():
    case = facts(Scenario.WRONG_ITEM, Market.UK, SPEAKER, 20)
    (exchange, the_draft), *_ = drafts_of(case)

    assert exchange.remedy is Remedy.EXCHANGE
    assert "right_to_reject" in exchange.required
    # Delivered on 21 October: 30 days from the next day, to the end of 20 November.
    assert exchange.right_to_reject_until == datetime(2026, 11, 20, 23, 59, 59, 999999, UTC)
    assert exchange.withdrawal_until is None  # day 20: the 14 days are over
    phrase = REQUIRED_DISCLOSURES["right_to_reject"]["en"]
    assert phrase in the_draft.message
    assert format_day("en", exchange.right_to_reject_until) in the_draft.message
    assert the_draft.sendable


def test_past_30_days_a_uk_exchange_says_nothing_of_the_right_to_reject():
    case = facts(Scenario.WRONG_ITEM, Market.UK, SPEAKER, 40)
    (exchange, the_draft), *_ = drafts_of(case)

    assert exchange.remedy is Remedy.EXCHANGE
    assert exchange.right_to_reject_until is None
    assert REQUIRED_DISCLOSURES["right_to_reject"]["en"] not in the_draft.message
    assert the_draft.sendable


@pytest.mark.parametrize("market", (Market.UK, Market.DE, Market.FR, Market.IT, Market.ES))
def test_a_buyer_who_changed_their_mind_is_told_they_pay_the_return(market):
    language = DEFAULT_LANGUAGE_OF[market]
    (step, the_draft), *_ = drafts_of(facts(Scenario.CHANGED_MIND, market, SPEAKER, 5))

    assert step.remedy is Remedy.RETURN_FULL_REFUND
    assert not step.seller_pays_return
    assert step.required == ["return_cost"]
    text = normalize(the_draft.message, language)
    assert normalize(REQUIRED_DISCLOSURES["return_cost"][language], language) in text
    assert the_draft.sendable


def test_a_partial_refund_for_goods_not_as_the_contract_keeps_the_legal_guarantee():
    """No default ladder offers it, but the law asks it: the wording is there when it does."""
    rights = rights_of(Market.DE, OPENED - timedelta(5), OPENED)
    disclosures = required_disclosures(
        Market.DE, Scenario.WRONG_ITEM, Remedy.PARTIAL_REFUND, rights, True
    )
    step = Step(Remedy.PARTIAL_REFUND, 499, True, None, 0.5, 499, tuple(disclosures))

    stored = planned(step, rights)

    assert stored.required == ["legal_guarantee", "withdrawal_right"]
    assert stored.legal_guarantee_until == rights.until(Window.LEGAL_GUARANTEE)
    assert stored.withdrawal_until == rights.until(Window.WITHDRAWAL)
    assert stored.right_to_reject_until is None
    the_draft = draft(
        stored, "de", Market.DE, CURRENCY_OF[Market.DE], "Lautsprecher", OPENED, Scenario.WRONG_ITEM
    )
    assert the_draft.findings == []
    assert format_day("de", stored.legal_guarantee_until) in the_draft.message


def test_a_step_stored_before_the_new_dates_still_loads():
    stored = {
        "remedy": "exchange",
        "refund_minor": 0,
        "seller_pays_return": True,
        "route": None,
        "acceptance": 0.5,
        "cost_minor": 900,
        "disclosures": [],
        "withdrawal_until": None,
    }
    step = PlannedStep.model_validate(stored)
    assert step.right_to_reject_until is None and step.legal_guarantee_until is None


def test_a_planned_step_round_trips_through_its_stored_form():
    case = facts(Scenario.WRONG_ITEM, Market.UK, SPEAKER, 5)
    for step in planned_steps(plan(case, DEFAULT_POLICY, 0, GUIDES, OPENED)):
        assert PlannedStep.model_validate(step.model_dump(mode="json")) == step


# The offer's lifecycle: every (state, move) pair of `OFFER`, stated here on its own

OFFER_STATES = ("open", "accepted", "declined", "expired", "impossible")
OFFER_MOVES = {  # move → (from, to); the state it leads to is its repeat
    "accept": ("open", "accepted"),
    "decline": ("open", "declined"),
    "expire": ("open", "expired"),
    "rule out": ("open", "impossible"),
}
NOW = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)


def test_the_offer_states_are_stored_as_before():
    assert [state.value for state in OfferState] == list(OFFER_STATES)
    assert set(OFFER.actions) == set(OFFER_MOVES)


@pytest.mark.parametrize("state", OFFER_STATES)
@pytest.mark.parametrize("action", list(OFFER_MOVES))
def test_every_offer_move_from_every_state(state, action):
    start, end = OFFER_MOVES[action]
    if state == start:
        assert OFFER.next(OfferState(state), action) is OfferState(end)
    elif state == end:
        assert OFFER.next(OfferState(state), action) is None
    else:
        with pytest.raises(IllegalTransition, match=f"offer is {state}: it cannot {action}"):
            OFFER.next(OfferState(state), action)


@pytest.mark.parametrize("state", OFFER_STATES)
def test_accepting(state):
    if state not in ("open", "accepted"):
        with pytest.raises(IllegalTransition, match=f"offer o-1 is {state}"):
            accept(OfferState(state), "case-1", "o-1", Remedy.EXCHANGE, NOW)
        return
    transition = accept(OfferState(state), "case-1", "o-1", Remedy.EXCHANGE, NOW)
    assert transition.state is OfferState.ACCEPTED
    expected = ResolutionAccepted(case_id="case-1", offer_id="o-1", remedy=Remedy.EXCHANGE, at=NOW)
    assert transition.events == (() if state == "accepted" else (expected,))


@pytest.mark.parametrize("end", ["declined", "expired", "impossible"])
@pytest.mark.parametrize("state", OFFER_STATES)
def test_an_offer_the_buyer_does_not_take(state, end):
    def untaken():
        return end_untaken(
            OfferState(state), OfferState(end), "case-1", "o-1", Remedy.EXCHANGE, "no", NOW
        )

    if state not in ("open", end):
        with pytest.raises(IllegalTransition, match=f"offer o-1 is {state}"):
            untaken()
        return
    transition = untaken()
    assert transition.state is OfferState(end)
    expected = ResolutionDeclined(
        case_id="case-1", offer_id="o-1", remedy=Remedy.EXCHANGE, cause=end, note="no", at=NOW
    )
    assert transition.events == (() if state == end else (expected,))


@pytest.mark.parametrize(("acceptance", "state"), [(0.8, "open"), (1.0, "accepted")])
def test_an_offer_starts_open_or_as_the_accepted_notice_of_an_owed_remedy(acceptance, state):
    step = PlannedStep(
        remedy=Remedy.RETURN_FULL_REFUND,
        refund_minor=4999,
        seller_pays_return=True,
        route=None,
        acceptance=acceptance,
        cost_minor=1200,
        disclosures=[],
        withdrawal_until=None,
    )
    assert sent(step) is OfferState(state)


@pytest.mark.parametrize("language", ["en", "de", "fr", "es", "it"])
def test_a_uk_offer_names_cancellation_and_the_consumer_rights_act_not_withdrawal(language):
    case = facts(Scenario.MINOR_DEFECT, Market.UK, SPEAKER, 5)
    (step, _), *_ = drafts_of(case)
    the_draft = draft(
        step, language, Market.UK, CURRENCY_OF[Market.UK], "Speaker", OPENED, case.scenario
    )
    text = normalize(the_draft.message, language)

    assert step.remedy is Remedy.PARTIAL_REFUND
    assert {"cancellation_right", "statutory_repair", "right_to_reject"} <= set(step.required)
    for name in ("cancellation_right", "statutory_repair"):
        assert normalize(REQUIRED_DISCLOSURES[name][language], language) in text
    assert normalize(REQUIRED_DISCLOSURES["withdrawal_right"][language], language) not in text
    assert the_draft.sendable, the_draft.findings


@pytest.mark.parametrize("scenario", [Scenario.MINOR_DEFECT, Scenario.FUNCTIONAL_FAULT])
def test_an_eu_offer_for_a_fault_carries_the_legal_guarantee(scenario):
    case = facts(scenario, Market.DE, SPEAKER, 40)
    for step, the_draft in drafts_of(case):
        if step.remedy in (Remedy.RETURN_FULL_REFUND, Remedy.REFUND_WITHOUT_RETURN):
            continue
        assert "legal_guarantee" in step.required
        assert step.legal_guarantee_until is not None
        assert format_day("de", step.legal_guarantee_until) in the_draft.message
        assert the_draft.sendable, the_draft.findings


@pytest.mark.parametrize(
    ("market", "words"),
    [
        (Market.US, "replace your Bluetooth Speaker with a new one"),
        (Market.DE, "durch einen neuen desselben Modells"),
        (Market.FR, "par un neuf du même modèle"),
        (Market.ES, "por uno nuevo del mismo modelo"),
        (Market.IT, "con uno nuovo dello stesso modello"),
    ],
)
def test_a_replacement_for_a_quality_defect_is_worded_as_a_new_unit_not_another_variant(
    market, words
):
    drafts = drafts_of(facts(Scenario.QUALITY_DEFECT, market, SPEAKER, 40))
    exchange = next(d for step, d in drafts if step.remedy is Remedy.EXCHANGE)
    assert words in exchange.message
    assert exchange.sendable
