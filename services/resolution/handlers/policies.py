"""Seller policies over HTTP: the version in force, any earlier one (the seller's people
and operations), and a new version (the seller's admin). Decisions record the version they
used. Another seller's policy answers 404, as a seller unknown."""

from typing import Annotated

from fastapi import APIRouter, Path
from pydantic import BaseModel

from services.resolution.domain.policy import SellerPolicy
from services.resolution.workflows import policies
from shared.identity import SellerAdmin, SellerReader
from shared.routes import found
from shared.service import CurrentService

router = APIRouter(tags=["resolution"])


class PolicyView(BaseModel):
    seller_account: str
    version: int  # 0: the default policy, never set by the seller
    policy: SellerPolicy


@router.get("/policies/{seller}", summary="The seller's policy in force")
async def get_policy(seller: str, caller: SellerReader, service: CurrentService) -> PolicyView:
    caller.seller_or_404(seller, "seller")
    async with service.sessions() as session:
        policy, version = await policies.policy_in_force(session, seller)
    return PolicyView(seller_account=seller, version=version, policy=policy)


@router.get("/policies/{seller}/versions/{version}", summary="One version of a seller's policy")
async def get_policy_version(
    seller: str,
    version: Annotated[int, Path(ge=0, le=2**31 - 1)],
    caller: SellerReader,
    service: CurrentService,
) -> PolicyView:
    caller.seller_or_404(seller, "seller")
    async with service.sessions() as session:
        policy = await policies.policy_version(session, seller, version)
    missing = f"seller {seller} has no policy version {version}"
    return PolicyView(seller_account=seller, version=version, policy=found(policy, missing))


@router.put(
    "/policies/{seller}",
    status_code=201,
    summary="A new version of the seller's policy; cases planned from now on use it",
)
async def put_policy(
    seller: str, policy: SellerPolicy, caller: SellerAdmin, service: CurrentService
) -> PolicyView:
    caller.seller_or_404(seller, "seller")
    async with service.transaction() as session:
        version = await policies.save_policy(session, seller, policy, author=caller.name)
    return PolicyView(seller_account=seller, version=version, policy=policy)
