"""The benchmarks' CPU meter tells the server's work from everyone else's."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))

from machine import CpuMeter, _Proc


def test_the_server_is_serve_and_every_descendant_whatever_its_process_group():
    table = {
        1: _Proc(0, 0.0),
        100: _Proc(1, 1.0),  # civicgrid serve
        101: _Proc(100, 1.0),  # granian, started in a process group of its own
        102: _Proc(101, 9.0),  # a web worker
        103: _Proc(100, 0.5),  # the task worker
        200: _Proc(1, 1.0),  # the PostgreSQL postmaster
        201: _Proc(200, 4.0),  # a backend
        300: _Proc(1, 7.0),  # someone else's test suite
        301: _Proc(300, 7.0),
    }
    meter = CpuMeter(100, frozenset({200}))
    assert meter._ours(table) == {100, 101, 102, 103, 200, 201}


def test_a_server_that_is_gone_counts_nothing():
    table = {1: _Proc(0, 0.0), 300: _Proc(1, 7.0)}
    assert CpuMeter(100, frozenset({200}))._ours(table) == set()
