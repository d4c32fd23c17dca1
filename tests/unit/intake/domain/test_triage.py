"""A case's triage, stated here on its own and checked for every state."""

import pytest

from services.intake.domain.triage import Triage, classified_by_agent, triage_of
from shared.events import CaseClassified, Scenario
from shared.lifecycle import IllegalTransition


def test_a_case_waits_for_an_agent_exactly_when_the_classifier_was_unsure():
    assert triage_of(needs_agent=True) is Triage.NEEDS_AGENT
    assert triage_of(needs_agent=False) is Triage.CLASSIFIED


def test_an_agent_classifies_a_case_waiting_for_one():
    transition = classified_by_agent(
        "case-1", Triage.NEEDS_AGENT, None, Scenario.MINOR_DEFECT, "mei@support", "a scratch"
    )
    assert transition.state is Triage.CLASSIFIED
    assert transition.events == (
        CaseClassified(
            case_id="case-1", scenario=Scenario.MINOR_DEFECT, agent="mei@support", note="a scratch"
        ),
    )


@pytest.mark.parametrize("scenario_now", ["minor_defect", None])
def test_a_classified_case_is_not_classified_again(scenario_now):
    with pytest.raises(IllegalTransition) as refused:
        classified_by_agent(
            "case-1", Triage.CLASSIFIED, scenario_now, Scenario.WRONG_ITEM, "mei@support", ""
        )
    assert refused.value.reason == f"case case-1 was classified already ({scenario_now})"
