"""Who may call an HTTP route: agents and operators, or the services themselves.

Both are bearer tokens from the settings; a service without the token configured answers
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
    _require(service.settings.agent_api_token, given, "agent")


async def internal(
    service: CurrentService, given: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]
) -> None:
    _require(service.settings.internal_api_token, given, "internal")


AgentOnly = Depends(agent)
InternalOnly = Depends(internal)
