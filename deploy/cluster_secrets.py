"""`python -m deploy.cluster_secrets OVERLAY` (`make cluster-secrets OVERLAY=production`):
the secrets of the cluster deployment, from the environment, as the overlay's Kustomize
secret generators read them (`deploy/kubernetes/overlays/<overlay>/`):

- `secrets.env` (Secret `aftersales-secrets`, every process's environment): every secret a
  service refuses to start without in production (each settings class's
  `required_secrets`), and any other secret setting the environment sets (an eBay token, a
  tracking API key...);
- `backup.env` (Secret `aftersales-backup`, CloudNativePG's backups): the bucket's
  `ACCESS_KEY_ID` and `ACCESS_SECRET_KEY`, from BACKUP_ACCESS_KEY_ID and
  BACKUP_ACCESS_SECRET_KEY.

A required secret missing from the environment is refused with its name; nothing is
written then. The files are readable by their owner only and never committed.
"""

import argparse
import os
import sys
from collections.abc import Mapping
from pathlib import Path

from pydantic import SecretStr

from deploy.settings import StackSettings
from services.analytics.settings import AnalyticsSettings
from services.fulfillment.settings import FulfillmentSettings
from services.intake.settings import IntakeSettings
from services.refurbish.settings import RefurbishSettings
from services.resolution.settings import ResolutionSettings

OVERLAYS = Path(__file__).resolve().parent / "kubernetes" / "overlays"
SETTINGS = (
    IntakeSettings,
    ResolutionSettings,
    FulfillmentSettings,
    RefurbishSettings,
    AnalyticsSettings,
)
BACKUP = {"ACCESS_KEY_ID": "BACKUP_ACCESS_KEY_ID", "ACCESS_SECRET_KEY": "BACKUP_ACCESS_SECRET_KEY"}


class MissingSecrets(ValueError):
    """Secrets the services need that the environment does not set."""


def required_secrets() -> list[str]:
    """The environment variables of every secret some service cannot start without."""
    return sorted({name.upper() for cls in SETTINGS for name in cls.required_secrets})


def secret_settings() -> list[str]:
    """The environment variables of every setting that holds a secret."""
    secret = []
    for name, info in StackSettings.model_fields.items():
        annotation = str(info.annotation)
        if "SecretStr" in annotation or info.annotation is SecretStr:
            secret.append(name.upper())
    return sorted(set(secret) | set(required_secrets()))


def env_file(values: Mapping[str, str]) -> str:
    for name, value in values.items():
        if "\n" in value:
            raise ValueError(f"{name} holds a line break: an env file cannot carry it")
    return "".join(f"{name}={value}\n" for name, value in values.items())


def cluster_secrets(environment: Mapping[str, str]) -> dict[str, str]:
    """The two env files' contents, by file name."""
    missing = [name for name in required_secrets() if not environment.get(name)]
    missing += [name for name in BACKUP.values() if not environment.get(name)]
    if missing:
        raise MissingSecrets(", ".join(missing))
    services = {name: environment[name] for name in secret_settings() if environment.get(name)}
    backup = {key: environment[name] for key, name in BACKUP.items()}
    return {"secrets.env": env_file(services), "backup.env": env_file(backup)}


def write(overlay: Path, environment: Mapping[str, str]) -> list[Path]:
    written = []
    for name, text in cluster_secrets(environment).items():
        path = overlay / name
        path.touch(mode=0o600, exist_ok=True)
        path.chmod(0o600)
        path.write_text(text)
        written.append(path)
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("overlay", help="production, staging, or an overlay's folder")
    overlay = Path(parser.parse_args().overlay)
    if not overlay.is_dir():
        overlay = OVERLAYS / overlay.name
    if not (overlay / "kustomization.yaml").is_file():
        sys.exit(f"{overlay} is not an overlay of deploy/kubernetes")
    try:
        written = write(overlay, os.environ)
    except MissingSecrets as missing:
        sys.exit(f"set these in the environment first: {missing}")
    print("written:", ", ".join(str(path) for path in written))


if __name__ == "__main__":
    main()
