"""The tracing/metrics deployment in deploy/observability/ is consistent and loadable.

Docker, the collector, Jaeger and Grafana do not run here, so the configuration is checked
by parsing it: the collector's pipelines, the scrape target, the Grafana provisioning, and
every dashboard query, whose metric names must be ones the services really emit.
"""

import json
import re
from pathlib import Path
from urllib.parse import urlsplit

import jsonschema
import promql_parser
import pytest
import yaml
from grafana_foundation_sdk.cog.plugins import register_default_plugins
from grafana_foundation_sdk.models.dashboard import Dashboard

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
OBS = DEPLOY / "observability"
DASHBOARDS = sorted((OBS / "grafana" / "dashboards").glob("*.json"))
SERVICES = ("intake", "resolution", "fulfillment", "refurbish", "analytics")

# The services' metrics contract: OTel instrument name -> (kind, unit, attributes).
HTTP_ATTRS = ("http_target", "http_method", "http_status_code", "http_scheme", "http_flavor")
OTEL_METRICS: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "cases.opened": ("counter", "", ("channel", "market", "flagged")),
    "intake.rejections": ("counter", "", ("reason", "channel")),
    "resolution.decisions": ("counter", "", ("remedy", "scenario")),
    "events.applied": ("counter", "", ("event_type",)),
    "events.duplicates": ("counter", "", ("event_type",)),
    "events.dead_lettered": ("counter", "", ("topic",)),
    "events.batch_duration": ("histogram", "s", ()),
    "consumer.lag": ("gauge", "", ("topic", "partition")),
    "outbox.backlog": ("gauge", "", ()),
    "outbox.published": ("counter", "", ()),
    "refunds.refused": ("counter", "", ()),
    "deliveries.failed": ("counter", "", ("channel",)),
    "return_actions.failed": ("counter", "", ("channel", "action")),
    "buyer_messages.sent": ("counter", "", ("kind", "way")),
    "buyer_messages.failed": ("counter", "", ("kind", "way")),
    "buyer_messages.bounced": ("counter", "", ("kind", "way")),
    "buyer_messages.not_sent": ("counter", "", ("kind", "way")),
    "buyer_messages.reported": ("counter", "", ("action",)),
    "amazon.removal_orders": ("counter", "", ("state", "market")),
    "amazon.reimbursement_claims": ("counter", "", ("state", "market")),
    "amazon.fba_units_for_agents": ("counter", "", ("market",)),
    "amazon.fba_refunds": ("counter", "", ("outcome", "market")),
    "catalog.imported": ("counter", "", ("channel",)),
    "cases.unknown_skus": ("counter", "", ("channel",)),
    # What waits for an operator (shared/recovery.py), alerted on in alerts.yml.
    "recovery.dead_letters.waiting": ("gauge", "", ("topic", "consumer")),
    "recovery.failed_deliveries.waiting": ("gauge", "", ("channel",)),
    "recovery.failed_calls.waiting": ("gauge", "", ("kind",)),
    # opentelemetry-instrumentation-fastapi, default (old) HTTP semantic conventions.
    "http.server.duration": ("histogram", "ms", HTTP_ATTRS),
}
# Labels every series gets from the resource (resource_to_telemetry_conversion) and scope.
RESOURCE_LABELS = {"service_name", "service_namespace", "job", "instance", "otel_scope_name"}
UNIT_SUFFIXES = {"s": "seconds", "ms": "milliseconds", "By": "bytes"}

# Grafana replaces these before the query reaches Prometheus.
GRAFANA_VARIABLES = {"$__rate_interval": "1m", "$__interval": "15s", "$__range": "1h"}
PROMETHEUS_UID = "aftersales-prometheus"


def prometheus_names(otel_name: str, kind: str, unit: str = "") -> set[str]:
    """The series names the collector's prometheus exporter exposes for one instrument."""
    base = otel_name.replace(".", "_")
    if unit in UNIT_SUFFIXES:
        base = f"{base}_{UNIT_SUFFIXES[unit]}"
    if kind == "counter":
        return {f"{base}_total"}
    if kind == "histogram":
        return {f"{base}_bucket", f"{base}_sum", f"{base}_count"}
    return {base}


def labels_of(series: str) -> set[str]:
    for otel_name, (kind, unit, attrs) in OTEL_METRICS.items():
        if series in prometheus_names(otel_name, kind, unit):
            return set(attrs) | RESOURCE_LABELS | ({"le"} if series.endswith("_bucket") else set())
    raise KeyError(series)


ALLOWED_SERIES = {
    name
    for otel_name, (kind, unit, _) in OTEL_METRICS.items()
    for name in prometheus_names(otel_name, kind, unit)
}


def load_yaml(path: Path):
    with path.open() as f:
        return yaml.safe_load(f)


def load_dashboard(path: Path) -> dict:
    return json.loads(path.read_text())


@pytest.fixture(scope="module")
def collector() -> dict:
    return load_yaml(OBS / "otel-collector.yaml")


@pytest.fixture(scope="module")
def compose() -> dict:
    return load_yaml(OBS / "compose.observability.yaml")


def port_of(endpoint: str) -> int:
    return int(endpoint.rsplit(":", 1)[1])


def component_type(component_id: str) -> str:
    return component_id.split("/", 1)[0]


# --- the mapping itself -----------------------------------------------------------------


def test_mapping_follows_the_exporters_naming_rules():
    assert prometheus_names("events.applied", "counter") == {"events_applied_total"}
    assert prometheus_names("consumer.lag", "gauge") == {"consumer_lag"}
    assert prometheus_names("events.batch_duration", "histogram", "s") == {
        "events_batch_duration_seconds_bucket",
        "events_batch_duration_seconds_sum",
        "events_batch_duration_seconds_count",
    }
    assert "http_server_duration_milliseconds_bucket" in ALLOWED_SERIES
    assert "events_applied" not in ALLOWED_SERIES  # a counter without _total is no series


async def test_the_fastapi_instrumentation_emits_the_http_histogram_the_dashboards_use():
    """The installed instrumentation records http.server.duration in ms by default."""
    from fastapi import FastAPI
    from httpx import ASGITransport, AsyncClient
    from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor
    from opentelemetry.sdk.metrics import MeterProvider
    from opentelemetry.sdk.metrics.export import InMemoryMetricReader

    reader = InMemoryMetricReader()
    app = FastAPI()

    @app.get("/cases/{case_id}")
    async def case(case_id: str) -> dict[str, str]:
        return {"id": case_id}

    provider = MeterProvider(metric_readers=[reader])
    FastAPIInstrumentor.instrument_app(app, meter_provider=provider)
    try:
        transport = ASGITransport(app=app)
        async with AsyncClient(transport=transport, base_url="http://test") as client:
            assert (await client.get("/cases/C-1")).status_code == 200
        metrics = {
            metric.name: metric
            for resource in reader.get_metrics_data().resource_metrics
            for scope in resource.scope_metrics
            for metric in scope.metrics
        }
    finally:
        FastAPIInstrumentor.uninstrument_app(app)
        provider.shutdown()
    duration = metrics["http.server.duration"]
    kind, unit, attrs = OTEL_METRICS["http.server.duration"]
    assert duration.unit == unit
    point = duration.data.data_points[0]
    assert point.attributes["http.target"] == "/cases/{case_id}"  # the route, not the path
    assert {key.replace(".", "_") for key in point.attributes} <= set(attrs) | {
        "http_server_name",
        "net_host_port",
        "http_host",
    }


# --- the collector ----------------------------------------------------------------------

KNOWN_COMPONENTS = {  # component types of otelcol-contrib this configuration may use
    "receivers": {"otlp"},
    "processors": {"batch", "memory_limiter", "tail_sampling"},
    "exporters": {"otlp_grpc", "otlp", "prometheus", "debug"},
    "extensions": {"health_check"},
}


def test_collector_pipelines_use_only_defined_components_and_all_of_them(collector):
    pipelines = collector["service"]["pipelines"]
    assert set(pipelines) == {"traces", "metrics"}
    for section in ("receivers", "processors", "exporters"):
        defined = set(collector[section])
        used = {c for pipeline in pipelines.values() for c in pipeline.get(section, [])}
        assert used <= defined, f"{section} used but not defined: {used - defined}"
        assert defined <= used, f"{section} defined but unused: {defined - used}"
    assert set(collector["service"]["extensions"]) == set(collector["extensions"])
    for section, types in KNOWN_COMPONENTS.items():
        for component_id in collector[section]:
            assert component_type(component_id) in types, component_id
    for pipeline in pipelines.values():
        assert pipeline["processors"][-1] == "batch"
        if "memory_limiter" in pipeline["processors"]:
            assert pipeline["processors"][0] == "memory_limiter"


DURATION = {"type": "string", "pattern": r"^[0-9]+(ms|s|m|h)$"}
POLICY_TYPES = {  # the tail_sampling policies used here, with the keys of each one's settings
    "status_code": {
        "type": "object",
        "properties": {
            "status_codes": {
                "type": "array",
                "minItems": 1,
                "items": {"enum": ["OK", "ERROR", "UNSET"]},
            }
        },
        "required": ["status_codes"],
        "additionalProperties": False,
    },
    "latency": {
        "type": "object",
        "properties": {
            "threshold_ms": {"type": "integer", "minimum": 1},
            "upper_threshold_ms": {"type": "integer", "minimum": 1},
        },
        "required": ["threshold_ms"],
        "additionalProperties": False,
    },
    "probabilistic": {
        "type": "object",
        "properties": {
            "sampling_percentage": {"type": "number", "exclusiveMinimum": 0, "maximum": 100},
            "hash_salt": {"type": "string"},
        },
        "required": ["sampling_percentage"],
        "additionalProperties": False,
    },
}
TAIL_SAMPLING = {  # the processor's settings (collector-contrib's tailsamplingprocessor)
    "type": "object",
    "properties": {
        "decision_wait": DURATION,
        "num_traces": {"type": "integer", "minimum": 1},
        "expected_new_traces_per_sec": {"type": "integer", "minimum": 0},
        "block_on_overflow": {"type": "boolean"},
        "policies": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "properties": {
                    "name": {"type": "string", "minLength": 1},
                    "type": {"enum": sorted(POLICY_TYPES)},
                    **POLICY_TYPES,
                },
                "required": ["name", "type"],
                "additionalProperties": False,
            },
        },
    },
    "required": ["policies"],
    "additionalProperties": False,
}


def tail_sampling_errors(settings: dict) -> list[str]:
    validator = jsonschema.Draft7Validator(TAIL_SAMPLING)
    errors = [error.message for error in validator.iter_errors(settings)]
    for policy in settings.get("policies", []):
        if set(policy) - {"name", "type"} != {policy.get("type")}:
            errors.append(f"policy {policy.get('name')} must hold the settings of its type only")
    return errors


def test_traces_are_tail_sampled_keeping_every_error_every_slow_trace_and_a_share(collector):
    processors = collector["service"]["pipelines"]["traces"]["processors"]
    assert processors == ["memory_limiter", "tail_sampling", "batch"]
    assert "tail_sampling" not in collector["service"]["pipelines"]["metrics"]["processors"]
    settings = collector["processors"]["tail_sampling"]
    assert tail_sampling_errors(settings) == []
    # Policies are alternatives: a trace is kept when any one keeps it.
    by_type = {policy["type"]: policy[policy["type"]] for policy in settings["policies"]}
    assert by_type["status_code"]["status_codes"] == ["ERROR"]
    assert by_type["latency"]["threshold_ms"] <= 5000
    assert 0 < by_type["probabilistic"]["sampling_percentage"] < 100
    # A trace is whole before it is decided: the slowest kept case step fits in the wait.
    assert (
        int(settings["decision_wait"].removesuffix("s")) * 1000 > by_type["latency"]["threshold_ms"]
    )


def test_a_misconfigured_sampling_policy_is_caught():
    wrong = {
        "policies": [
            {"name": "errors", "type": "status_code", "status_code": {"status_codes": ["FAILED"]}},
            {"name": "slow", "type": "latency", "latency": {"threshold": 2000}},
            {"name": "mixed", "type": "latency", "probabilistic": {"sampling_percentage": 5}},
        ],
        "decision_wait": "ten seconds",
    }
    assert len(tail_sampling_errors(wrong)) >= 4


def test_the_collector_is_the_contrib_distribution(compose):
    # tail_sampling is not in the core distribution.
    image = compose["services"]["otel-collector"]["image"]
    assert image.startswith("otel/opentelemetry-collector-contrib:")


def test_collector_receives_otlp_on_the_standard_ports_from_other_containers(collector):
    protocols = collector["receivers"]["otlp"]["protocols"]
    assert protocols["http"]["endpoint"] == "0.0.0.0:4318"
    assert protocols["grpc"]["endpoint"] == "0.0.0.0:4317"
    assert collector["extensions"]["health_check"]["endpoint"].startswith("0.0.0.0:")


def test_traces_go_to_jaeger_and_metrics_to_prometheus(collector):
    pipelines = collector["service"]["pipelines"]
    (traces_exporter,) = pipelines["traces"]["exporters"]
    assert component_type(traces_exporter) == "otlp_grpc"
    jaeger = collector["exporters"][traces_exporter]
    assert jaeger["endpoint"] == "jaeger:4317"
    assert jaeger["tls"]["insecure"] is True
    assert pipelines["metrics"]["exporters"] == ["prometheus"]
    prometheus = collector["exporters"]["prometheus"]
    assert prometheus["resource_to_telemetry_conversion"]["enabled"] is True
    assert "add_metric_suffixes" not in prometheus  # the mapping assumes the default suffixes
    assert "namespace" not in prometheus  # ... and no prefix


def test_prometheus_scrapes_the_collectors_exporter_port(collector):
    config = load_yaml(OBS / "prometheus.yml")
    targets = {
        job["job_name"]: [t for sc in job["static_configs"] for t in sc["targets"]]
        for job in config["scrape_configs"]
    }
    exporter_port = port_of(collector["exporters"]["prometheus"]["endpoint"])
    assert targets["otel-collector"] == [f"otel-collector:{exporter_port}"]
    assert targets["prometheus"] == ["localhost:9090"]


# --- compose ----------------------------------------------------------------------------


def test_compose_snippet_runs_the_backends_and_points_the_services_at_the_collector(
    compose, collector
):
    base = load_yaml(DEPLOY / "compose.yaml")
    services = compose["services"]
    for name in ("otel-collector", "jaeger", "prometheus", "grafana"):
        assert ":" in services[name]["image"], f"{name} image is not pinned"
    assert services["otel-collector"]["image"].startswith("otel/opentelemetry-collector-contrib:")
    http_port = port_of(collector["receivers"]["otlp"]["protocols"]["http"]["endpoint"])
    for name in SERVICES:
        assert name in base["services"]
        endpoint = services[name]["environment"]["OTEL_EXPORTER_OTLP_ENDPOINT"]
        url = urlsplit(endpoint)
        assert (url.scheme, url.hostname, url.port) == ("http", "otel-collector", http_port)
    # Only the five services are overridden; everything else is new.
    assert set(services) & set(base["services"]) == set(SERVICES)


def test_compose_mounts_exist_relative_to_the_base_compose_file(compose):
    mounts = {}
    for name, service in compose["services"].items():
        for volume in service.get("volumes", []):
            source, target = volume.split(":")[:2]
            assert source.startswith("./"), volume
            assert (DEPLOY / source).exists(), f"{name}: {source} (paths resolve from deploy/)"
            mounts[target] = DEPLOY / source
    assert (
        mounts["/etc/otelcol-contrib/config.yaml"] == DEPLOY / "observability/otel-collector.yaml"
    )
    assert mounts["/etc/prometheus/prometheus.yml"] == DEPLOY / "observability/prometheus.yml"
    provider = load_yaml(OBS / "grafana/provisioning/dashboards/dashboards.yaml")["providers"][0]
    assert provider["type"] == "file"
    dashboards_dir = mounts[provider["options"]["path"]]
    assert sorted(dashboards_dir.glob("*.json")) == DASHBOARDS
    assert mounts["/etc/grafana/provisioning"] == OBS / "grafana/provisioning"


def test_datasources_point_at_the_compose_services(compose):
    datasources = load_yaml(OBS / "grafana/provisioning/datasources/datasources.yaml")
    by_type = {ds["type"]: ds for ds in datasources["datasources"]}
    assert by_type["prometheus"]["uid"] == PROMETHEUS_UID
    assert by_type["jaeger"]["uid"] == "aftersales-jaeger"
    ports = {
        name: {int(str(p).split(":")[-1]) for p in s.get("ports", [])}
        for name, s in compose["services"].items()
    }
    for ds in datasources["datasources"]:
        url = urlsplit(ds["url"])
        assert url.port in ports[url.hostname], ds["url"]


# --- dashboards -------------------------------------------------------------------------


def test_the_three_dashboards_exist():
    assert [p.stem for p in DASHBOARDS] == ["lag-and-backlog", "pipeline-health", "service-latency"]
    uids = [load_dashboard(p)["uid"] for p in DASHBOARDS]
    assert len(set(uids)) == len(uids)


def panels_of(dashboard: dict) -> list[dict]:
    panels = []
    for panel in dashboard["panels"]:
        panels.append(panel)
        panels.extend(panel.get("panels", []))  # collapsed rows
    return panels


@pytest.mark.parametrize("path", DASHBOARDS, ids=lambda p: p.stem)
def test_dashboard_is_provisionable(path):
    dashboard = load_dashboard(path)
    assert dashboard["uid"] and len(dashboard["uid"]) <= 40
    assert dashboard["title"]
    assert dashboard["schemaVersion"] >= 36
    assert "id" not in dashboard or dashboard["id"] is None
    panels = panels_of(dashboard)
    assert panels
    ids = [p["id"] for p in panels]
    assert len(set(ids)) == len(ids), "panel ids repeat"
    boxes = []
    for panel in panels:
        grid = panel["gridPos"]
        x, y, w, h = (grid[k] for k in ("x", "y", "w", "h"))
        assert all(isinstance(v, int) for v in (x, y, w, h)), panel["title"]
        assert x >= 0 and x + w <= 24 and w > 0 and h > 0 and y >= 0, panel["title"]
        for other_title, (ox, oy, ow, oh) in boxes:
            overlap = x < ox + ow and ox < x + w and y < oy + oh and oy < y + h
            assert not overlap, f"{panel['title']!r} overlaps {other_title!r}"
        boxes.append((panel["title"], (x, y, w, h)))


@pytest.mark.parametrize("path", DASHBOARDS, ids=lambda p: p.stem)
def test_dashboard_keys_are_ones_grafanas_schema_knows(path):
    """grafana-foundation-sdk reads the JSON into its schema types; a misspelled key is lost."""
    register_default_plugins()
    dashboard = load_dashboard(path)
    round_trip = json.loads(
        json.dumps(Dashboard.from_json(dashboard).to_json(), default=lambda o: o.to_json())
    )
    lost = []

    def compare(ours, theirs, where):
        if isinstance(ours, dict):
            for key, value in ours.items():
                if key not in theirs:
                    lost.append(f"{where}/{key}")
                else:
                    compare(value, theirs[key], f"{where}/{key}")
        elif isinstance(ours, list):
            assert len(ours) == len(theirs), where
            for i, (a, b) in enumerate(zip(ours, theirs, strict=True)):
                compare(a, b, f"{where}[{i}]")

    compare(dashboard, round_trip, "")
    assert not lost, f"keys unknown to the Grafana schema: {lost}"


def datasources_in(node):
    if isinstance(node, dict):
        if isinstance(node.get("datasource"), dict):
            yield node["datasource"]
        for value in node.values():
            yield from datasources_in(value)
    elif isinstance(node, list):
        for value in node:
            yield from datasources_in(value)


@pytest.mark.parametrize("path", DASHBOARDS, ids=lambda p: p.stem)
def test_dashboard_datasources_are_the_provisioned_ones(path):
    provisioned = {
        ds["uid"]: ds["type"]
        for ds in load_yaml(OBS / "grafana/provisioning/datasources/datasources.yaml")[
            "datasources"
        ]
    }
    dashboard = load_dashboard(path)
    refs = list(datasources_in(dashboard))
    assert refs
    for ref in refs:
        assert provisioned.get(ref["uid"]) == ref["type"], ref
    for panel in panels_of(dashboard):
        for target in panel.get("targets", []):
            assert target["datasource"]["uid"] == PROMETHEUS_UID


def interpolate(expr: str, variables: dict[str, str]) -> str:
    for name in sorted(GRAFANA_VARIABLES, key=len, reverse=True):
        expr = expr.replace(name, GRAFANA_VARIABLES[name])
    for name, value in variables.items():
        expr = re.sub(rf"\$\{{{name}\}}|\${name}\b", value, expr)
    assert "$" not in expr, f"an unknown variable in {expr}"
    return expr


def series_and_labels(expr: str) -> tuple[set[str], set[str]]:
    """The metric names and the label names one PromQL expression refers to."""
    ast = promql_parser.parse(expr)
    names: set[str] = set()
    labels: set[str] = set()

    def visit(node):
        if isinstance(node, promql_parser.VectorSelector):
            assert node.name, f"a selector without a metric name in {expr}"
            names.add(node.name)
            labels.update(m.name for m in node.matchers.matchers)
        elif isinstance(node, promql_parser.AggregateExpr) and node.modifier is not None:
            labels.update(node.modifier.labels)
        elif isinstance(node, promql_parser.BinaryExpr) and node.modifier is not None:
            if node.modifier.matching is not None:
                labels.update(node.modifier.matching.labels)
            labels.update(node.modifier.group_labels or [])
        return True

    promql_parser.walk(ast, visit)
    return names, labels


def queries_of(dashboard: dict) -> list[tuple[str, str]]:
    queries = []
    for panel in panels_of(dashboard):
        for target in panel["targets"]:
            queries.append((panel["title"], target["expr"]))
    return queries


@pytest.mark.parametrize("path", DASHBOARDS, ids=lambda p: p.stem)
def test_every_query_parses_and_uses_only_emitted_series_and_labels(path):
    dashboard = load_dashboard(path)
    variables = {v["name"]: ".*" for v in dashboard["templating"]["list"]}
    queries = queries_of(dashboard)
    assert queries
    used = set()
    for title, expr in queries:
        names, labels = series_and_labels(interpolate(expr, variables))
        unknown = names - ALLOWED_SERIES
        assert not unknown, f"{title}: no service emits {unknown}"
        known_labels = set().union(*(labels_of(n) for n in names))
        assert labels <= known_labels, f"{title}: labels {labels - known_labels} do not exist"
        used |= names
        for legend_label in re.findall(r"{{\s*(\w+)\s*}}", _legend(dashboard, title, expr)):
            assert legend_label in known_labels, f"{title}: legend uses {legend_label}"
    assert used


def _legend(dashboard: dict, title: str, expr: str) -> str:
    for panel in panels_of(dashboard):
        for target in panel["targets"]:
            if panel["title"] == title and target["expr"] == expr:
                return target.get("legendFormat", "")
    return ""


@pytest.mark.parametrize("path", DASHBOARDS, ids=lambda p: p.stem)
def test_service_variable_comes_from_an_emitted_series(path):
    dashboard = load_dashboard(path)
    (service,) = [v for v in dashboard["templating"]["list"] if v["name"] == "service"]
    assert service["datasource"]["uid"] == PROMETHEUS_UID
    query = service["query"]["query"] if isinstance(service["query"], dict) else service["query"]
    match = re.fullmatch(r"label_values\((.+),\s*(\w+)\)", query)
    assert match, query
    names, _ = series_and_labels(match.group(1))
    assert names <= ALLOWED_SERIES and names
    assert match.group(2) == "service_name"
    # Queries filter on it, so a selection narrows every per-service panel.
    assert any('service_name=~"$service"' in expr for _, expr in queries_of(dashboard))


def test_dashboards_cover_the_contract():
    """Every metric of the contract is on some dashboard."""
    used = set()
    for path in DASHBOARDS:
        dashboard = load_dashboard(path)
        variables = {v["name"]: ".*" for v in dashboard["templating"]["list"]}
        for _, expr in queries_of(dashboard):
            used |= series_and_labels(interpolate(expr, variables))[0]
    for otel_name, (kind, unit, _) in OTEL_METRICS.items():
        assert prometheus_names(otel_name, kind, unit) & used, f"{otel_name} is on no dashboard"


def test_a_misspelled_metric_is_caught():
    names, _ = series_and_labels('sum(rate(events_aplied_total{service_name=~".*"}[1m]))')
    assert names - ALLOWED_SERIES == {"events_aplied_total"}
    with pytest.raises(ValueError):
        promql_parser.parse("sum(rate(events_applied_total[1m])")
