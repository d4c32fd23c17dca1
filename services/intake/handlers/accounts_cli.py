"""Seller onboarding from the command line, over intake's API (`handlers/accounts.py`):

    python -m services.intake.handlers.accounts_cli list [--channel shopify] [--seller acme]
    python -m services.intake.handlers.accounts_cli create shopify acme.myshopify.com \
        --seller acme [--market US] [--secrets FILE] [--credentials FILE]
    python -m services.intake.handlers.accounts_cli show|disable|enable|check CHANNEL ACCOUNT
    python -m services.intake.handlers.accounts_cli update CHANNEL ACCOUNT \
        [--seller S] [--market M | --no-market] [--credentials FILE]
    python -m services.intake.handlers.accounts_cli rotate CHANNEL ACCOUNT \
        (--grace SECONDS | --drop-old) [--secret FILE]                       (make accounts)

Secrets are never command-line arguments (a process list or a shell history would show
them): they are read from a file, one per line, or from standard input ("-"), or asked for
when standard input is a terminal. API credentials come as a JSON object in a file. Intake
is found at HOST:INTAKE_PORT (or --url), with the issuer's token ACCESS_TOKEN (onboarding
needs a platform admin's; a seller admin's reaches their own accounts).
"""

import argparse
import asyncio
import getpass
import json
import os
import sys
from pathlib import Path
from typing import Any, TextIO

import httpx

from services.intake.settings import IntakeSettings

PREFIX = "/channel-accounts"


def parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="accounts", description="Onboard sellers' channel accounts through intake's API."
    )
    parser.add_argument("--url", help="intake's base URL (default: HOST:INTAKE_PORT)")
    commands = parser.add_subparsers(dest="command", required=True)

    listing = commands.add_parser("list", help="the accounts, without their credentials")
    listing.add_argument("--channel")
    listing.add_argument("--seller")

    for name, what in (
        ("show", "one account, without its credentials"),
        ("disable", "refuse the account's deliveries from now on"),
        ("enable", "accept a disabled account's deliveries again"),
        ("check", "check the account's API credentials against its marketplace"),
    ):
        named(commands.add_parser(name, help=what))

    create = named(commands.add_parser("create", help="onboard a new account"))
    create.add_argument("--seller", required=True)
    create.add_argument("--market", help="its default market (US, UK, DE...)")
    create.add_argument(
        "--secrets",
        metavar="FILE",
        help="its signing secrets, one a line, newest first (- : stdin)",
    )
    create.add_argument("--credentials", metavar="FILE", help="its API credentials (JSON object)")

    change = named(commands.add_parser("update", help="change the seller, market or credentials"))
    change.add_argument("--seller")
    market = change.add_mutually_exclusive_group()
    market.add_argument("--market")
    market.add_argument("--no-market", action="store_true", help="forget its default market")
    change.add_argument(
        "--credentials",
        metavar="FILE",
        help="API credentials to set (JSON object; a null removes one)",
    )

    rotate = named(commands.add_parser("rotate", help="rotate the account's signing secret"))
    grace = rotate.add_mutually_exclusive_group(required=True)
    grace.add_argument("--grace", type=int, metavar="SECONDS", help="the old ones verify so long")
    grace.add_argument("--drop-old", action="store_true", help="the old ones stop at once")
    rotate.add_argument("--secret", metavar="FILE", default="-", help="the new secret (- : stdin)")
    return parser


def named(command: argparse.ArgumentParser) -> argparse.ArgumentParser:
    command.add_argument("channel")
    command.add_argument("account")
    return command


def secrets_from(path: str, stdin: TextIO, what: str) -> list[str]:
    """Secrets from a file or standard input, one a line; asked for at a terminal."""
    if path == "-" and stdin.isatty():
        return [getpass.getpass(f"{what}: ")]
    text = stdin.read() if path == "-" else Path(path).read_text()
    return [line.strip() for line in text.splitlines() if line.strip()]


def credentials_from(path: str) -> dict[str, Any]:
    credentials = json.loads(Path(path).read_text())
    if not isinstance(credentials, dict):
        raise SystemExit(f"{path}: the API credentials are a JSON object")
    return credentials


def request_of(args: argparse.Namespace, stdin: TextIO) -> tuple[str, str, dict | None]:
    """The method, path (with its query) and body of the command's call."""
    if args.command == "list":
        query = {k: v for k, v in (("channel", args.channel), ("seller", args.seller)) if v}
        return "GET", str(httpx.URL(PREFIX, params=query)), None
    if args.command == "create":
        body: dict[str, Any] = {
            "channel": args.channel,
            "account": args.account,
            "seller": args.seller,
            "default_market": args.market,
            "secrets": secrets_from(args.secrets, stdin, "secret") if args.secrets else [],
            "credentials": credentials_from(args.credentials) if args.credentials else {},
        }
        return "POST", PREFIX, body
    path = f"{PREFIX}/{args.channel}/{args.account}"
    if args.command == "show":
        return "GET", path, None
    if args.command in ("disable", "enable", "check"):
        return "POST", f"{path}/{args.command}", None
    if args.command == "update":
        body = {}
        if args.seller:
            body["seller"] = args.seller
        if args.market or args.no_market:
            body["default_market"] = args.market
        if args.credentials:
            body["credentials"] = credentials_from(args.credentials)
        return "PATCH", path, body
    assert args.command == "rotate"
    given = secrets_from(args.secret, stdin, "new secret")
    if len(given) != 1:
        raise SystemExit("rotate takes exactly one new secret")
    grace = 0 if args.drop_old else args.grace
    return "POST", f"{path}/secrets", {"secret": given[0], "grace_seconds": grace}


async def run(
    argv: list[str], client: httpx.AsyncClient, stdin: TextIO = sys.stdin, out: TextIO = sys.stdout
) -> int:
    """Make the command's call with `client` (its base URL and token set); print the answer.
    The exit status: 0 done, 1 refused (or the credentials failed their check)."""
    args = parser().parse_args(argv)
    method, path, body = request_of(args, stdin)
    response = await client.request(method, path, json=body)
    try:
        answer = response.json()
    except ValueError:
        answer = {"status": response.status_code, "detail": response.text}
    print(json.dumps(answer, indent=2, ensure_ascii=False), file=out)
    if response.is_error:
        return 1
    return 1 if args.command == "check" and answer.get("verified") is False else 0


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    settings = IntakeSettings()
    url = parser().parse_args(argv).url or settings.base_url_of("intake")
    token = os.environ.get("ACCESS_TOKEN", "")
    if not token:
        raise SystemExit(
            "set ACCESS_TOKEN to a token of the issuer "
            "(make run's: `make token ROLE=platform_admin`)"
        )

    async def call() -> int:
        headers = {"authorization": f"Bearer {token}"}
        async with httpx.AsyncClient(base_url=url, headers=headers, timeout=30) as client:
            return await run(argv, client)

    return asyncio.run(call())


if __name__ == "__main__":
    sys.exit(main())
