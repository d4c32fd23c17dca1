"""`make profile`'s reading of py-spy's samples, and the processes the benches count."""

import os
import subprocess
import sys

import psutil

from bench.cpu import of_this_checkout
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


def test_a_bench_counts_the_stack_it_started_and_no_other_program():
    mine = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        assert of_this_checkout(psutil.Process(mine.pid), psutil.Process(mine.pid).cmdline())
        shell = psutil.Process(os.getppid())  # whoever started the bench: not the stack
        assert not of_this_checkout(shell, shell.cmdline())
    finally:
        mine.kill()
        mine.wait()
