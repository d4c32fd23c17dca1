"""`make profile`'s reading of py-spy's samples, and the processes the benches count."""

import subprocess
import sys

import psutil

from bench.cpu import own_stack
from bench.profile import hottest

STACKS = "\n".join(
    [
        "main (app.py:1);apply (shared/consumer.py:200);on_case_opened "
        "(services/resolution/handlers/events.py:60);execute (sqlalchemy/orm/session.py:9) 6",
        "main (app.py:1);apply (shared/consumer.py:210) 3",
        "main (app.py:1);run (uvloop/loop.py:1) 1",
    ]
)


def test_samples_go_to_the_project_function_nearest_the_top_of_their_stack(tmp_path):
    stacks = tmp_path / "stacks.txt"
    stacks.write_text(STACKS + "\n")
    assert hottest(stacks) == [
        ("on_case_opened (services/resolution/handlers/events.py)", 60.0),
        ("apply (shared/consumer.py)", 30.0),
        ("outside the project's code", 10.0),
    ]


def test_a_bench_counts_the_processes_it_started_and_no_other():
    mine = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        counted = {process.pid for process in own_stack()}
        assert psutil.Process().pid in counted
        assert mine.pid in counted
        assert psutil.Process().parent().pid not in counted  # whoever started the bench
    finally:
        mine.kill()
        mine.wait()
