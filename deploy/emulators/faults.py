"""Failure on demand, per emulated system: what a test or a demo asks for, the emulator does.

    PUT /_emulator/faults/{system}   {"outage_seconds": 120}
                                     {"status": 429, "times": 3, "retry_after": 5}
                                     {"delay_seconds": 15, "times": 1}
                                     {"failing_seconds": 60, "in_turn": [{"delay_seconds": 15},
                                      {"status": 500}, {"status": 429, "retry_after": 2}]}
    DELETE /_emulator/faults/{system}
    GET /_emulator/faults

A fault applies to every request whose path starts with `/{system}/`: during an outage each
answers 503 (with Retry-After: the seconds left); a status fault answers that status for
the next `times` requests; a delay holds the next `times` answers back (a client's timeout);
a system failing for `failing_seconds` gives each request the next failure of `in_turn`, in
turn (a delay, then the answer as usual: the call may have taken effect when the client
gave up on it).
"""

import asyncio
import time
from dataclasses import dataclass

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, Field, model_validator
from starlette.middleware.base import BaseHTTPMiddleware, RequestResponseEndpoint

router = APIRouter(prefix="/_emulator/faults", tags=["faults on demand"])


class Failure(BaseModel):
    """One answer of a failing system: a status (with Retry-After), or an answer held back."""

    status: int | None = Field(default=None, ge=400, le=599)
    retry_after: int | None = Field(default=None, ge=0, le=86_400)
    delay_seconds: float | None = Field(default=None, gt=0, le=600)

    @model_validator(mode="after")
    def _one_kind(self) -> "Failure":
        if (self.status is None) == (self.delay_seconds is None):
            raise ValueError("say one of status or delay_seconds")
        return self


class Fault(BaseModel):
    outage_seconds: float | None = Field(default=None, gt=0, le=86_400)
    status: int | None = Field(default=None, ge=400, le=599)
    retry_after: int | None = Field(default=None, ge=0, le=86_400)
    delay_seconds: float | None = Field(default=None, gt=0, le=600)
    times: int = Field(default=1, ge=1, le=1_000_000)
    failing_seconds: float | None = Field(default=None, gt=0, le=86_400)
    in_turn: list[Failure] = Field(default_factory=list, max_length=100)

    @model_validator(mode="after")
    def _one_kind(self) -> "Fault":
        kinds = [self.outage_seconds, self.status, self.delay_seconds, self.failing_seconds]
        if sum(kind is not None for kind in kinds) != 1:
            raise ValueError("say one of outage_seconds, status, delay_seconds or failing_seconds")
        if (self.failing_seconds is None) != (not self.in_turn):
            raise ValueError("failing_seconds goes with in_turn, the failures to give in turn")
        return self


@dataclass
class Armed:
    fault: Fault
    left: int
    until: float | None  # an outage's or a failing spell's end, on the monotonic clock
    turn: int = 0  # the failure of `in_turn` the next request gets


class Faults:
    """The faults armed, by system."""

    def __init__(self) -> None:
        self._armed: dict[str, Armed] = {}

    def arm(self, system: str, fault: Fault) -> None:
        seconds = fault.outage_seconds or fault.failing_seconds
        until = time.monotonic() + seconds if seconds else None
        self._armed[system] = Armed(fault, fault.times, until)

    def clear(self, system: str | None = None) -> None:
        if system is None:
            self._armed.clear()
        else:
            self._armed.pop(system, None)

    def listed(self) -> dict[str, dict]:
        return {
            system: armed.fault.model_dump(
                exclude_none=True, exclude=None if armed.fault.in_turn else {"in_turn"}
            )
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
            if not fault.in_turn:
                return outage(left)
            failure = fault.in_turn[armed.turn % len(fault.in_turn)]
            armed.turn += 1
            return await failed(failure)
        armed.left -= 1
        if armed.left <= 0:
            self.clear(system)
        return await failed(
            Failure(**fault.model_dump(include={"status", "retry_after", "delay_seconds"}))
        )


async def failed(failure: Failure) -> Response | None:
    """The failure's answer, or None to answer as usual after holding the request back."""
    if failure.delay_seconds is not None:
        await asyncio.sleep(failure.delay_seconds)
        return None
    retry_after = failure.retry_after
    headers = {"Retry-After": str(retry_after)} if retry_after is not None else {}
    return Response(
        f'{{"error": "emulated {failure.status}"}}',
        failure.status,
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
