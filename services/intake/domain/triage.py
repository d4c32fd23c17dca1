"""A case's triage, as intake sees it: classified on opening when the classifier is sure
enough, else waiting for an agent, who classifies it once (`POST /cases/{id}/classification`).

The cases table keeps the triage as its `needs_agent` column (true: waiting for an agent).
"""

from enum import StrEnum

from shared.events import CaseClassified, Scenario
from shared.lifecycle import Lifecycle, Transition


class Triage(StrEnum):
    NEEDS_AGENT = "needs_agent"  # the classifier was unsure: no scenario yet
    CLASSIFIED = "classified"  # by the classifier, or by an agent


TRIAGE = Lifecycle("case", {"classify": {Triage.NEEDS_AGENT: Triage.CLASSIFIED}})


def triage_of(needs_agent: bool) -> Triage:
    return Triage.NEEDS_AGENT if needs_agent else Triage.CLASSIFIED


def classified_by_agent(
    case_id: str,
    state: Triage,
    scenario_now: str | None,
    scenario: Scenario,
    agent: str,
    note: str,
) -> Transition[Triage]:
    """An agent decides the scenario of a case waiting for one; a classified case keeps
    its scenario (`scenario_now`)."""
    refusal = f"case {case_id} was classified already ({scenario_now})"
    to = TRIAGE.next(state, "classify", refusal=refusal)
    event = CaseClassified(case_id=case_id, scenario=scenario, agent=agent, note=note)
    return Transition(to, (event,))
