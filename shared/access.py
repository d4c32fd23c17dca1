"""The routes' former policies, on the verified tokens of `shared/identity.py`: kept while
the services move to the scoped policies there."""

from typing import Annotated

from fastapi import Depends

from shared.identity import Role, policy

R = Role
AgentOnly = policy("seller data, worked", (R.SELLER_ADMIN, R.AGENT, R.PLATFORM_ADMIN))
InternalOnly = policy("service lookup", (R.SERVICE,))
AgentOrInternal = policy(
    "seller data or service lookup",
    (R.SELLER_ADMIN, R.AGENT, R.OPERATIONS, R.PLATFORM_ADMIN, R.SERVICE),
)
_staff = policy("warehouse work", (R.WAREHOUSE_STAFF,))
_technician = policy("repair bench", (R.TECHNICIAN,))


async def _staff_name(principal=_staff) -> str:
    return principal.name


async def _technician_name(principal=_technician) -> str:
    return principal.name


WarehouseStaff = Annotated[str, Depends(_staff_name)]
Technician = Annotated[str, Depends(_technician_name)]
