"""The deployment's manifests and compose files, read and rendered once per session, and the
vendored schemas they are validated against (`tests/deploy/schemas/`, see its README)."""

import json
import shutil
import subprocess
import sys
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from deploy.cluster_secrets import BACKUP, required_secrets, write

ROOT = Path(__file__).resolve().parents[2]
KUBERNETES = ROOT / "deploy" / "kubernetes"
SCHEMAS = Path(__file__).resolve().parent / "schemas"
OVERLAYS = sorted(path.name for path in (KUBERNETES / "overlays").iterdir() if path.is_dir())


def schema_name(document: dict[str, Any]) -> str:
    """`apps/v1` Deployment → `deployment-apps-v1.json` (tools/kubernetes_schemas.py)."""
    group, _, version = document["apiVersion"].rpartition("/")
    parts = [document["kind"].lower(), *([group] if group else []), version]
    return "-".join(parts) + ".json"


@cache
def validator_of(name: str) -> jsonschema.Draft7Validator:
    path = SCHEMAS / name
    if not path.is_file():
        raise LookupError(f"no vendored schema {name}: add the kind to tools/kubernetes_schemas.py")
    return jsonschema.Draft7Validator(json.loads(path.read_text()))


def schema_errors(document: dict[str, Any]) -> list[str]:
    """What the document's kind's schema refuses in it, one line each."""
    where = f"{document.get('kind')} {document.get('metadata', {}).get('name')}"
    try:
        validator = validator_of(schema_name(document))
    except (LookupError, KeyError) as error:
        return [f"{where}: {error}"]
    return [
        f"{where}: {'/'.join(map(str, error.absolute_path))}: {error.message}"
        for error in validator.iter_errors(document)
    ]


def renderer() -> list[str]:
    """`kustomize build`, or kubectl's built-in kustomize."""
    if shutil.which("kustomize"):
        return ["kustomize", "build"]
    if shutil.which("kubectl"):
        return ["kubectl", "kustomize"]
    installed = Path(sys.executable).parent / "kubectl"  # where `make kustomize` puts it
    if installed.exists():
        return [str(installed), "kustomize"]
    raise RuntimeError("the manifests need kustomize or kubectl (1.27+): run `make kustomize`")


def fake_secrets() -> dict[str, str]:
    return {name: f"test-{name.lower()}" for name in [*required_secrets(), *BACKUP.values()]}


@pytest.fixture(scope="session")
def rendered(tmp_path_factory) -> dict[str, list[dict[str, Any]]]:
    """Each overlay rendered as `kubectl apply -k` would, with secrets written from a test
    environment (in a copy: the checkout's own env files are never touched)."""
    copy = tmp_path_factory.mktemp("kubernetes") / "kubernetes"
    shutil.copytree(KUBERNETES, copy, ignore=shutil.ignore_patterns("*.env"))
    documents = {}
    for overlay in OVERLAYS:
        write(copy / "overlays" / overlay, fake_secrets())
        built = subprocess.run(
            [*renderer(), str(copy / "overlays" / overlay)],
            capture_output=True,
            text=True,
            check=False,
        )
        assert built.returncode == 0, built.stderr
        documents[overlay] = [doc for doc in yaml.safe_load_all(built.stdout) if doc]
    return documents


def load_all(path: Path) -> list[dict[str, Any]]:
    return [doc for doc in yaml.safe_load_all(path.read_text()) if doc]
