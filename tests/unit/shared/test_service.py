"""What a process of a service runs, by its settings: the producer every service builds with
the same Kafka client settings, and a consumer only where the process consumes."""

from typing import Any

from services.intake.app import SPEC as INTAKE
from services.intake.settings import IntakeSettings
from shared import service as service_module
from shared.service import Service
from shared.settings import ServiceSettings


def test_producers_wait_for_every_in_sync_replica_and_send_compressed_batches():
    options = ServiceSettings().kafka_producer_options()
    assert options["acks"] == "all"
    assert options["compression_type"] == "gzip"
    assert options["linger_ms"] > 0
    assert options["max_batch_size"] >= 64 * 1024
    real_cluster = ServiceSettings(kafka_enable_idempotence=True, kafka_compression_type="none")
    assert real_cluster.kafka_producer_options()["enable_idempotence"] is True
    assert real_cluster.kafka_producer_options()["compression_type"] is None


def test_every_service_builds_its_broker_with_those_settings(monkeypatch):
    built: dict[str, Any] = {}
    real = service_module.KafkaBroker

    def kafka_broker(*args: Any, **kwargs: Any) -> Any:
        built.update(kwargs)
        return real(*args, **kwargs)

    monkeypatch.setattr(service_module, "KafkaBroker", kafka_broker)
    settings = IntakeSettings(kafka_linger_ms=7, kafka_enable_idempotence=True)
    Service(INTAKE, settings)
    assert built.items() >= settings.kafka_producer_options().items()
    assert built["acks"] == "all" and built["linger_ms"] == 7


def test_a_process_that_only_answers_http_joins_no_consumer_group():
    assert Service(INTAKE, IntakeSettings()).consumer is not None
    webhooks_only = IntakeSettings(intake_delivery_worker=False, consume_events=False)
    assert Service(INTAKE, webhooks_only).consumer is None


def test_a_service_waits_for_a_pooled_connection_only_as_long_as_its_settings_say():
    from shared.db import create_service_engine

    settings = ServiceSettings(database_pool_timeout_seconds=2.5)
    assert create_service_engine("intake", settings).pool.timeout() == 2.5
    assert ServiceSettings().database_pool_timeout_seconds <= 5  # a webhook's sender waits 5 s
