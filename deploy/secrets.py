"""The local stack's secrets and demo channel accounts, made once and kept in .run/.

Production sets INTAKE_PII_KEYS, SERVICE_CLIENT_SECRETS (the services' client secrets at
its issuer), BUYER_LINK_SECRET, CONSOLE_SESSION_SECRET, BENCH_SESSION_SECRET,
FLOOR_SESSION_SECRET and CHANNEL_ACCOUNTS_FILE itself; the local stack makes its own so
that `make run` needs nothing, and keeps them so that data encrypted by one run is readable
by the next (and the console and the floor's pages stay signed in).
"""

import json
import secrets
from pathlib import Path
from typing import Any

from deploy.components import RUN_DIR
from services.intake.adapters.vault import new_key
from shared.settings import SERVICE_NAMES

DEMO_ACCOUNTS = Path(__file__).resolve().parent / "channel_accounts.json"


DEMO_STAFF = "demo-staff"
DEMO_TECHNICIAN = "demo-technician"
DEMO_OPERATOR = "demo-operator"  # make run's scripted agent: the platform admin


# Static tokens of earlier versions: tokens come from the issuer now.
RETIRED = ("AGENT_API_TOKEN", "INTERNAL_API_TOKEN", "WAREHOUSE_STAFF_TOKENS", "TECHNICIAN_TOKENS")


def _new_secrets() -> dict[str, str]:
    return {
        "INTAKE_PII_KEYS": new_key(),
        "SERVICE_CLIENT_SECRETS": json.dumps(
            {name: secrets.token_urlsafe(24) for name in SERVICE_NAMES}
        ),
        "BUYER_LINK_SECRET": secrets.token_urlsafe(32),
        "CONSOLE_SESSION_SECRET": secrets.token_urlsafe(32),
        "BENCH_SESSION_SECRET": secrets.token_urlsafe(32),
        "FLOOR_SESSION_SECRET": secrets.token_urlsafe(32),
    }


def local_secrets(run_dir: Path = RUN_DIR) -> dict[str, str]:
    """Environment variables for the services' secrets, created on first use (a file
    from an older run gets the ones it lacks)."""
    path = run_dir / "secrets.json"
    kept = json.loads(path.read_text()) if path.exists() else {}
    retired = (
        "AGENT_API_TOKEN",
        "INTERNAL_API_TOKEN",
        "WAREHOUSE_STAFF_TOKENS",
        "TECHNICIAN_TOKENS",
    )
    kept = {name: value for name, value in kept.items() if name not in retired}
    made = _new_secrets() | kept
    if made != kept:
        run_dir.mkdir(exist_ok=True)
        path.write_text(json.dumps(made, indent=2))
        path.chmod(0o600)
    return {**made, "CHANNEL_ACCOUNTS_FILE": str(DEMO_ACCOUNTS)}


def demo_account(channel: str) -> dict[str, Any]:
    return next(a for a in json.loads(DEMO_ACCOUNTS.read_text()) if a["channel"] == channel)
