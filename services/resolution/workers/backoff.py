"""How long work whose outside call was unavailable waits before its next try."""

from datetime import timedelta

from shared.outbound import Unavailable
from shared.wakeup import retry_pause


def pause_after(attempts: int, failure: Unavailable) -> timedelta:
    """The usual backoff, or longer when the other side said when to come back."""
    pause = retry_pause(attempts)
    if failure.retry_after is not None:
        pause = max(pause, timedelta(seconds=failure.retry_after))
    return pause
