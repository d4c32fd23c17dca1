"""What a production start-up refuses: a secret the service needs that is not set, or one
that is plainly not secret (a demo or test value, or too short to resist guessing).

Each settings class names the secrets it cannot run without (`required_secrets`); every
secret set, required or not, is checked for demo values. Outside production (`make run`,
the tests) nothing is refused: the local stack makes its own secrets.
"""

from typing import Any

from pydantic import SecretStr

from shared.settings import ServiceSettings

SHORTEST = 16  # characters: what a token or key must have at least
DEMO_WORDS = ("demo", "test", "example", "changeme", "secret", "password")


class NotFitForProduction(RuntimeError):
    pass


def secrets_of(value: Any) -> list[str]:
    """The secret strings a setting holds: one SecretStr, or a dict of them (per person)."""
    if isinstance(value, SecretStr):
        return [value.get_secret_value()]
    if isinstance(value, dict):
        return [v.get_secret_value() for v in value.values() if isinstance(v, SecretStr)]
    return []


def why_not_secret(secret: str) -> str | None:
    if len(secret) < SHORTEST:
        return f"shorter than {SHORTEST} characters"
    if word := next((w for w in DEMO_WORDS if w in secret.lower()), None):
        return f'a demo value (it says "{word}")'
    return None


def problems_in(settings: ServiceSettings) -> list[str]:
    found = []
    if not settings.auth_issuer:
        found.append("AUTH_ISSUER is not set (the development issuer is not for production)")
    for name in sorted(type(settings).model_fields):
        value = getattr(settings, name)
        if name in settings.required_secrets and not secrets_of(value):
            found.append(f"{name.upper()} is not set")
        for secret in secrets_of(value):
            if why := why_not_secret(secret):
                found.append(f"{name.upper()} is {why}")
                break
    return found


def refuse_unfit_secrets(service: str, settings: ServiceSettings) -> None:
    """Raises, naming every problem, when a production start-up finds one."""
    if settings.environment != "production":
        return
    if found := problems_in(settings):
        raise NotFitForProduction(f"{service} will not start in production: " + "; ".join(found))
