"""The cluster deployment (`deploy/kubernetes/`): every overlay renders, every manifest is
valid against the Kubernetes and operators' schemas (vendored, strict: an unknown field is
an error), and the manifests agree with the code (topics, consumer groups, ports, settings,
secrets). No cluster is needed."""

import copy
from typing import Any

import pytest
import yaml

from deploy.cluster_secrets import MissingSecrets, cluster_secrets, required_secrets
from deploy.settings import StackSettings
from services.resolution.app import create_app
from shared.settings import SERVICE_NAMES
from shared.topics import PARTITIONS, all_topics
from tests.deploy.conftest import KUBERNETES, OVERLAYS, fake_secrets, load_all, schema_errors
from tools import kubernetes
from tools.docs import spec_of


def of_kind(documents: list[dict[str, Any]], kind: str) -> dict[str, dict[str, Any]]:
    return {doc["metadata"]["name"]: doc for doc in documents if doc["kind"] == kind}


def container(deployment: dict[str, Any]) -> dict[str, Any]:
    [only] = deployment["spec"]["template"]["spec"]["containers"]
    return only


def env_of(deployment: dict[str, Any]) -> dict[str, str]:
    return {e["name"]: e.get("value") for e in container(deployment).get("env", [])}


def service_of(deployment: dict[str, Any]) -> str:
    return deployment["spec"]["template"]["metadata"]["labels"]["app.kubernetes.io/name"]


def selects(selector: dict[str, str], deployment: dict[str, Any]) -> bool:
    pod_labels = deployment["spec"]["template"]["metadata"]["labels"]
    return all(pod_labels.get(key) == value for key, value in selector.items())


def test_the_generated_manifests_are_the_codes():
    stale = [
        str(path.relative_to(kubernetes.ROOT))
        for path, text in kubernetes.generated().items()
        if not path.is_file() or path.read_text() != text
    ]
    assert stale == [], f"run `make kubernetes`: {stale} differ from the code"


def test_every_file_of_the_base_is_valid_as_written():
    errors = []
    for path in sorted((KUBERNETES / "base").glob("*.yaml")):
        if path.name == "kustomization.yaml":
            continue
        for document in load_all(path):
            errors += [f"{path.name}: {error}" for error in schema_errors(document)]
    assert errors == []


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_rendered_manifest_is_valid_against_its_schema(rendered, overlay):
    documents = rendered[overlay]
    assert len(documents) > 30
    errors = [error for document in documents for error in schema_errors(document)]
    assert errors == []


def test_a_misspelled_or_mistyped_field_is_refused(rendered):
    documents = rendered["production"]
    deployment = copy.deepcopy(of_kind(documents, "Deployment")["resolution"])
    container(deployment)["readinessProbe"]["httpGet"]["paht"] = "/readyz"
    topic = copy.deepcopy(of_kind(documents, "KafkaTopic")["intake.events"])
    topic["spec"]["replica"] = 3
    database = copy.deepcopy(of_kind(documents, "Cluster")["aftersales-db"])
    database["spec"]["instances"] = "three"
    scaled = copy.deepcopy(of_kind(documents, "ScaledObject")["resolution"])
    del scaled["spec"]["triggers"][0]["metadata"]
    for wrong in (deployment, topic, database, scaled):
        assert schema_errors(wrong), wrong["kind"]
    assert schema_errors({"apiVersion": "example.com/v1", "kind": "Unknown", "metadata": {}})


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_topic_is_a_kafka_topic_replicated_three_times_two_in_sync(rendered, overlay):
    topics = of_kind(rendered[overlay], "KafkaTopic")
    assert set(topics) == set(all_topics())
    assert any(name.endswith(".dlq") for name in topics)
    for topic in topics.values():
        assert topic["metadata"]["labels"]["strimzi.io/cluster"] == kubernetes.KAFKA_CLUSTER
        assert topic["spec"]["partitions"] == PARTITIONS
        assert topic["spec"]["replicas"] == 3
        assert topic["spec"]["config"]["min.insync.replicas"] == 2


def test_a_topic_the_code_adds_is_missing_until_generated(monkeypatch):
    monkeypatch.setattr(kubernetes, "all_topics", lambda: [*all_topics(), "returns.events"])
    generated = kubernetes.generated()[kubernetes.BASE / "kafka-topics.yaml"]
    assert generated != (kubernetes.BASE / "kafka-topics.yaml").read_text()
    assert "name: returns.events" in generated


def test_kafka_runs_in_kraft_with_three_controllers_and_three_brokers(rendered):
    documents = rendered["production"]
    [kafka] = of_kind(documents, "Kafka").values()
    pools = of_kind(documents, "KafkaNodePool")
    roles = {
        name: (pool["spec"]["roles"], pool["spec"]["replicas"]) for name, pool in pools.items()
    }
    assert roles == {"controllers": (["controller"], 3), "brokers": (["broker"], 3)}
    for pool in pools.values():
        assert pool["metadata"]["labels"]["strimzi.io/cluster"] == kafka["metadata"]["name"]
    config = kafka["spec"]["kafka"]["config"]
    assert config["min.insync.replicas"] == 2
    assert config["auto.create.topics.enable"] is False
    bootstrap = of_kind(documents, "ConfigMap")["aftersales-config"]["data"]
    namespace = kafka["metadata"]["namespace"]
    assert bootstrap["KAFKA_BOOTSTRAP_SERVERS"] == (
        f"{kafka['metadata']['name']}-kafka-bootstrap.{namespace}.svc:9092"
    )


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_the_overlay_writes_its_namespace_into_every_address(rendered, overlay):
    assert "NAMESPACE" not in yaml.safe_dump_all(rendered[overlay])


def test_postgresql_is_three_instances_backed_up_every_night(rendered):
    documents = rendered["production"]
    database = of_kind(documents, "Cluster")["aftersales-db"]
    assert database["spec"]["instances"] == 3
    store = database["spec"]["backup"]["barmanObjectStore"]
    assert store["destinationPath"].startswith("s3://")
    secrets = of_kind(documents, "Secret")
    credentials = store["s3Credentials"]
    for reference in (credentials["accessKeyId"], credentials["secretAccessKey"]):
        assert reference["key"] in secrets[reference["name"]]["data"]
    [nightly] = of_kind(documents, "ScheduledBackup").values()
    assert nightly["spec"]["cluster"]["name"] == "aftersales-db"


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_process_has_probes_resources_a_budget_and_one_autoscaler(rendered, overlay):
    documents = rendered[overlay]
    deployments = of_kind(documents, "Deployment")
    services = {service_of(d) for d in deployments.values()}
    assert services == set(SERVICE_NAMES)
    budgets = of_kind(documents, "PodDisruptionBudget").values()
    scalers = [*of_kind(documents, "ScaledObject").values()]
    scalers += of_kind(documents, "HorizontalPodAutoscaler").values()
    for name, deployment in deployments.items():
        main = container(deployment)
        assert main["readinessProbe"]["httpGet"] == {"path": "/readyz", "port": "http"}
        assert main["livenessProbe"]["httpGet"] == {"path": "/healthz", "port": "http"}
        assert [port["name"] for port in main["ports"]] == ["http"]
        resources = main["resources"]
        assert set(resources["requests"]) == set(resources["limits"]) == {"cpu", "memory"}
        assert [b for b in budgets if selects(b["spec"]["selector"]["matchLabels"], deployment)]
        targets = [s for s in scalers if s["spec"]["scaleTargetRef"]["name"] == name]
        assert len(targets) == 1, name


def test_the_routes_the_probes_call_exist():
    app_routes = {getattr(route, "path", None) for route in create_app().routes}
    assert {"/healthz", "/readyz"} <= app_routes


def test_intake_runs_as_webhook_replicas_and_delivery_workers(rendered):
    documents = rendered["production"]
    deployments = of_kind(documents, "Deployment")
    webhooks, workers = deployments["intake-webhooks"], deployments["intake-workers"]
    only_http = {"INTAKE_DELIVERY_WORKER": "false", "CONSUME_EVENTS": "false"}
    assert env_of(webhooks).items() >= only_http.items()
    consuming = {"INTAKE_DELIVERY_WORKER": "true", "CONSUME_EVENTS": "true"}
    assert env_of(workers).items() >= consuming.items()
    intake = of_kind(documents, "Service")["intake"]
    assert selects(intake["spec"]["selector"], webhooks)
    assert not selects(intake["spec"]["selector"], workers)
    [cpu] = of_kind(documents, "HorizontalPodAutoscaler").values()
    assert cpu["spec"]["scaleTargetRef"]["name"] == "intake-webhooks"
    assert cpu["spec"]["metrics"][0]["resource"]["name"] == "cpu"
    assert "intake-webhooks" not in of_kind(documents, "ScaledObject")


def test_each_consumer_is_a_static_member_named_after_its_pod(rendered):
    deployments = of_kind(rendered["production"], "Deployment")
    for name, deployment in deployments.items():
        [container] = deployment["spec"]["template"]["spec"]["containers"]
        named = {entry["name"]: entry.get("valueFrom") for entry in container["env"]}
        if name == "intake-webhooks":
            assert "CONSUMER_INSTANCE_ID" not in named
        else:
            assert named["CONSUMER_INSTANCE_ID"] == {"fieldRef": {"fieldPath": "metadata.name"}}


def test_consumers_scale_on_the_lag_of_their_own_group_and_topics(rendered):
    documents = rendered["production"]
    deployments = of_kind(documents, "Deployment")
    bootstrap = of_kind(documents, "ConfigMap")["aftersales-config"]["data"][
        "KAFKA_BOOTSTRAP_SERVERS"
    ]
    scaled = of_kind(documents, "ScaledObject")
    assert set(scaled) == {"intake-workers", "resolution", "fulfillment", "refurbish", "analytics"}
    for name, scaler in scaled.items():
        service = deployments[name]["spec"]["template"]["metadata"]["labels"][
            "app.kubernetes.io/name"
        ]
        lag = [t for t in scaler["spec"]["triggers"] if t["type"] == "kafka"]
        assert {t["metadata"]["topic"] for t in lag} == set(spec_of(service).consumes)
        assert {t["metadata"]["consumerGroup"] for t in lag} == {service}
        assert {t["metadata"]["bootstrapServers"] for t in lag} == {bootstrap}
        # More consumers than partitions would idle.
        assert scaler["spec"]["maxReplicaCount"] <= PARTITIONS
        serves_http = any(
            selects(s["spec"]["selector"], deployments[name])
            for s in of_kind(documents, "Service").values()
        )
        assert any(t["type"] == "cpu" for t in scaler["spec"]["triggers"]) == serves_http


def test_each_service_is_reached_on_the_port_it_listens_on(rendered):
    documents = rendered["production"]
    settings = StackSettings.model_construct()
    for name, service in of_kind(documents, "Service").items():
        [port] = service["spec"]["ports"]
        assert port["port"] == settings.port_of(name)
        [deployment] = [
            d
            for d in of_kind(documents, "Deployment").values()
            if selects(service["spec"]["selector"], d)
        ]
        assert container(deployment)["args"] == [name, str(settings.port_of(name))]


def test_every_variable_the_manifests_set_is_a_setting(rendered):
    documents = rendered["production"]
    known = {name.upper() for name in StackSettings.model_fields}
    config = of_kind(documents, "ConfigMap")["aftersales-config"]["data"]
    secrets = of_kind(documents, "Secret")
    [services_secret] = [s for name, s in secrets.items() if name.startswith("aftersales-secrets")]
    names = set(config) | set(services_secret["data"])
    for deployment in of_kind(documents, "Deployment").values():
        names |= set(env_of(deployment))
    assert names - known == set()


def test_the_secrets_come_from_the_environment(rendered):
    secrets = of_kind(rendered["production"], "Secret")
    [services_secret] = [s for name, s in secrets.items() if name.startswith("aftersales-secrets")]
    assert set(required_secrets()) <= set(services_secret["data"])
    for deployment in of_kind(rendered["production"], "Deployment").values():
        refs = [
            source.get("secretRef", {}).get("name") for source in container(deployment)["envFrom"]
        ]
        assert services_secret["metadata"]["name"] in refs
    environment = fake_secrets() | {"TRACKING_API_KEY": "key"}
    written = cluster_secrets(environment)["secrets.env"]
    assert "TRACKING_API_KEY=key\n" in written
    assert "INTAKE_PII_KEYS=test-intake_pii_keys\n" in written
    del environment["INTAKE_PII_KEYS"]
    with pytest.raises(MissingSecrets, match="INTAKE_PII_KEYS"):
        cluster_secrets(environment)


def test_the_migration_job_migrates_the_schemas_and_leaves_the_topics_to_strimzi(rendered):
    [job] = of_kind(rendered["production"], "Job").values()
    [main] = job["spec"]["template"]["spec"]["containers"]
    assert main["command"] == ["python", "-m", "deploy.prepare", "--schemas-only"]
    assert (
        main["image"]
        == container(of_kind(rendered["production"], "Deployment")["resolution"])["image"]
    )


def test_ingress_is_denied_unless_a_policy_lets_it(rendered):
    documents = rendered["production"]
    policies = of_kind(documents, "NetworkPolicy")
    deny = policies["default-deny-ingress"]["spec"]
    assert deny["podSelector"] == {} and "ingress" not in deny
    http = policies["aftersales-http"]["spec"]["podSelector"]["matchExpressions"][0]["values"]
    assert set(http) == set(SERVICE_NAMES)
    [kafka] = of_kind(documents, "Kafka").values()
    for listener in kafka["spec"]["kafka"]["listeners"]:
        assert listener["networkPolicyPeers"]


def test_the_overlays_keep_their_own_namespace(rendered):
    for overlay, documents in rendered.items():
        namespaces = {
            doc["metadata"].get("namespace") for doc in documents if doc["kind"] != "Namespace"
        }
        [namespace] = [doc["metadata"]["name"] for doc in documents if doc["kind"] == "Namespace"]
        assert namespaces == {namespace}, overlay
    assert yaml.safe_load(
        (KUBERNETES / "overlays" / "production" / "kustomization.yaml").read_text()
    )
