"""Issue 15 item 6: two real processes under jax.distributed (127.0.0.1, gloo CPU collectives,
4 virtual devices each) draw the same unseeded numbers after seedkit.share_entropy(), and refuse
to draw different ones before it. About 15 s: two jobs of two processes."""

from __future__ import annotations

import json
import pathlib
import socket
import subprocess
import sys

import pytest

WORKER = pathlib.Path(__file__).with_name("_multiprocess_worker.py")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _job() -> list[dict]:
    port = str(_free_port())
    procs = [
        subprocess.Popen(
            [sys.executable, str(WORKER), str(i), port],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for i in range(2)
    ]
    out = []
    for p in procs:
        try:
            stdout, stderr = p.communicate(timeout=180)
        except subprocess.TimeoutExpired:
            for q in procs:
                q.kill()
            pytest.fail("a jax.distributed worker did not finish in 180 s")
        assert p.returncode == 0, stderr[-3000:]
        out.append(json.loads(stdout.strip().splitlines()[-1]))
    return sorted(out, key=lambda r: r["process"])


@pytest.fixture(scope="module")
def jobs() -> list[list[dict]]:
    return [_job(), _job()]


def test_unseeded_draws_refuse_until_entropy_is_shared(jobs):
    for job in jobs:
        for result in job:
            assert result["refused"] == dict.fromkeys(
                ["eager_op", "function", "generator", "global_generator"], "share_entropy"
            )


def test_seeded_draws_agree_without_sharing(jobs):
    first, second = jobs[0]
    assert first["seeded"] == second["seeded"] == jobs[1][0]["seeded"]


def test_after_share_entropy_processes_agree_and_runs_differ(jobs):
    for p0, p1 in jobs:
        assert p0["drawn"] == p1["drawn"]  # the same numbers in both processes of a job
        calls = p0["drawn"]["function"]
        assert calls[0] != calls[2]  # fresh per call
    assert jobs[0][0]["drawn"] != jobs[1][0]["drawn"]  # and fresh per run of the job


def test_fold_in_process_gives_each_process_its_own_seed(jobs):
    p0, p1 = jobs[0]
    assert p0["per_process"] != p1["per_process"]
    assert p0["per_process"] == jobs[1][0]["per_process"]  # a pure function of the seed
