"""Where the CPU goes: CPU seconds per part of the stack, read from the process table.

On a shared 2-core machine the wall-clock throughput swings with whatever else
runs; the CPU each part spends per case does not, so the bench reports both.
"""

import os

import psutil

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
        return command.split(SERVICE_MARK, 1)[1].split(".", 1)[0]
    return None


def cpu_seconds() -> dict[str, float]:
    """CPU seconds (user + system) spent so far by each part of the stack and by this process."""
    totals: dict[str, float] = {}
    for process in psutil.process_iter():
        part = "load generator" if process.pid == os.getpid() else part_of(process)
        if part is None:
            continue
        try:
            times = process.cpu_times()
        except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
            continue
        totals[part] = totals.get(part, 0.0) + times.user + times.system
    return totals


def cpu_ms_per_case(before: dict[str, float], after: dict[str, float], cases: int) -> dict:
    """Milliseconds of CPU per case for each part, largest first, with the total."""
    spent = {part: (after[part] - before.get(part, 0.0)) * 1000 / cases for part in after}
    ranked = dict(sorted(spent.items(), key=lambda kv: kv[1], reverse=True))
    return {"total": round(sum(ranked.values()), 2)} | {k: round(v, 2) for k, v in ranked.items()}
