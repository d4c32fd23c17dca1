"""The local stack's secrets and demo channel accounts, made once and kept in .run/.

Production sets INTAKE_PII_KEYS, AGENT_API_TOKEN, INTERNAL_API_TOKEN and
CHANNEL_ACCOUNTS_FILE itself; the local stack makes its own so that `make run` needs
nothing, and keeps them so that data encrypted by one run is readable by the next.
"""

import json
import secrets
from pathlib import Path
from typing import Any

from deploy.components import RUN_DIR
from services.intake.privacy import new_key

DEMO_ACCOUNTS = Path(__file__).resolve().parent / "channel_accounts.json"


def local_secrets(run_dir: Path = RUN_DIR) -> dict[str, str]:
    """Environment variables for intake's secrets, created on first use."""
    path = run_dir / "secrets.json"
    if not path.exists():
        run_dir.mkdir(exist_ok=True)
        made = {
            "INTAKE_PII_KEYS": new_key(),
            "AGENT_API_TOKEN": secrets.token_urlsafe(24),
            "INTERNAL_API_TOKEN": secrets.token_urlsafe(24),
        }
        path.write_text(json.dumps(made, indent=2))
        path.chmod(0o600)
    return {**json.loads(path.read_text()), "CHANNEL_ACCOUNTS_FILE": str(DEMO_ACCOUNTS)}


def demo_account(channel: str) -> dict[str, Any]:
    return next(a for a in json.loads(DEMO_ACCOUNTS.read_text()) if a["channel"] == channel)
