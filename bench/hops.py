"""Where a case's time goes, hop by hop, from the timestamps the services keep anyway: the
delivery's store and claim, each outbox row's writing and publishing, each consumer's inbox
row (when its batch began to be applied), the message's queueing, claim and sending.

A claim is read from the lease it left (`next_attempt_at` pushed LEASE past the claim, and
left there once done): a case's time between two of these marks is waiting (a wake-up, a
fetch from the broker) or work (a handler, a commit, an SMTP session); the hops tell which.
Bench code only: it reads the stack's database after the run.
"""

from collections.abc import Sequence
from datetime import datetime

import asyncpg
from rich.table import Table

from shared.leases import LEASE

# What each case went through, as intake's and resolution's tables tell it (epoch seconds).
TIMELINE = f"""
SELECT c.case_id,
       d.received_at AS stored,
       d.next_attempt_at - interval '{int(LEASE.total_seconds())} seconds' AS delivery_claimed,
       io.created_at AS opened_written,
       io.published_at AS opened_published,
       ri.applied_at AS resolution_consumed,
       ro.created_at AS offered_written,
       ro.published_at AS offered_published,
       ii.applied_at AS intake_consumed,
       m.queued_at AS message_queued,
       m.next_attempt_at - interval '{int(LEASE.total_seconds())} seconds' AS message_claimed,
       m.sent_at AS message_sent
FROM intake.cases c
LEFT JOIN intake.deliveries d
  ON d.channel = c.channel AND d.account = c.account AND d.delivery_id = c.case_key
JOIN LATERAL (SELECT event_id, created_at, published_at FROM intake.outbox
              WHERE key = c.case_id AND envelope->>'type' = 'case.opened'
              ORDER BY id LIMIT 1) io ON true
LEFT JOIN resolution.inbox ri ON ri.event_id = io.event_id
LEFT JOIN LATERAL (SELECT event_id, created_at, published_at FROM resolution.outbox
                   WHERE key = c.case_id AND envelope->>'type' = 'resolution.offered'
                   ORDER BY id LIMIT 1) ro ON true
LEFT JOIN intake.inbox ii ON ii.event_id = ro.event_id
LEFT JOIN LATERAL (SELECT queued_at, next_attempt_at, sent_at, attempts
                   FROM intake.outgoing_messages
                   WHERE case_id = c.case_id ORDER BY queued_at LIMIT 1) m ON true
WHERE c.case_id = any($1::text[])
"""

# The hops in the order a case goes through them: name, from mark, to mark. `sent`,
# `answered` and `seen` are the bench's own clocks (the POST, its answer, the end it watches).
HOPS = (
    ("webhook answered (stored)", "sent", "answered"),
    ("answered → delivery claimed (worker wake-up)", "answered", "delivery_claimed"),
    ("claimed → case.opened written (completion, apply)", "delivery_claimed", "opened_written"),
    ("written → case.opened published (commit, relay)", "opened_written", "opened_published"),
    ("published → resolution consumed (Kafka fetch)", "opened_published", "resolution_consumed"),
    ("consumed → resolution.offered written (handler)", "resolution_consumed", "offered_written"),
    (
        "written → resolution.offered published (commit, relay)",
        "offered_written",
        "offered_published",
    ),
    ("published → intake consumed (Kafka fetch)", "offered_published", "intake_consumed"),
    ("consumed → message claimed (commit, worker wake-up)", "intake_consumed", "message_claimed"),
    ("claimed → handed to the mail server (render, SMTP)", "message_claimed", "taken"),
    ("published → seen by the bench (Kafka fetch)", "offered_published", "seen"),
)


async def timelines(database_url: str, case_ids: Sequence[str]) -> dict[str, dict[str, float]]:
    """Each case's marks, in epoch seconds (a mark the case has not reached is absent)."""
    connection = await asyncpg.connect(database_url)
    try:
        rows = await connection.fetch(TIMELINE, list(case_ids))
    finally:
        await connection.close()
    return {
        row["case_id"]: {
            name: value.timestamp() for name, value in row.items() if isinstance(value, datetime)
        }
        for row in rows
    }


def breakdown(
    marks: dict[str, dict[str, float]], percentile, quantiles: tuple[str, ...] = ("p50", "p99")
) -> dict[str, dict[str, float]]:
    """p50/p99 (ms) of each hop over the cases that have both its marks, in hop order."""
    spans: dict[str, list[float]] = {}
    for case in marks.values():
        for name, start, end in HOPS:
            if start in case and end in case:
                spans.setdefault(name, []).append((case[end] - case[start]) * 1000)
    return {
        name: {
            **{q: round(percentile(values, int(q[1:])), 1) for q in quantiles},
            "cases": len(values),
        }
        for name, values in spans.items()
    }


def hops_table(hops: dict[str, dict[str, float]], title: str = "where the time goes") -> Table:
    table = Table(title=title, title_justify="left")
    for column in ("hop", "p50", "p99"):
        table.add_column(column, justify="left" if column == "hop" else "right")
    for hop, span in hops.items():
        table.add_row(hop, f"{span['p50']} ms", f"{span['p99']} ms")
    return table
