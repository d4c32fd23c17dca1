"""Lifecycles as data: which move takes a thing from which state to which, checked in one
place. Each service's `domain/` declares its state machines with it (states as an enum,
moves as a table) and writes a pure function per move that returns a `Transition`: the new
state and the events to emit. A move the table does not allow raises `IllegalTransition`
with the reason, which the HTTP layer answers with 409.

    TASK = Lifecycle("dispatch task", {"pick": {REQUESTED: PICKED}, ...},
                     done={"pick": {PICKED, PACKED, SHIPPED}})
    TASK.next(PICKED, "pick")     -> None (done already: a repeat changes nothing)
    TASK.next(SHIPPED, "problem") -> IllegalTransition("dispatch task is shipped: ...")
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Generic, TypeVar

from shared.events import EventPayload

State = TypeVar("State", bound=StrEnum)


class IllegalTransition(Exception):
    """A move not allowed from where the thing is; `reason` says so in words."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Transition(Generic[State]):
    """Where a move leaves the thing, and the events it causes (none for a repeat)."""

    state: State
    events: tuple[EventPayload, ...] = ()

    @property
    def repeated(self) -> bool:
        return not self.events


class Lifecycle(Generic[State]):
    def __init__(
        self,
        thing: str,
        moves: Mapping[str, Mapping[State, State]],
        done: Mapping[str, Iterable[State]] | None = None,
    ) -> None:
        """`moves[action][from] = to`; `done[action]`: the states in which the action was
        taken already, so that taking it again is a harmless repeat."""
        self.thing = thing
        self.moves = {action: dict(steps) for action, steps in moves.items()}
        self.done = {action: frozenset(states) for action, states in (done or {}).items()}

    @property
    def actions(self) -> tuple[str, ...]:
        return tuple(self.moves)

    def next(
        self, state: State, action: str, what: str | None = None, refusal: str | None = None
    ) -> State | None:
        """The state `action` leads to from `state`; None when it was taken already.
        Refused with `refusal` when given, else in words naming `what` ("task shp-1"; the
        kind of thing by default)."""
        if state in self.done.get(action, ()):
            return None
        to = self.moves[action].get(state)
        if to is None:
            raise IllegalTransition(
                refusal or f"{what or self.thing} is {state.value}: it cannot {action}"
            )
        return to

    def allows(self, state: State, action: str) -> bool:
        return state in self.moves[action]
