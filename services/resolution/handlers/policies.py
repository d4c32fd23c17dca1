"""Seller policies over HTTP: the version in force, any earlier one, and a new version
(agent token). Decisions record the version they used."""

from typing import Annotated

from fastapi import APIRouter, Path
from pydantic import BaseModel

from services.resolution.domain.policy import SellerPolicy
from services.resolution.workflows import policies
from shared.access import AgentOnly
from shared.routes import found
from shared.service import CurrentService

router = APIRouter(tags=["resolution"])


class PolicyView(BaseModel):
    seller_account: str
    version: int  # 0: the default policy, never set by the seller
    policy: SellerPolicy


@router.get("/policies/{seller}", summary="The seller's policy in force")
async def get_policy(seller: str, service: CurrentService) -> PolicyView:
    async with service.sessions() as session:
        policy, version = await policies.policy_in_force(session, seller)
    return PolicyView(seller_account=seller, version=version, policy=policy)


@router.get("/policies/{seller}/versions/{version}", summary="One version of a seller's policy")
async def get_policy_version(
    seller: str, version: Annotated[int, Path(ge=0, le=2**31 - 1)], service: CurrentService
) -> PolicyView:
    async with service.sessions() as session:
        policy = await policies.policy_version(session, seller, version)
    missing = f"seller {seller} has no policy version {version}"
    return PolicyView(seller_account=seller, version=version, policy=found(policy, missing))


@router.put(
    "/policies/{seller}",
    dependencies=[AgentOnly],
    status_code=201,
    summary="A new version of the seller's policy; cases planned from now on use it",
)
async def put_policy(seller: str, policy: SellerPolicy, service: CurrentService) -> PolicyView:
    async with service.transaction() as session:
        version = await policies.save_policy(session, seller, policy, author="agent API")
    return PolicyView(seller_account=seller, version=version, policy=policy)
