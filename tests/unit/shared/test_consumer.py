"""Consumer lag as the metrics report it: records behind each partition's end, counting a
batch until it is applied."""

from types import SimpleNamespace

from aiokafka import ConsumerRecord, TopicPartition
from opentelemetry.sdk.metrics.export import InMemoryMetricReader

from shared import consumer as consumer_module
from shared.consumer import EventConsumer
from shared.settings import ServiceSettings
from shared.telemetry import setup_telemetry


def record(partition: int, offset: int) -> ConsumerRecord:
    return ConsumerRecord("intake.events", partition, offset, 0, 0, b"k", b"{}", 1, 2, [], None)


def lag_of(reader: InMemoryMetricReader) -> dict[int, int]:
    points = [
        point
        for resource in reader.get_metrics_data().resource_metrics
        for scope in resource.scope_metrics
        for metric in scope.metrics
        if metric.name == "consumer.lag"
        for point in metric.data.data_points
    ]
    return {point.attributes["partition"]: point.value for point in points}


def test_a_batch_counts_as_lag_until_it_is_applied():
    reader = InMemoryMetricReader()
    telemetry = setup_telemetry("resolution", ServiceSettings(), metric_reader=reader)
    consumer = EventConsumer("resolution", {}, None, None, telemetry, ServiceSettings())
    ends = {TopicPartition("intake.events", 0): 120, TopicPartition("intake.events", 1): 7}
    kafka = SimpleNamespace(highwater=ends.get)
    batch = [record(0, 100), record(1, 5), record(0, 101), record(0, 102), record(1, 6)]

    consumer._note_lag(kafka, batch, applied=False)
    assert lag_of(reader) == {0: 20, 1: 2}  # from each partition's first record of the batch
    consumer._note_lag(kafka, batch, applied=True)
    assert lag_of(reader) == {0: 17, 1: 0}  # after each partition's last
    consumer._note_lag(SimpleNamespace(), batch, applied=True)  # a test broker: no ends known
    assert lag_of(reader) == {0: 17, 1: 0}


async def test_a_drill_slows_each_event_by_its_setting_and_a_real_consumer_not_at_all(
    monkeypatch,
):
    waited: list[float] = []

    async def sleep(seconds: float) -> None:
        waited.append(seconds)

    telemetry = setup_telemetry("resolution", ServiceSettings(), metric_reader=None)
    deliveries = [SimpleNamespace(envelope=SimpleNamespace(type="unhandled"))] * 4
    for delay_ms in (50, 0):
        settings = ServiceSettings(consumer_handler_delay_ms=delay_ms)
        consumer = EventConsumer("resolution", {}, None, None, telemetry, settings)
        # Patched only while the batch is applied: other tasks of the session's event loop
        # (a stack's workers) sleep too.
        with monkeypatch.context() as patched:
            patched.setattr(consumer_module.asyncio, "sleep", sleep)
            await consumer._apply(None, deliveries)
    assert waited == [0.2]  # 4 events of 50 ms; none by default


def test_a_consumer_takes_records_as_they_come_with_the_settings_kafka_clients_share():
    subscribed: dict = {}

    def subscriber(*topics: str, **options):
        subscribed.update(options, topics=topics)
        return lambda handler: handler

    telemetry = setup_telemetry("resolution", ServiceSettings(), metric_reader=None)
    settings = ServiceSettings(kafka_fetch_max_wait_ms=15, kafka_poll_ms=7, consumer_batch_size=9)
    broker = SimpleNamespace(subscriber=subscriber)
    EventConsumer("resolution", {}, None, broker, telemetry, settings).subscribe(("a", "b"))

    assert subscribed.items() >= settings.kafka_consumer_options().items()
    assert subscribed["topics"] == ("a", "b") and subscribed["group_id"] == "resolution"
    assert subscribed["fetch_max_wait_ms"] == 15 and subscribed["batch_timeout_ms"] == 7
    assert subscribed["max_records"] == 9


def test_no_hop_between_services_waits_long_for_an_idle_fetch_or_poll_by_default():
    # The embedded broker holds a fetch its whole wait, and FastStream pauses a poll's
    # length after an empty one: both add to every hop of a case.
    options = ServiceSettings().kafka_consumer_options()
    assert options["fetch_max_wait_ms"] <= 50 and options["batch_timeout_ms"] <= 25
