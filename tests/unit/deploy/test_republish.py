"""`make republish` refuses what it cannot read, saying why."""

from datetime import UTC, datetime, timedelta, timezone

import pytest

from deploy.republish import main, moment


@pytest.mark.parametrize(
    ("arguments", "complaint"),
    [
        (["--service", "billing", "--since", "2026-12-04"], "invalid choice: 'billing'"),
        (["--service", "intake", "--since", "yesterday"], "not an ISO 8601 time"),
        (["--service", "intake"], "the following arguments are required: --since"),
    ],
)
def test_the_republish_command_refuses_what_it_cannot_read(arguments, complaint, capsys):
    with pytest.raises(SystemExit) as exit_:
        main(arguments)
    assert exit_.value.code == 2
    assert complaint in capsys.readouterr().err


def test_a_time_without_an_offset_is_utc():
    assert moment("2026-12-04T10:00") == datetime(2026, 12, 4, 10, tzinfo=UTC)
    paris = timezone(timedelta(hours=1))
    assert moment("2026-12-04T10:00+01:00") == datetime(2026, 12, 4, 10, tzinfo=paris)
