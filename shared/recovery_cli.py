"""The operators' recovery tools from the command line, over the services' APIs
(`shared/recovery.py`, intake's `/deliveries`, the `/failed-calls` of `shared/failed_calls.py`):

    make recover ARGS="dead-letters SERVICE list|topics [--topic T] [--type E] [--cause WORDS]
                       [--since TIME] [--until TIME] [--state waiting|redriven|discarded]"
    make recover ARGS="dead-letters SERVICE redrive ID | redrive (--all | filters)"
    make recover ARGS="dead-letters SERVICE discard (ID | --all | filters) --reason WHY"
    make recover ARGS="deliveries list|retry|discard [CHANNEL/ACCOUNT/DELIVERY_ID] [--channel C]
                       [--account A] [--cause WORDS] [--since TIME] [--until TIME] [--reason WHY]"
    make recover ARGS="calls list|retry|discard [KIND/ID] [--kind KIND] [--service SERVICE]
                       [--cause WORDS] [--since TIME] [--until TIME] [--reason WHY]"

A failed call's kind names the service that made it (`CALL_KINDS`): intake's `message`,
`return_action`, `removal_order` (Amazon) and `refund` (the marketplace refused it),
fulfillment's `carrier_label` and `warehouse_delivery`; resolution's `refund` (refused, or
unavailable after every try) with `--service resolution`.
Without a kind, `--service` says whose calls (intake's by default).

Without an id, `redrive`, `retry` and `discard` act on every waiting item the filters match:
at least one filter, or `--all`, must say so. A discard needs `--reason`. Each service is
found at HOST:<SERVICE>_PORT (or --url), with the issuer's token ACCESS_TOKEN (a platform
admin's for dead letters; a seller agent's reaches their own sellers' deliveries and calls).
Prints the answer as JSON; exits 1 when the service refused.
"""

import argparse
import asyncio
import json
import os
import sys
from collections.abc import Callable
from typing import Any, TextIO

import httpx

from shared.settings import SERVICE_NAMES, ServiceSettings

Clients = Callable[[str], httpx.AsyncClient]

# The kinds of failed outgoing calls, and the service that makes (and retries) them.
CALL_KINDS = {
    "message": ("intake",),
    "return_action": ("intake",),
    "refund": ("intake", "resolution"),
    "removal_order": ("intake",),
    "carrier_label": ("fulfillment",),
    "warehouse_delivery": ("fulfillment",),
}
CALLING_SERVICES = ("intake", "resolution", "fulfillment")


def parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="recover", description="List, re-drive, retry or discard what failed."
    )
    parser.add_argument("--url", help="the service's base URL (default: HOST:<SERVICE>_PORT)")
    queues = parser.add_subparsers(dest="queue", required=True)

    dead = queues.add_parser("dead-letters", help="events a consumer could not apply")
    dead.add_argument("service", choices=SERVICE_NAMES, help="whose consumer parked them")
    dead.add_argument("action", choices=("list", "topics", "redrive", "discard"))
    dead.add_argument("id", nargs="?", type=int, help="one dead letter")
    dead.add_argument("--topic")
    dead.add_argument("--type", dest="event_type")
    dead.add_argument("--state", choices=("waiting", "redriven", "discarded"))
    common(dead)

    deliveries = queues.add_parser("deliveries", help="intake's failed deliveries")
    deliveries.add_argument("action", choices=("list", "retry", "discard"))
    deliveries.add_argument("id", nargs="?", help="one delivery: CHANNEL/ACCOUNT/DELIVERY_ID")
    deliveries.add_argument("--channel")
    deliveries.add_argument("--account")
    common(deliveries)

    calls = queues.add_parser("calls", help="failed outgoing calls: messages, refunds, labels")
    calls.add_argument("action", choices=("list", "retry", "discard"))
    calls.add_argument("id", nargs="?", help="one call: KIND/ID")
    calls.add_argument("--kind", choices=tuple(CALL_KINDS))
    calls.add_argument(
        "--service", choices=CALLING_SERVICES, help="whose calls (default: the kind's maker)"
    )
    common(calls)
    return parser


def common(command: argparse.ArgumentParser) -> None:
    command.add_argument("--cause", help="words of the cause, any case")
    command.add_argument("--since", help="from this time on (ISO 8601, with its zone)")
    command.add_argument("--until", help="before this time (ISO 8601, with its zone)")
    command.add_argument("--reason", help="why they are discarded (discard only)")
    command.add_argument("--all", action="store_true", help="every waiting one, no filter")
    command.add_argument("--limit", type=int, default=100, help="at most so many listed")


def present(values: dict[str, Any]) -> dict[str, Any]:
    return {name: value for name, value in values.items() if value is not None}


def request_of(args: argparse.Namespace) -> tuple[str, str, str, dict | None]:
    """The service, method, path (with its query) and body of the command's call."""
    if args.queue == "dead-letters":
        filters = present(
            {
                "topic": args.topic,
                "event_type": args.event_type,
                "cause": args.cause,
                "since": args.since,
                "until": args.until,
            }
        )
        return (args.service, *call("/dead-letters", args, filters, {"state": args.state}))
    if args.queue == "deliveries":
        filters = present(
            {
                "channel": args.channel,
                "account": args.account,
                "cause": args.cause,
                "received_since": args.since,
                "received_until": args.until,
            }
        )
        return ("intake", *call("/deliveries", args, filters, {"state": "failed"}))
    filters = present(
        {
            "kind": args.kind,
            "cause": args.cause,
            "owed_since": args.since,
            "owed_until": args.until,
        }
    )
    return (calling_service(args), *call("/failed-calls", args, filters, {}))


def calling_service(args: argparse.Namespace) -> str:
    """The service whose failed calls the command names: `--service`, else the kind's."""
    kind = args.kind or (args.id.split("/", 1)[0] if args.id else None)
    if kind is not None and kind not in CALL_KINDS:
        raise SystemExit(f"no kind of call {kind!r}: one of {', '.join(CALL_KINDS)}")
    if args.service is not None:
        if kind is not None and args.service not in CALL_KINDS[kind]:
            raise SystemExit(f"{args.service} makes no {kind} calls")
        return args.service
    return CALL_KINDS[kind][0] if kind is not None else "intake"


def call(
    prefix: str, args: argparse.Namespace, filters: dict[str, Any], listing: dict[str, Any]
) -> tuple[str, str, dict | None]:
    if args.action in ("list", "topics"):
        if args.action == "topics":
            return "GET", f"{prefix}/topics", None
        query = filters | present(listing) | {"limit": args.limit}
        return "GET", str(httpx.URL(prefix, params=query)), None
    verb = "redrive" if args.action == "redrive" else args.action
    if args.action == "discard" and not args.reason:
        raise SystemExit("a discard needs --reason: why they are set aside")
    reason = {"reason": args.reason} if args.action == "discard" else {}
    if args.id is not None:
        return "POST", f"{prefix}/{args.id}/{verb}", reason or None
    if not filters and not args.all:
        raise SystemExit(f"{args.action} of every waiting one: say --all, or give filters")
    return "POST", f"{prefix}/{verb}", filters | reason


async def run(argv: list[str], clients: Clients, out: TextIO = sys.stdout) -> int:
    """Make the command's call with the service's client (its base URL and token set);
    print the answer. The exit status: 0 done, 1 refused."""
    args = parser().parse_args(argv)
    service, method, path, body = request_of(args)
    response = await clients(service).request(method, path, json=body)
    try:
        answer = response.json()
    except ValueError:
        answer = {"status": response.status_code, "detail": response.text}
    print(json.dumps(answer, indent=2, ensure_ascii=False, default=str), file=out)
    return 1 if response.is_error else 0


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    settings = ServiceSettings()
    url = parser().parse_args(argv).url
    token = os.environ.get("ACCESS_TOKEN", "")
    if not token:
        raise SystemExit(
            "set ACCESS_TOKEN to a token of the issuer "
            "(make run's: `make token ROLE=platform_admin`)"
        )

    async def calls() -> int:
        headers = {"authorization": f"Bearer {token}"}
        opened: dict[str, httpx.AsyncClient] = {}

        def client_of(service: str) -> httpx.AsyncClient:
            if service not in opened:
                base = url or settings.base_url_of(service)
                opened[service] = httpx.AsyncClient(base_url=base, headers=headers, timeout=60)
            return opened[service]

        try:
            return await run(argv, client_of)
        finally:
            for client in opened.values():
                await client.aclose()

    return asyncio.run(calls())


if __name__ == "__main__":
    sys.exit(main())
