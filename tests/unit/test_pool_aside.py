"""``pool.aside``: a function run in a forked process beside the caller (counts and values, not timings)."""
from __future__ import annotations

import os
import signal

import pytest

from dossier import pool


def test_the_value_comes_back_from_a_forked_process():
    here = os.getpid()
    got = pool.aside(lambda: (os.getpid(), {"a": [1, 2]}))
    pid, value = got.result()
    assert value == {"a": [1, 2]}
    assert pid != here  # it really ran in another process


def test_without_fork_it_runs_here_when_asked_for():
    calls = []
    got = pool.aside(lambda: calls.append(os.getpid()) or 7, fork=False)
    assert calls == []
    assert got.result() == 7 and calls == [os.getpid()]


def test_its_exception_is_raised_in_the_caller():
    def fails():
        raise ValueError("no index")

    with pytest.raises(ValueError, match="no index"):
        pool.aside(fails).result()


def test_a_child_killed_before_its_result_is_made_up_for_here():
    here = os.getpid()

    def dies_there():
        if os.getpid() != here:
            os.kill(os.getpid(), signal.SIGKILL)
        return "made here"

    assert pool.aside(dies_there).result() == "made here"


def test_a_result_that_does_not_pickle_is_made_here():
    here = os.getpid()
    got = pool.aside(lambda: (lambda: None) if os.getpid() != here else "made here")
    assert got.result() == "made here"


def test_cancel_stops_the_child_and_waits_for_it():
    r, w = os.pipe()

    def waits():
        os.close(r)
        os.write(w, b"started")
        os.read(os.pipe()[0], 1)  # blocks: this process holds the pipe's only write end

    got = pool.aside(waits)
    os.close(w)
    assert os.read(r, 7) == b"started"
    child = got._child
    got.cancel()
    assert child.exitcode == -signal.SIGTERM
    os.close(r)
