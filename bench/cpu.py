"""Where the CPU goes: CPU seconds per part of the stack, read from the process table.

On a shared 2-core machine the wall-clock throughput swings with whatever else
runs; the CPU each part spends per case does not, so the bench reports both. A bench that
started its own stack counts only that stack's processes (its children, and the embedded
PostgreSQL of this checkout), never another stack running beside it on the machine.
"""

import os
from collections.abc import Iterable

import psutil

from deploy.components import RUN_DIR
from deploy.stack import ROLE

SERVICE_MARK = "services."


def part_of(process: psutil.Process) -> str | None:
    """The stack part a process belongs to, or None for anything else on the machine."""
    try:
        name = process.name()
        command = " ".join(process.cmdline())
    except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
        return None
    if name.startswith("postgres") or "postgres:" in command:
        return "postgresql"
    if "tansu" in name or "tansu" in command:
        return "broker"
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


def own_stack() -> list[psutil.Process]:
    """This process, the stack it started, and the embedded PostgreSQL of this checkout
    (which detaches from whoever starts it), with their children."""
    me = psutil.Process()
    roots = [me]
    for process in psutil.process_iter():
        try:
            ours = str(RUN_DIR) in " ".join(process.cmdline())
            if ours and process.name().startswith("postgres"):
                roots.append(process)
        except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
            continue
    found: dict[int, psutil.Process] = {}
    for root in roots:
        try:
            for process in (root, *root.children(recursive=True)):
                found[process.pid] = process
        except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
            continue
    return list(found.values())


def stack_processes(own: bool) -> Iterable[psutil.Process]:
    """The processes of the stack this bench started (`own`), else of any stack running."""
    return own_stack() if own else psutil.process_iter()


def cpu_seconds(own: bool = False) -> Snapshot:
    """CPU seconds (user + system) spent so far by each process of the stack and this one;
    `own`: only of the stack this bench started."""
    snapshot: Snapshot = {}
    for process in stack_processes(own):
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
