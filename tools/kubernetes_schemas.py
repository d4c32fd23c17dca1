"""`python -m tools.kubernetes_schemas`: write the JSON schemas the deployment's manifests are
validated against (`tests/deploy/schemas/`), from the sources named in that folder's README:
the Kubernetes OpenAPI document (`swagger.json`) and the CustomResourceDefinitions of
Strimzi, CloudNativePG and KEDA. Only the kinds the manifests use are kept.

The schemas are strict, as `kubectl apply --validate=strict` is: every `$ref` inlined, an
object's unknown fields refused (unless the type keeps unknown fields), int-or-string and
quantities as either, descriptions dropped.
"""

import argparse
import json
from pathlib import Path
from typing import Any

import yaml

OUT = Path(__file__).resolve().parent.parent / "tests" / "deploy" / "schemas"

# (group, version, kind) of the Kubernetes kinds the manifests use; "" is the core group.
KUBERNETES_KINDS = (
    ("", "v1", "Namespace"),
    ("", "v1", "ConfigMap"),
    ("", "v1", "Secret"),
    ("", "v1", "Service"),
    ("", "v1", "ServiceAccount"),
    ("apps", "v1", "Deployment"),
    ("batch", "v1", "Job"),
    ("policy", "v1", "PodDisruptionBudget"),
    ("networking.k8s.io", "v1", "NetworkPolicy"),
    ("autoscaling", "v2", "HorizontalPodAutoscaler"),
)
# The operators' kinds: the CRD file of each (as named in the operators' repositories).
CUSTOM_KINDS = {
    "Kafka": "040-Crd-kafka.yaml",
    "KafkaNodePool": "045-Crd-kafkanodepool.yaml",
    "KafkaTopic": "043-Crd-kafkatopic.yaml",
    "Cluster": "postgresql.cnpg.io_clusters.yaml",
    "ScheduledBackup": "postgresql.cnpg.io_scheduledbackups.yaml",
    "ScaledObject": "keda.sh_scaledobjects.yaml",
}
INT_OR_STRING = {"anyOf": [{"type": "integer"}, {"type": "string"}]}
QUANTITY = {"anyOf": [{"type": "number"}, {"type": "string"}]}


def schema_file(group: str, version: str, kind: str) -> str:
    """The file name of a kind's schema: `deployment-apps-v1.json`, `secret-v1.json`."""
    parts = [kind.lower(), *([group] if group else []), version]
    return "-".join(parts) + ".json"


def strict(node: Any) -> Any:
    """A copy of an OpenAPI schema fragment, without descriptions, refusing unknown fields."""
    if isinstance(node, list):
        return [strict(item) for item in node]
    if not isinstance(node, dict):
        return node
    if node.get("x-kubernetes-int-or-string"):
        return INT_OR_STRING
    out = {
        key: strict(value)
        for key, value in node.items()
        if key != "description" and not key.startswith("x-kubernetes-")
    }
    if "properties" in node:
        out["properties"] = {name: strict(value) for name, value in node["properties"].items()}
    keeps_unknown = node.get("x-kubernetes-preserve-unknown-fields")
    if node.get("type") == "object" and "properties" in node and not keeps_unknown:
        out.setdefault("additionalProperties", False)
    return out


def inline(node: Any, definitions: dict[str, Any], seen: tuple[str, ...] = ()) -> Any:
    """`node` with every `#/definitions/...` reference replaced by what it names."""
    if isinstance(node, list):
        return [inline(item, definitions, seen) for item in node]
    if not isinstance(node, dict):
        return node
    if "$ref" in node:
        name = node["$ref"].removeprefix("#/definitions/")
        if name == "io.k8s.apimachinery.pkg.util.intstr.IntOrString":
            return INT_OR_STRING
        if name == "io.k8s.apimachinery.pkg.api.resource.Quantity":
            return QUANTITY
        if name in seen:
            raise ValueError(f"recursive definition {name}")
        return inline(definitions[name], definitions, (*seen, name))
    return {key: inline(value, definitions, seen) for key, value in node.items()}


def kubernetes_schema(swagger: dict[str, Any], group: str, version: str, kind: str) -> dict:
    definitions = swagger["definitions"]
    for definition in definitions.values():
        gvks = definition.get("x-kubernetes-group-version-kind", [])
        if {"group": group, "version": version, "kind": kind} in gvks:
            schema = strict(inline(definition, definitions))
            api_version = f"{group}/{version}" if group else version
            schema["properties"]["apiVersion"] = {"type": "string", "enum": [api_version]}
            schema["properties"]["kind"] = {"type": "string", "enum": [kind]}
            schema["required"] = sorted({*schema.get("required", ()), "apiVersion", "kind"})
            return schema
    raise KeyError(f"{group}/{version} {kind} is not in the OpenAPI document")


def custom_schema(crd: dict[str, Any], object_meta: dict[str, Any]) -> tuple[str, dict]:
    """The schema of a CRD's stored version, with Kubernetes' own ObjectMeta."""
    group, kind = crd["spec"]["group"], crd["spec"]["names"]["kind"]
    version = next(v for v in crd["spec"]["versions"] if v.get("storage"))
    schema = strict(version["schema"]["openAPIV3Schema"])
    schema["properties"]["apiVersion"] = {"type": "string", "enum": [f"{group}/{version['name']}"]}
    schema["properties"]["kind"] = {"type": "string", "enum": [kind]}
    schema["properties"]["metadata"] = object_meta
    schema["required"] = sorted({*schema.get("required", ()), "apiVersion", "kind", "metadata"})
    return schema_file(group, version["name"], kind), schema


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("swagger", type=Path, help="Kubernetes' OpenAPI v2 document")
    parser.add_argument("crds", type=Path, help="a folder holding the operators' CRD files")
    arguments = parser.parse_args()
    swagger = json.loads(arguments.swagger.read_text())
    definitions = swagger["definitions"]
    object_meta = strict(
        inline(definitions["io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"], definitions)
    )
    OUT.mkdir(parents=True, exist_ok=True)
    written = {}
    for group, version, kind in KUBERNETES_KINDS:
        written[schema_file(group, version, kind)] = kubernetes_schema(
            swagger, group, version, kind
        )
    for file in CUSTOM_KINDS.values():
        name, schema = custom_schema(
            yaml.safe_load((arguments.crds / file).read_text()), object_meta
        )
        written[name] = schema
    for name, schema in written.items():
        (OUT / name).write_text(json.dumps(schema, indent=1, sort_keys=True) + "\n")
    print(f"{len(written)} schemas written to {OUT}")


if __name__ == "__main__":
    main()
