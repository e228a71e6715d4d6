"""scripts/supervise keeps make run's workers running: a command that dies is started again, what
it leaves behind in its process group goes with it, and TERM stops everything."""

import os
import signal
import subprocess
import time
from pathlib import Path

import pytest

from tests.conftest import ROOT

pytestmark = pytest.mark.slow


def _wait_for(check, seconds=20.0):
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if check():
            return True
        time.sleep(0.1)
    return False


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # a zombie is dead for our purposes
    stat = Path(f"/proc/{pid}/stat")
    return stat.exists() and stat.read_text().split()[2] != "Z"


def _starts(log: Path) -> list[tuple[int, int]]:
    """(worker, its child) per start, counting only lines the shell has finished writing."""
    lines = log.read_text().splitlines(keepends=True) if log.exists() else []
    return [tuple(map(int, line.split())) for line in lines if line.endswith("\n")]


def test_a_dead_worker_is_started_again_and_its_orphans_go(tmp_path):
    log = tmp_path / "starts"
    # the "worker" leaves a child behind, notes both in one line, and is killed from outside
    worker = f"sleep 600 & echo $$ $! >> {log}; sleep 600"
    supervisor = subprocess.Popen(
        [str(ROOT / "scripts/supervise"), "test worker", "sh", "-c", worker],
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert _wait_for(lambda: len(_starts(log)) == 1)
        first, left_behind = _starts(log)[0]
        os.kill(first, signal.SIGKILL)  # a crash
        assert _wait_for(lambda: len(_starts(log)) == 2), "not started again"
        assert _wait_for(lambda: not _alive(left_behind)), "the dead worker's child lives on"
        second, _ = _starts(log)[1]
        os.kill(second, signal.SIGTERM)  # a clean exit someone else caused is a death too
        assert _wait_for(lambda: len(_starts(log)) == 3, seconds=30)
        third, newest_child = _starts(log)[2]
    finally:
        supervisor.send_signal(signal.SIGTERM)
        supervisor.wait(timeout=30)
    assert supervisor.returncode == 0
    assert _wait_for(lambda: not _alive(third) and not _alive(newest_child), seconds=10)
    assert "test worker stopped; starting it again" in supervisor.stderr.read()


def test_term_during_the_pause_ends_at_once(tmp_path):
    log = tmp_path / "starts"
    supervisor = subprocess.Popen(
        [str(ROOT / "scripts/supervise"), "quitter", "sh", "-c", f"echo $$ 0 >> {log}; exit 3"],
        stderr=subprocess.DEVNULL,
    )
    assert _wait_for(lambda: len(_starts(log)) >= 3)  # 1 s, then 2 s pauses
    started = time.monotonic()
    supervisor.send_signal(signal.SIGTERM)
    supervisor.wait(timeout=10)
    assert time.monotonic() - started < 3
