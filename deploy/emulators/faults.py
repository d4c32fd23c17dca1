"""Failure on demand, per emulated system: what a test or a demo asks for, the emulator does.

    PUT /_emulator/faults/{system}   {"outage_seconds": 120}
                                     {"status": 429, "times": 3, "retry_after": 5}
                                     {"delay_seconds": 15, "times": 1}
                                     {"hold_seconds": 30, "times": 1}
                                     {"failing_seconds": 60, "in_turn": [{"delay_seconds": 15},
                                      {"status": 500}, {"status": 429, "retry_after": 2}]}
    DELETE /_emulator/faults/{system}
    GET /_emulator/faults
    GET /_emulator/in-flight

A fault applies to every request whose path starts with `/{system}/`: during an outage each
answers 503 (with Retry-After: the seconds left); a status fault answers that status for
the next `times` requests; a delay holds the next `times` answers back (a client's timeout)
before the system acts on them; a hold lets the system act on the next `times` requests (a
refund paid) and keeps their answers back for up to `hold_seconds`, or until the client goes
away or the fault is cleared (DELETE releases the answers held): the moment a caller dies
with its refund paid and the answer never heard, made on purpose. A system failing for
`failing_seconds` gives each request the next failure of `in_turn`, in turn (a delay, then
the answer as usual: the call may have taken effect when the client gave up on it).

`/_emulator/in-flight` counts, by system, the requests being handled now (`in_flight`), the
answers held now (`held`, with their `Idempotency-Key`s: `held_keys`) and since the start
(`held_total`), and the callers that went away while their answer was held
(`gone_while_held`): how a chaos run knows it hit the moment, and which refund it was.
"""

import asyncio
import time
from collections import defaultdict
from dataclasses import asdict, dataclass, field

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, Field, model_validator
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

router = APIRouter(prefix="/_emulator/faults", tags=["faults on demand"])
traffic_router = APIRouter(prefix="/_emulator/in-flight", tags=["faults on demand"])


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
    hold_seconds: float | None = Field(default=None, gt=0, le=600)
    times: int = Field(default=1, ge=1, le=1_000_000)
    failing_seconds: float | None = Field(default=None, gt=0, le=86_400)
    in_turn: list[Failure] = Field(default_factory=list, max_length=100)

    @model_validator(mode="after")
    def _one_kind(self) -> "Fault":
        kinds = [
            self.outage_seconds,
            self.status,
            self.delay_seconds,
            self.hold_seconds,
            self.failing_seconds,
        ]
        if sum(kind is not None for kind in kinds) != 1:
            raise ValueError(
                "say one of outage_seconds, status, delay_seconds, hold_seconds or failing_seconds"
            )
        if (self.failing_seconds is None) != (not self.in_turn):
            raise ValueError("failing_seconds goes with in_turn, the failures to give in turn")
        return self


@dataclass
class Armed:
    fault: Fault
    left: int
    until: float | None  # an outage's or a failing spell's end, on the monotonic clock
    turn: int = 0  # the failure of `in_turn` the next request gets


@dataclass
class Traffic:
    """A system's requests: handled now, answers held now and since the start, and callers
    gone while their answer was held."""

    in_flight: int = 0
    held: int = 0
    held_total: int = 0
    gone_while_held: int = 0
    held_keys: list[str] = field(default_factory=list)  # their Idempotency-Keys, if any


class Faults:
    """The faults armed, by system, and each system's requests in flight."""

    def __init__(self) -> None:
        self._armed: dict[str, Armed] = {}
        self._releases: dict[str, asyncio.Event] = {}
        self.traffic: defaultdict[str, Traffic] = defaultdict(Traffic)

    def arm(self, system: str, fault: Fault) -> None:
        seconds = fault.outage_seconds or fault.failing_seconds
        until = time.monotonic() + seconds if seconds else None
        self._armed[system] = Armed(fault, fault.times, until)

    def clear(self, system: str | None = None) -> None:
        """Disarm the system's fault (every one: None), releasing the answers it holds."""
        for name in list(self._releases) if system is None else [system]:
            self._releases.pop(name, asyncio.Event()).set()
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
        if armed is None or armed.fault.hold_seconds is not None:
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

    def take_hold(self, system: str) -> float | None:
        """The seconds this request's answer is held (None: not held), one of `times`."""
        armed = self._armed.get(system)
        if armed is None or armed.fault.hold_seconds is None:
            return None
        armed.left -= 1
        if armed.left <= 0:
            self._armed.pop(system, None)
        return armed.fault.hold_seconds

    async def hold(self, system: str, seconds: float, receive: Receive, key: str) -> bool:
        """Hold an answer for `seconds`, until released or its caller goes away; whether
        the caller is still there to hear it."""
        traffic = self.traffic[system]
        traffic.held += 1
        traffic.held_total += 1
        traffic.held_keys.append(key)
        released = self._releases.setdefault(system, asyncio.Event())
        gone = asyncio.ensure_future(caller_gone(receive))
        waits = {gone, asyncio.ensure_future(released.wait())}
        try:
            done, _ = await asyncio.wait(waits, timeout=seconds, return_when="FIRST_COMPLETED")
        finally:
            traffic.held -= 1
            traffic.held_keys.remove(key)
            for wait in waits:
                wait.cancel()
        if gone in done:
            traffic.gone_while_held += 1
            return False
        return True


async def caller_gone(receive: Receive) -> None:
    """Returns once the caller has closed its connection (the request's body read first)."""
    while (await receive())["type"] != "http.disconnect":
        pass


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


class FaultsMiddleware:
    """Each request to a system: counted in flight, failed, delayed or held as armed."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        system = scope["path"].strip("/").split("/", 1)[0] if scope["type"] == "http" else ""
        if not system or system.startswith("_"):  # the emulator's own controls and docs
            await self.app(scope, receive, send)
            return
        faults: Faults = scope["app"].state.faults
        traffic = faults.traffic[system]
        traffic.in_flight += 1
        try:
            failure = await faults.answer(system)
            if failure is not None:
                await failure(scope, receive, send)
                return
            seconds = faults.take_hold(system)
            if seconds is None:
                await self.app(scope, receive, send)
                return
            answer: list[Message] = []

            async def kept(message: Message) -> None:
                answer.append(message)

            await self.app(scope, receive, kept)  # the system acts: the refund is paid
            key = Headers(scope=scope).get("idempotency-key", "")
            if await faults.hold(system, seconds, receive, key):
                for message in answer:
                    await send(message)
        finally:
            traffic.in_flight -= 1


@router.put("/{system}", status_code=204, summary="Arm a fault for one system")
async def arm(system: str, fault: Fault, request: Request) -> None:
    request.app.state.faults.arm(system, fault)


@router.delete("/{system}", status_code=204, summary="Clear the system's fault")
async def clear(system: str, request: Request) -> None:
    request.app.state.faults.clear(system)


@router.get("", summary="The faults armed, by system")
async def listed(request: Request) -> dict[str, dict]:
    return request.app.state.faults.listed()


@traffic_router.get("", summary="Each system's requests in flight and answers held")
async def in_flight(request: Request) -> dict[str, dict]:
    return {system: asdict(each) for system, each in request.app.state.faults.traffic.items()}
