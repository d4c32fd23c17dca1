"""Where a relay's batch landed, as the marks record it."""

from aiokafka.structs import RecordMetadata, TopicPartition

from shared.outbox import landings


def landed(partition: int, offset: int) -> RecordMetadata:
    where = TopicPartition("intake.events", partition)
    return RecordMetadata("intake.events", partition, where, offset, -1, -1, 0)


def test_a_batch_is_marked_by_its_first_offset_in_each_partition():
    records = [landed(2, 7), landed(0, 3), landed(2, 8), landed(2, 9), landed(0, 4)]
    assert landings(records) == {("intake.events", 2): 7, ("intake.events", 0): 3}
