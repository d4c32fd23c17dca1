"""Where the CPU goes: CPU seconds per part of the stack, read from the process table.

On a shared 2-core machine the wall-clock throughput swings with whatever else
runs; the CPU each part spends per case does not, so the bench reports both. Only this
checkout's processes count: other checkouts' suites and stacks on the same machine run
brokers, databases and services of their own.
"""

import os
from pathlib import Path

import psutil

from bench.bare_service import MODULE as BARE_SERVICE
from deploy.stack import ROLE

SERVICE_MARK = "services."
CHECKOUT = str(Path(__file__).resolve().parent.parent)


def of_this_checkout(process: psutil.Process, arguments: list[str]) -> bool:
    """Started by this process (the stack the bench started), or one of this checkout's own
    programs (its virtualenv's Python, its embedded PostgreSQL)."""
    me = os.getpid()
    if any(parent.pid == me for parent in process.parents()):
        return True
    return CHECKOUT in process.exe() or bool(arguments and CHECKOUT in arguments[0])


def part_of(process: psutil.Process) -> str | None:
    """The stack part a process belongs to, or None for anything else on the machine."""
    try:
        name = process.name()
        arguments = process.cmdline()
        if not of_this_checkout(process, arguments):
            return None
    except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
        return None
    command = " ".join(arguments)
    if name.startswith("postgres") or "postgres:" in command:
        return "postgresql"
    if "tansu" in name or "tansu" in command:
        return "broker"
    if "uvicorn" in command and BARE_SERVICE in command:
        return "bare service"
    if "uvicorn" in command and SERVICE_MARK in command:
        service = command.split(SERVICE_MARK, 1)[1].split(".", 1)[0]
        return " ".join(filter(None, (service, role_of(process))))
    return None


def role_of(process: psutil.Process) -> str:
    try:
        return process.environ().get(ROLE, "")
    except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
        return ""


Snapshot = dict[int, tuple[str, float]]  # pid → (part, CPU seconds so far)


def cpu_seconds() -> Snapshot:
    """CPU seconds (user + system) spent so far by each process of the stack and this one."""
    snapshot: Snapshot = {}
    for process in psutil.process_iter():
        part = "load generator" if process.pid == os.getpid() else part_of(process)
        if part is None:
            continue
        try:
            times = process.cpu_times()
        except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
            continue
        snapshot[process.pid] = (part, times.user + times.system)
    return snapshot


def cpu_ms_per_case(before: Snapshot, after: Snapshot, cases: int) -> dict:
    """Milliseconds of CPU per case for each part, largest first, with the total.
    A process that started in between counts from zero; one that ended is left out."""
    spent: dict[str, float] = {}
    for pid, (part, seconds) in after.items():
        earlier = before.get(pid, (part, 0.0))[1]
        spent[part] = spent.get(part, 0.0) + (seconds - earlier) * 1000 / cases
    ranked = dict(sorted(spent.items(), key=lambda kv: kv[1], reverse=True))
    return {"total": round(sum(ranked.values()), 2)} | {k: round(v, 2) for k, v in ranked.items()}
