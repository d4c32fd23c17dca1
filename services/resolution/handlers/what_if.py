"""What a different seller policy would have done (`workflows/what_if.py`), asked by an
agent of the seller over HTTP (another seller answers 404) or from the command line:

    python -m services.resolution.handlers.what_if --seller S --policy proposed.json \
        [--since 2026-10-01] [--until 2026-11-01]      (make what-if)
"""

import argparse
import asyncio
import json
from datetime import datetime
from pathlib import Path
from typing import Any

from fastapi import APIRouter, HTTPException
from pydantic import BaseModel, Field
from rich.console import Console
from rich.table import Table

from services.resolution.domain.policy import SellerPolicy
from services.resolution.settings import ResolutionSettings
from services.resolution.workflows.what_if import what_if
from shared.db import create_service_engine, session_factory
from shared.identity import SellerAgent
from shared.service import CurrentService

router = APIRouter(tags=["resolution"])


class WhatIf(BaseModel):
    policy: SellerPolicy
    since: datetime | None = Field(default=None, description="cases opened at or after")
    until: datetime | None = Field(default=None, description="cases opened before")


@router.post(
    "/what-if/{seller}",
    summary="Replan a period's cases under a proposed policy: cost, remedies, returns",
)
async def replay_policy(
    seller: str, question: WhatIf, caller: SellerAgent, service: CurrentService
) -> dict[str, Any]:
    caller.seller_or_404(seller, "seller")
    if question.since and question.until and question.since >= question.until:
        raise HTTPException(422, "since must be before until")
    async with service.sessions() as session:
        return await what_if(session, seller, question.policy, question.since, question.until)


def print_report(answer: dict[str, Any]) -> None:
    version = answer["policy_in_force"]
    table = Table(title=f"{answer['seller']}: policy v{version} in force, or the one proposed")
    table.add_column("")
    for name in ("current", "proposed"):
        table.add_column(name, justify="right")
    current, proposed = answer["current"], answer["proposed"]
    table.add_row("cases", str(current["cases"]), str(proposed["cases"]))
    for currency in answer["difference"]["expected_cost_minor"]:
        table.add_row(
            f"expected cost ({currency})",
            _money(current["expected_cost_minor"].get(currency, 0)),
            _money(proposed["expected_cost_minor"].get(currency, 0)),
        )
    table.add_row(
        "expected returns", str(current["expected_returns"]), str(proposed["expected_returns"])
    )
    for remedy in sorted(set(current["first_remedies"]) | set(proposed["first_remedies"])):
        table.add_row(
            f"offered first: {remedy}",
            str(current["first_remedies"].get(remedy, 0)),
            str(proposed["first_remedies"].get(remedy, 0)),
        )
    Console().print(table)


def _money(minor: int) -> str:
    return f"{minor / 100:,.2f}"


async def _run(args: argparse.Namespace) -> dict[str, Any]:
    proposed = SellerPolicy.model_validate_json(Path(args.policy).read_text())
    engine = create_service_engine("resolution", ResolutionSettings(), pool_size=1)
    try:
        async with session_factory(engine)() as session:
            return await what_if(session, args.seller, proposed, args.since, args.until)
    finally:
        await engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(
        description="Replan a seller's cases under a proposed policy: cost, remedies, returns"
    )
    parser.add_argument("--seller", required=True)
    parser.add_argument("--policy", required=True, help="the proposed seller policy, JSON")
    parser.add_argument("--since", type=datetime.fromisoformat)
    parser.add_argument("--until", type=datetime.fromisoformat)
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    args = parser.parse_args()
    answer = asyncio.run(_run(args))
    if args.json:
        print(json.dumps(answer, indent=2))
    else:
        print_report(answer)


if __name__ == "__main__":
    main()
