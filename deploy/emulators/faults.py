"""Failure on demand, per emulated system: what a test or a demo asks for, the emulator does.

    PUT /_emulator/faults/{system}   {"outage_seconds": 120}
                                     {"status": 429, "times": 3, "retry_after": 5}
                                     {"delay_seconds": 15, "times": 1}
    DELETE /_emulator/faults/{system}
    GET /_emulator/faults

A fault applies to every request whose path starts with `/{system}/`: during an outage each
answers 503 (with Retry-After: the seconds left); a status fault answers that status for
the next `times` requests; a delay holds the next `times` answers back (a client's timeout).
"""

import asyncio
import time
from dataclasses import dataclass

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, Field, model_validator
from starlette.middleware.base import BaseHTTPMiddleware, RequestResponseEndpoint

router = APIRouter(prefix="/_emulator/faults", tags=["faults on demand"])


class Fault(BaseModel):
    outage_seconds: float | None = Field(default=None, gt=0, le=86_400)
    status: int | None = Field(default=None, ge=400, le=599)
    retry_after: int | None = Field(default=None, ge=0, le=86_400)
    delay_seconds: float | None = Field(default=None, gt=0, le=600)
    times: int = Field(default=1, ge=1, le=1_000_000)

    @model_validator(mode="after")
    def _one_kind(self) -> "Fault":
        kinds = [self.outage_seconds, self.status, self.delay_seconds]
        if sum(kind is not None for kind in kinds) != 1:
            raise ValueError("say one of outage_seconds, status or delay_seconds")
        return self


@dataclass
class Armed:
    fault: Fault
    left: int
    until: float | None  # an outage's end, on the monotonic clock


class Faults:
    """The faults armed, by system."""

    def __init__(self) -> None:
        self._armed: dict[str, Armed] = {}

    def arm(self, system: str, fault: Fault) -> None:
        until = time.monotonic() + fault.outage_seconds if fault.outage_seconds else None
        self._armed[system] = Armed(fault, fault.times, until)

    def clear(self, system: str | None = None) -> None:
        if system is None:
            self._armed.clear()
        else:
            self._armed.pop(system, None)

    def listed(self) -> dict[str, dict]:
        return {
            system: armed.fault.model_dump(exclude_none=True)
            for system, armed in self._armed.items()
        }

    async def answer(self, system: str) -> Response | None:
        """The failure this request gets, or None to answer it normally (after any delay)."""
        armed = self._armed.get(system)
        if armed is None:
            return None
        fault = armed.fault
        if armed.until is not None:
            left = armed.until - time.monotonic()
            if left <= 0:
                self.clear(system)
                return None
            return outage(left)
        armed.left -= 1
        if armed.left <= 0:
            self.clear(system)
        if fault.delay_seconds is not None:
            await asyncio.sleep(fault.delay_seconds)
            return None
        headers = {"Retry-After": str(fault.retry_after)} if fault.retry_after is not None else {}
        return Response(
            f'{{"error": "emulated {fault.status}"}}',
            fault.status,
            headers,
            media_type="application/json",
        )


def outage(seconds_left: float) -> Response:
    return Response(
        '{"error": "emulated outage"}',
        503,
        {"Retry-After": str(max(1, round(seconds_left)))},
        media_type="application/json",
    )


class FaultsMiddleware(BaseHTTPMiddleware):
    async def dispatch(self, request: Request, call_next: RequestResponseEndpoint) -> Response:
        system = request.url.path.strip("/").split("/", 1)[0]
        failure = await request.app.state.faults.answer(system) if system else None
        return failure or await call_next(request)


@router.put("/{system}", status_code=204, summary="Arm a fault for one system")
async def arm(system: str, fault: Fault, request: Request) -> None:
    request.app.state.faults.arm(system, fault)


@router.delete("/{system}", status_code=204, summary="Clear the system's fault")
async def clear(system: str, request: Request) -> None:
    request.app.state.faults.clear(system)


@router.get("", summary="The faults armed, by system")
async def listed(request: Request) -> dict[str, dict]:
    return request.app.state.faults.listed()
