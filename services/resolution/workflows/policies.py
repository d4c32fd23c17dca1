"""Seller policies, versioned: each change is a new version; the latest one is in force.

Planning reads the policy in force through a short in-process cache (`PLANNING_CACHE_SECONDS`):
every case would otherwise pay a query for a row that changes a few times a year. A new
version reaches the other resolution processes within those seconds; each decision records
the version it used, so it stays explainable either way, and its later steps read that
version (`policy_of`). The API reads without the cache.
"""

from cachetools import TTLCache
from sqlalchemy import func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.resolution.domain.policy import DEFAULT_POLICY, SellerPolicy
from services.resolution.tables import CaseDecision, PolicyVersion

DEFAULT_VERSION = 0  # a seller who never set a policy
PLANNING_CACHE_SECONDS = 5.0

_in_force: TTLCache[str, tuple[SellerPolicy, int]] = TTLCache(
    maxsize=10_000, ttl=PLANNING_CACHE_SECONDS
)


async def policy_for_planning(session: AsyncSession, seller: str) -> tuple[SellerPolicy, int]:
    found = _in_force.get(seller)
    if found is None:
        found = _in_force[seller] = await policy_in_force(session, seller)
    return found


async def policy_in_force(session: AsyncSession, seller: str) -> tuple[SellerPolicy, int]:
    latest = await session.scalar(
        select(PolicyVersion)
        .where(PolicyVersion.seller_account == seller)
        .order_by(PolicyVersion.version.desc())
        .limit(1)
    )
    if latest is None:
        return DEFAULT_POLICY, DEFAULT_VERSION
    return SellerPolicy.model_validate(latest.policy), latest.version


async def policy_version(session: AsyncSession, seller: str, version: int) -> SellerPolicy | None:
    if version == DEFAULT_VERSION:
        return DEFAULT_POLICY
    record = await session.get(PolicyVersion, (seller, version))
    return None if record is None else SellerPolicy.model_validate(record.policy)


async def policy_of(session: AsyncSession, record: CaseDecision) -> SellerPolicy:
    """The policy the case was planned with."""
    policy = await policy_version(session, record.seller_account, record.policy_version)
    return policy or DEFAULT_POLICY


async def save_policy(session: AsyncSession, seller: str, policy: SellerPolicy, author: str) -> int:
    """Store a new version; concurrent saves collide on the primary key, never overwrite."""
    latest = await session.scalar(
        select(func.max(PolicyVersion.version)).where(PolicyVersion.seller_account == seller)
    )
    version = (latest or DEFAULT_VERSION) + 1
    session.add(
        PolicyVersion(
            seller_account=seller,
            version=version,
            policy=policy.model_dump(mode="json"),
            created_by=author,
        )
    )
    await session.flush()
    _in_force.pop(seller, None)  # this process plans with the new version at once
    return version
