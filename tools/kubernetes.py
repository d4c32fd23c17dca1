"""The parts of the cluster deployment (`deploy/kubernetes/base/`) the code knows better,
written from the code (`make kubernetes`):

- `processes.yaml`: every process of the five services as a Deployment (intake as two: its
  webhook replicas, which only answer HTTP, and its delivery workers, which consume), the
  ClusterIP Service in front of each HTTP process, a PodDisruptionBudget each, and their
  autoscaling: a KEDA ScaledObject on the consumer group's lag (one Kafka trigger per topic
  the service's ServiceSpec consumes, its group being the service's name) plus CPU for a
  process that also serves HTTP, a HorizontalPodAutoscaler on CPU for one that only does.
- `kafka-topics.yaml`: a Strimzi KafkaTopic for every topic of `shared/topics.py`
  (dead-letter topics included), replicated 3 times, 2 in sync.

The rest of `deploy/kubernetes/` is written by hand. `tests/deploy/test_kubernetes.py` fails
when a generated file differs from the code.

    python -m tools.kubernetes           rewrite the files that differ
    python -m tools.kubernetes --check   only say which differ (exit status 1)
"""

import argparse
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from shared.settings import SERVICE_NAMES, ServiceSettings
from shared.topics import PARTITIONS, all_topics
from tools.docs import spec_of

ROOT = Path(__file__).resolve().parent.parent
BASE = ROOT / "deploy" / "kubernetes" / "base"
PART_OF = "aftersales"
KAFKA_CLUSTER = "aftersales"  # the Strimzi Kafka resource (base/kafka.yaml)
# In full: KEDA reads the lag from its own namespace. Each overlay writes its namespace in.
BOOTSTRAP = f"{KAFKA_CLUSTER}-kafka-bootstrap.NAMESPACE.svc:9092"
DATABASE_SECRET = "aftersales-db-app"  # CloudNativePG's secret of the application user
REPLICAS = 3
MIN_IN_SYNC = 2
RETENTION_MS = {"events": 7 * 24 * 3600 * 1000, "dlq": 30 * 24 * 3600 * 1000}
# Records behind per replica before KEDA adds one; CPU share of the request before the HPA does.
LAG_PER_REPLICA = 200
CPU_UTILIZATION = 70
HEADER = (
    "# Written by `make kubernetes` (tools/kubernetes.py) from the code: do not edit by hand.\n"
)


@dataclass(frozen=True)
class Process:
    """One kind of process of a service: what it runs, whether it is behind a Service,
    what it consumes and how many replicas it may have."""

    name: str
    service: str
    component: str
    http: bool  # behind the service's ClusterIP Service (the load balancer's traffic)
    consumes: tuple[str, ...]  # its consumer group's topics; empty: it consumes nothing
    env: dict[str, str] = field(default_factory=dict)
    min_replicas: int = 2
    max_replicas: int = PARTITIONS
    cpu: tuple[str, str] = ("250m", "1")  # request, limit
    memory: tuple[str, str] = ("384Mi", "768Mi")


def processes() -> list[Process]:
    """Intake as webhook replicas and delivery workers; every other service as one kind of
    process that serves HTTP and consumes (its consumers can be at most one per partition)."""
    found = []
    for service in SERVICE_NAMES:
        consumes = spec_of(service).consumes
        if service == "intake":
            only_http = {"INTAKE_DELIVERY_WORKER": "false", "CONSUME_EVENTS": "false"}
            found.append(
                Process(
                    "intake-webhooks",
                    service,
                    "webhooks",
                    True,
                    (),
                    only_http,
                    2,
                    10,
                    memory=("256Mi", "512Mi"),
                )  # fmt: skip
            )
            workers = {"INTAKE_DELIVERY_WORKER": "true", "CONSUME_EVENTS": "true"}
            found.append(Process("intake-workers", service, "workers", False, consumes, workers, 1))
        else:
            found.append(Process(service, service, "service", True, consumes))
    return found


def labels(process: Process) -> dict[str, str]:
    return {
        "app.kubernetes.io/name": process.service,
        "app.kubernetes.io/component": process.component,
    }


def probe(path: str, period: int, failures: int) -> dict[str, Any]:
    return {
        "httpGet": {"path": path, "port": "http"},
        "periodSeconds": period,
        "timeoutSeconds": 3,
        "failureThreshold": failures,
    }


def static_membership(process: Process) -> list[dict[str, Any]]:
    """A consumer's `group.instance.id` is its pod's name: a container restarted after a
    crash (`kill -9`) keeps its pod, so it takes its partitions back at once instead of
    waiting for its dead self's session to expire."""
    if not process.consumes:
        return []
    return [
        {
            "name": "CONSUMER_INSTANCE_ID",
            "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}},
        }
    ]


def deployment(process: Process, port: int) -> dict[str, Any]:
    container = {
        "name": process.service,
        "image": "aftersales",
        "args": [process.service, str(port)],
        "ports": [{"name": "http", "containerPort": port}],
        "envFrom": [
            {"configMapRef": {"name": "aftersales-config"}},
            {"secretRef": {"name": "aftersales-secrets"}},
        ],
        "env": [
            {
                "name": "DATABASE_URL",
                "valueFrom": {"secretKeyRef": {"name": DATABASE_SECRET, "key": "uri"}},
            },
            *({"name": name, "value": value} for name, value in process.env.items()),
            *static_membership(process),
        ],
        "resources": {
            "requests": {"cpu": process.cpu[0], "memory": process.memory[0]},
            "limits": {"cpu": process.cpu[1], "memory": process.memory[1]},
        },
        # Alive once it answers at all; started within a minute; ready when what it needs
        # answers (`/readyz`: the database, and the broker for a process that consumes).
        "startupProbe": probe("/healthz", 2, 30),
        "livenessProbe": probe("/healthz", 10, 3),
        "readinessProbe": probe("/readyz", 5, 2),
        "securityContext": {
            "allowPrivilegeEscalation": False,
            "readOnlyRootFilesystem": True,
            "capabilities": {"drop": ["ALL"]},
        },
        "volumeMounts": [{"name": "tmp", "mountPath": "/tmp"}],
    }
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": process.name, "labels": labels(process)},
        "spec": {
            # No `replicas`: the autoscaler owns the count (an apply would reset it).
            "revisionHistoryLimit": 5,
            "selector": {"matchLabels": labels(process)},
            "strategy": {"rollingUpdate": {"maxSurge": 1, "maxUnavailable": 0}},
            "template": {
                "metadata": {"labels": labels(process)},
                "spec": {
                    "terminationGracePeriodSeconds": 30,
                    "automountServiceAccountToken": False,
                    "securityContext": {
                        "runAsNonRoot": True,
                        "runAsUser": 10001,
                        "runAsGroup": 10001,
                        "seccompProfile": {"type": "RuntimeDefault"},
                    },
                    "topologySpreadConstraints": [
                        {
                            "maxSkew": 1,
                            "topologyKey": "topology.kubernetes.io/zone",
                            "whenUnsatisfiable": "ScheduleAnyway",
                            "labelSelector": {"matchLabels": labels(process)},
                        }
                    ],
                    "containers": [container],
                    "volumes": [{"name": "tmp", "emptyDir": {"sizeLimit": "256Mi"}}],
                },
            },
        },
    }


def service(process: Process, port: int) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": process.service, "labels": labels(process)},
        "spec": {
            "selector": labels(process),
            "ports": [{"name": "http", "port": port, "targetPort": "http"}],
        },
    }


def disruption_budget(process: Process) -> dict[str, Any]:
    return {
        "apiVersion": "policy/v1",
        "kind": "PodDisruptionBudget",
        "metadata": {"name": process.name, "labels": labels(process)},
        "spec": {"maxUnavailable": 1, "selector": {"matchLabels": labels(process)}},
    }


def cpu_metric() -> dict[str, Any]:
    return {
        "type": "Resource",
        "resource": {
            "name": "cpu",
            "target": {"type": "Utilization", "averageUtilization": CPU_UTILIZATION},
        },
    }


def autoscaler(process: Process) -> dict[str, Any]:
    """KEDA on the lag of the service's consumer group (and CPU when it serves HTTP too);
    the HPA on CPU for a process that only serves HTTP."""
    target = {"apiVersion": "apps/v1", "kind": "Deployment", "name": process.name}
    if not process.consumes:
        return {
            "apiVersion": "autoscaling/v2",
            "kind": "HorizontalPodAutoscaler",
            "metadata": {"name": process.name, "labels": labels(process)},
            "spec": {
                "scaleTargetRef": target,
                "minReplicas": process.min_replicas,
                "maxReplicas": process.max_replicas,
                "metrics": [cpu_metric()],
            },
        }
    triggers: list[dict[str, Any]] = [
        {
            "type": "kafka",
            "name": f"lag-{topic.replace('.', '-')}",
            "metadata": {
                "bootstrapServers": BOOTSTRAP,
                "consumerGroup": process.service,
                "topic": topic,
                "lagThreshold": str(LAG_PER_REPLICA),
                "offsetResetPolicy": "earliest",
                "allowIdleConsumers": "false",
            },
        }
        for topic in process.consumes
    ]
    if process.http:
        triggers.append(
            {
                "type": "cpu",
                "metricType": "Utilization",
                "metadata": {"value": str(CPU_UTILIZATION)},
            }
        )
    return {
        "apiVersion": "keda.sh/v1alpha1",
        "kind": "ScaledObject",
        "metadata": {"name": process.name, "labels": labels(process)},
        "spec": {
            "scaleTargetRef": {"name": process.name},
            "minReplicaCount": process.min_replicas,
            "maxReplicaCount": process.max_replicas,
            "pollingInterval": 15,
            "cooldownPeriod": 300,
            "triggers": triggers,
        },
    }


def process_documents() -> list[dict[str, Any]]:
    settings = ServiceSettings.model_construct()
    documents = []
    for process in processes():
        port = ServiceSettings.model_fields[f"{process.service}_port"].default
        assert port == settings.port_of(process.service)
        documents.append(deployment(process, port))
        if process.http:
            documents.append(service(process, port))
        documents.append(disruption_budget(process))
        documents.append(autoscaler(process))
    return documents


def topic_documents() -> list[dict[str, Any]]:
    return [
        {
            "apiVersion": "kafka.strimzi.io/v1",
            "kind": "KafkaTopic",
            "metadata": {"name": topic, "labels": {"strimzi.io/cluster": KAFKA_CLUSTER}},
            "spec": {
                "partitions": PARTITIONS,
                "replicas": REPLICAS,
                "config": {
                    "min.insync.replicas": MIN_IN_SYNC,
                    "retention.ms": RETENTION_MS[topic.rsplit(".", 1)[1]],
                    "cleanup.policy": "delete",
                    "compression.type": "producer",
                },
            },
        }
        for topic in all_topics()
    ]


def render(documents: list[dict[str, Any]]) -> str:
    return HEADER + "".join(
        "---\n" + yaml.safe_dump(document, sort_keys=False, width=100) for document in documents
    )


def generated() -> dict[Path, str]:
    return {
        BASE / "processes.yaml": render(process_documents()),
        BASE / "kafka-topics.yaml": render(topic_documents()),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only say which files differ")
    check = parser.parse_args().check
    stale = [
        path for path, text in generated().items() if not path.is_file() or path.read_text() != text
    ]
    for path in stale:
        print(f"{path.relative_to(ROOT)} differs from the code")
        if not check:
            path.write_text(generated()[path])
    if check and stale:
        sys.exit(1)


if __name__ == "__main__":
    main()
