"""Who may call an HTTP route: agents and operators, the services themselves, warehouse
staff and technicians.

All are bearer tokens from the settings (staff and technicians one each, by name); a
service without the tokens configured (or whose settings do not have them at all) answers
503, so an unconfigured API is never open by accident.
"""

import hmac
from typing import Annotated

from fastapi import Depends, HTTPException
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import SecretStr

from shared.service import CurrentService

bearer = HTTPBearer(auto_error=False)


def _require(token: SecretStr | None, given: HTTPAuthorizationCredentials | None, who: str) -> None:
    if token is None:
        raise HTTPException(503, f"the {who} API is not configured (no token set)")
    if given is None or not hmac.compare_digest(
        given.credentials.encode(), token.get_secret_value().encode()
    ):
        raise HTTPException(401, f"a valid {who} bearer token is required")


async def agent(
    service: CurrentService, given: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]
) -> None:
    _require(getattr(service.settings, "agent_api_token", None), given, "agent")


async def internal(
    service: CurrentService, given: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]
) -> None:
    _require(getattr(service.settings, "internal_api_token", None), given, "internal")


async def agent_or_internal(
    service: CurrentService, given: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]
) -> None:
    """An agent, or a service acting for a buyer who holds a valid link (intake's page)."""
    internal = getattr(service.settings, "internal_api_token", None)
    if (
        internal is not None
        and given is not None
        and hmac.compare_digest(given.credentials.encode(), internal.get_secret_value().encode())
    ):
        return
    _require(getattr(service.settings, "agent_api_token", None), given, "agent")


def _person(
    people: dict[str, SecretStr], given: HTTPAuthorizationCredentials | None, role: str
) -> str:
    if not people:
        raise HTTPException(503, f"the {role} API is not configured (no {role} tokens set)")
    if given is not None:
        presented = given.credentials.encode()
        for name, token in people.items():
            if hmac.compare_digest(presented, token.get_secret_value().encode()):
                return name
    raise HTTPException(401, f"a valid {role} bearer token is required")


async def warehouse_staff(
    service: CurrentService, given: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]
) -> str:
    people = getattr(service.settings, "warehouse_staff_tokens", {})
    return _person(people, given, "warehouse staff")


async def technician(
    service: CurrentService, given: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]
) -> str:
    return _person(getattr(service.settings, "technician_tokens", {}), given, "technician")


AgentOnly = Depends(agent)
InternalOnly = Depends(internal)
AgentOrInternal = Depends(agent_or_internal)
# The name of the person calling, for the events their work causes.
WarehouseStaff = Annotated[str, Depends(warehouse_staff)]
Technician = Annotated[str, Depends(technician)]
