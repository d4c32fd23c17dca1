"""What planning a seller's cases reads besides the cases: the policy in force and its
version, how the seller's buyers answered (the acceptance the engine learns), the
seller's troubleshooting guides and how buyers answered each (a guide often declined
sinks), and what the seller's returned units were graded and recovered (the recovery
values the cost model learns). Live cases (`offering.resolve`) and the what-if
(`what_if.what_if`) plan with the same inputs, read the same way."""

from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlmodel.ext.asyncio.session import AsyncSession

from services.resolution.domain.costs import (
    COST_BOOK,
    Condition,
    GradeOutcomes,
    with_learnt_recovery,
)
from services.resolution.domain.engine import LADDERS, CaseFacts, Plan, plan
from services.resolution.domain.policy import SellerPolicy, with_learnt_acceptance
from services.resolution.domain.troubleshooting import Guide, learnt_declines
from services.resolution.workflows import knowledge_base, outcomes, policies, recoveries
from shared.events import Remedy, Scenario


@dataclass(frozen=True)
class PlanningInputs:
    policy: SellerPolicy  # in force, as the seller set it
    version: int
    answers: dict[Remedy, tuple[int, int]]  # remedy → (accepted, answered)
    guides: list[Guide]
    guide_answers: dict[str, tuple[int, int]] = field(default_factory=dict)  # by guide id
    recoveries: dict[Condition, GradeOutcomes] = field(default_factory=dict)

    def learnt(self, policy: SellerPolicy | None = None) -> SellerPolicy:
        """`policy` (the one in force by default) with the acceptance its buyers showed."""
        return with_learnt_acceptance(policy or self.policy, self.answers)

    def plan(self, facts: CaseFacts, policy: SellerPolicy) -> Plan:
        """The case planned under `policy` (learnt already), with the buyer's rights as of
        the day they opened the case: a right claimed in time stays."""
        declines = None
        if policy.learn_acceptance and self.guide_answers:
            prior = self.policy.acceptance_of(Remedy.TROUBLESHOOTING)
            declines = learnt_declines(self.guide_answers, prior)
        book = with_learnt_recovery(COST_BOOK, self.recoveries)
        return plan(facts, policy, self.version, self.guides, facts.opened_at, declines, book)


async def planning_inputs(
    session: AsyncSession,
    seller: str,
    scenarios: Iterable[Scenario],
    in_force: tuple[SellerPolicy, int] | None = None,
    *,
    learning: bool = False,
) -> PlanningInputs:
    """The inputs to plan cases of `scenarios` with; `in_force`: the policy and version
    when the caller read them already. The buyers' answers are read when the policy
    learns from them (`learning`: also when it does not, for a policy proposed instead);
    the guides when a scenario's ladder has troubleshooting."""
    policy, version = in_force or await policies.policy_for_planning(session, seller)
    answers: dict[Remedy, tuple[int, int]] = {}
    if learning or policy.learn_acceptance:
        answers = await outcomes.answers_of(session, seller)
    guides: list[Guide] = []
    guide_answers: dict[str, tuple[int, int]] = {}
    if any(Remedy.TROUBLESHOOTING in LADDERS[scenario] for scenario in scenarios):
        guides = await knowledge_base.guides_for_planning(session, seller)
        if learning or policy.learn_acceptance:
            guide_answers = await outcomes.guide_answers_of(session, seller)
    learnt = await recoveries.recoveries_of(session, seller)
    return PlanningInputs(policy, version, answers, guides, guide_answers, learnt)
