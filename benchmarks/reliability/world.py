"""Worlds the probes build: HR files, a config, simulators in-process or on loopback ports.

`write_config` writes a syncd.toml over the example HR export (config/example-hr) with
the default config's groups and rules; `InProcess` runs the real `Runtime` against
simulators on a `FakeClock` (no sleeping, no network); `Fleet` serves simulators on
loopback ports for real `syncd` processes, as `syncd sandbox` does.
"""

from __future__ import annotations

import csv
import io
import logging
import shutil
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any, NoReturn

import httpx
import structlog

from benchmarks.reliability.lms import Lms, base_url, make_lms, target_toml, toml_text
from syncd.clock import FakeClock
from syncd.kinds import load_config
from syncd.runtime import Runtime
from syncd.sandbox import RunningServer, serve
from syncd.store import Database

EXAMPLE_HR = Path(__file__).resolve().parents[2] / "config" / "example-hr"
HR_FILES = ("people.csv", "org_units.csv", "enrollments.csv")
Row = dict[str, str]

# The default config's groups and rules (config/syncd.toml): names differ from the org
# units', as Litmos and Coursepath need.
RULES_TOML = """
[[groups]]
code = "all-staff"
name = "All Staff"

[[groups]]
code = "sales-emea"
name = "EMEA Sales Team"
match = { department = "Sales", country = ["DE", "FR", "IT", "GB"] }

[[groups]]
code = "engineering"
name = "All Engineers"
match = { department = "Engineering" }

[[enrollment_rules]]
course = "SEC-101"
groups = ["all-staff"]
due_in_days = 30

[[enrollment_rules]]
course = "GDPR-201"
groups = ["sales-emea", "org_unit:SUP-EU"]
"""
# Removals the probes cause on purpose must not stop on a safety limit.
LOOSE_SAFETY = {
    "max_deactivate": "100%",
    "max_delete_groups": "100%",
    "max_unenroll": "100%",
    "max_remove_members": "100%",
    "max_hr_shrink": "100%",
}


def migrate(url: str) -> str:
    """Bring the database at `url` to the newest schema (before processes share it)."""
    database = Database(url)
    try:
        database.upgrade()
    finally:
        database.dispose()
    return url


def copy_hr(folder: Path) -> Path:
    """The example HR export copied into `folder/hr`."""
    hr = folder / "hr"
    hr.mkdir(parents=True, exist_ok=True)
    for name in HR_FILES:
        shutil.copy(EXAMPLE_HR / name, hr / name)
    return hr


def read_rows(path: Path) -> list[Row]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def write_rows(path: Path, rows: Sequence[Row], columns: Sequence[str] | None = None) -> None:
    names = list(columns or dict.fromkeys(key for row in rows for key in row))
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=names)
        writer.writeheader()
        writer.writerows(rows)


def write_config(
    folder: Path,
    database_url: str,
    targets: Iterable[str],
    *,
    schedule: Mapping[str, str] | None = None,
    safety: Mapping[str, str] | None = None,
    level: str = "info",
) -> Path:
    """`folder/syncd.toml` over `folder/hr`, exporting to `folder/export`."""
    sections = [
        f"[database]\nurl = {toml_text(database_url)}\n",
        f"[hr]\npath = {toml_text(str(folder / 'hr'))}\n"
        f"export_path = {toml_text(str(folder / 'export'))}\n",
        _table("schedule", schedule or {}),
        _table("safety", safety or {}),
        f'[logging]\nlevel = "{level}"\nformat = "json"\n',
        RULES_TOML,
        *targets,
    ]
    path = folder / "syncd.toml"
    path.write_text("\n".join(s for s in sections if s), encoding="utf-8")
    return path


def _table(name: str, values: Mapping[str, str]) -> str:
    if not values:
        return ""
    return f"[{name}]\n" + "".join(f"{k} = {toml_text(v)}\n" for k, v in values.items())


Wrap = Callable[[Lms, httpx.BaseTransport], httpx.BaseTransport]


class InProcess:
    """The real Runtime against in-process simulators, everything on one FakeClock."""

    def __init__(
        self,
        folder: Path,
        kinds: Sequence[str],
        *,
        database_url: str | None = None,
        safety: Mapping[str, str] | None = None,
        wrap: Wrap | None = None,
        target_extra: Mapping[str, str | int | bool] | None = None,
    ) -> None:
        self.folder = folder
        self.clock = FakeClock()
        copy_hr(folder)
        self.lms = {kind: make_lms(kind, self.sim_time) for kind in kinds}
        self.database_url = database_url or f"sqlite:///{folder / 'syncd.db'}"
        extra = dict(target_extra or {})
        targets = [target_toml(lms, base_url(lms.kind), **extra) for lms in self.lms.values()]
        self.config_path = write_config(folder, self.database_url, targets, safety=safety)
        transports = {
            lms.target: (wrap(lms, lms.sim.transport()) if wrap else lms.sim.transport())
            for lms in self.lms.values()
        }
        self.runtime = Runtime(
            load_config(self.config_path), clock=self.clock, transports=transports
        )
        self.runtime.upgrade()

    def sim_time(self) -> float:
        return self.clock.now().timestamp()

    def close(self) -> None:
        self.runtime.close()


class Fleet:
    """Simulators served on loopback ports (real clock), for real syncd processes."""

    def __init__(
        self,
        kinds: Sequence[str],
        creds: Mapping[str, Mapping[str, str]] | None = None,
        wrap: Callable[[Lms], Any] | None = None,
    ) -> None:
        self.lms = {
            kind: make_lms(kind, time.time, (creds or {}).get(kind), loopback=True)
            for kind in kinds
        }
        self._stack = ExitStack()
        self.servers: dict[str, RunningServer] = {}
        for kind, lms in self.lms.items():
            server = serve(wrap(lms) if wrap else lms.sim)
            self._stack.callback(server.shutdown)
            self.servers[kind] = server

    def targets(self, **extra: str | int | bool) -> list[str]:
        return [
            target_toml(lms, base_url(kind, self.servers[kind].url), **extra)
            for kind, lms in self.lms.items()
        ]

    def close(self) -> None:
        self._stack.close()

    def __enter__(self) -> Fleet:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


@contextmanager
def silenced() -> Iterator[None]:
    """syncd's in-process logs dropped (the probes read outcomes, not narrative); the old
    structlog set-up restored after."""
    saved = structlog.get_config()
    structlog.configure(
        processors=[_drop],
        wrapper_class=structlog.make_filtering_bound_logger(logging.CRITICAL),
        logger_factory=structlog.PrintLoggerFactory(file=io.StringIO()),
        cache_logger_on_first_use=False,
    )
    try:
        yield
    finally:
        structlog.configure(**saved)


def _drop(*_args: object) -> NoReturn:
    raise structlog.DropEvent
