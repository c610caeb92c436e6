"""Cross-process lanes: a PostgreSQL advisory lock, and a file lock beside SQLite."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from syncd.store.db import make_engine
from syncd.store.locks import LockLostError, held
from tests.conftest import end_lock_sessions


@pytest.mark.postgres
def test_advisory_lock_excludes_a_second_holder(postgres_url: str) -> None:
    first, second = make_engine(postgres_url), make_engine(postgres_url)
    try:
        with held(first, "lane:lms", wait_seconds=0) as got_first:
            with held(second, "lane:lms", wait_seconds=0) as got_second:
                assert got_first
                assert not got_second
            with held(second, "lane:other", wait_seconds=0) as other:
                assert other
        with held(second, "lane:lms", wait_seconds=0) as after_release:
            assert after_release
    finally:
        first.dispose()
        second.dispose()


@pytest.mark.postgres
def test_advisory_lock_is_released_when_its_process_dies(postgres_url: str) -> None:
    script = textwrap.dedent(f"""
        import os
        from syncd.store.db import make_engine
        from syncd.store.locks import held
        with held(make_engine({postgres_url!r}), "lane:lms", wait_seconds=0) as ok:
            assert ok
            os._exit(0)  # dies holding the lock, as on SIGKILL
    """)
    subprocess.run([sys.executable, "-c", script], check=True)
    engine = make_engine(postgres_url)
    with held(engine, "lane:lms", wait_seconds=5) as ok:
        assert ok
    engine.dispose()


def test_sqlite_file_lock_excludes_another_process(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'syncd.db'}"
    script = textwrap.dedent(f"""
        from syncd.store.db import make_engine
        from syncd.store.locks import held
        with held(make_engine({url!r}), "lane:lms", wait_seconds=0) as ok:
            print(bool(ok))
    """)
    with held(make_engine(url), "lane:lms", wait_seconds=0) as ok:
        assert ok
        busy = subprocess.run(
            [sys.executable, "-c", script], capture_output=True, text=True, check=True
        )
    free = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    assert busy.stdout.strip() == "False"
    assert free.stdout.strip() == "True"


@pytest.mark.postgres
def test_a_lease_whose_session_ended_says_so_and_lets_go_quietly(postgres_url: str) -> None:
    first, second = make_engine(postgres_url), make_engine(postgres_url)
    try:
        with held(first, "lane:lms", wait_seconds=0) as lease:
            lease.check()  # held: nothing to say
            assert end_lock_sessions(postgres_url) == 1
            with held(second, "lane:lms", wait_seconds=0) as other:
                assert other  # the server let go of it: a second holder can take it
                with pytest.raises(LockLostError, match="lost the lock lane:lms"):
                    lease.check()
                other.check()
    finally:
        first.dispose()
        second.dispose()


@pytest.mark.postgres
def test_a_lease_checks_its_own_key_not_any_advisory_lock(postgres_url: str) -> None:
    engine = make_engine(postgres_url)
    try:
        with (
            held(engine, "lane:a", wait_seconds=0) as a,
            held(engine, "lane:b", wait_seconds=0) as b,
        ):
            a.check()
            b.check()
    finally:
        engine.dispose()


def test_a_file_lease_is_checked_for_free(tmp_path: Path) -> None:
    with held(
        make_engine(f"sqlite:///{tmp_path / 'syncd.db'}"), "lane:lms", wait_seconds=0
    ) as lease:
        lease.check()
