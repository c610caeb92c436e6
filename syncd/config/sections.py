"""The sections of the config file as frozen models, and the checks that span sections.

`Config` is the whole file, its `targets` typed as `TargetBase`; `syncd.config.loading`
validates a file with a subclass of it whose `targets` take the models of the kinds
given (`config_model`). Group codes and target names are unique; an enrollment rule
names `[[groups]]` codes or `org_unit:<CODE>`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path
from typing import Annotated, Literal, Self
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, field_validator, model_validator

from syncd.config.targets import TargetBase
from syncd.config.values import (
    ORG_UNIT_PREFIX,
    Code,
    Count,
    Duration,
    Lead,
    Limit,
    LimitValue,
    NonEmpty,
    Secret,
    StrictModel,
    at_most,
)
from syncd.errors import ConfigError


class DatabaseConfig(StrictModel):
    url: str = "sqlite:///var/syncd.db"

    @field_validator("url")
    @classmethod
    def _known_database(cls, url: str) -> str:
        if not url.startswith(("sqlite", "postgresql")):
            raise ValueError("must start with sqlite or postgresql, e.g. sqlite:///var/syncd.db")
        return url


class HrQueries(StrictModel):
    """`[hr.queries]` of the SQL source: one SELECT per table, returning the columns of the
    CSV file of the same name (docs/hr-files.md). `people` is required."""

    people: NonEmpty
    org_units: NonEmpty | None = None
    enrollments: NonEmpty | None = None


class SqlSink(StrictModel):
    """`[hr.sink]`: training records upserted into a table of the HR database, keyed by
    (employee_id, target, course_code); the table is created if missing."""

    url: Secret  # any SQLAlchemy URL; its password is a secret
    table: Annotated[str, Field(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")] = "syncd_training_records"


class HrConfig(StrictModel):
    """`[hr]`: where HR's data comes from (`source`) and where training records go."""

    source: Literal["csv", "sql"] = "csv"
    path: Path | None = None  # csv: the folder of the CSV files
    # sql: any SQLAlchemy URL, a secret (`repr=False` must sit on the field: pydantic
    # ignores it on the `Secret` alias once that is part of a union)
    url: NonEmpty | None = Field(default=None, repr=False)
    queries: HrQueries | None = None  # sql
    export_path: Path = Path("var/export")  # completions.csv is written here
    sink: SqlSink | None = None
    # The IANA time zone of people's start and end dates where a row names none.
    default_timezone: NonEmpty = "UTC"
    # How long before their start date people are created in the LMSs ("14d"; 0: that day).
    create_before_start: Lead = timedelta(0)

    @field_validator("default_timezone")
    @classmethod
    def _known_zone(cls, name: str) -> str:
        try:
            ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(
                f"unknown time zone {name!r}; use an IANA name like Europe/Berlin"
            ) from None
        return name

    @model_validator(mode="after")
    def _source_keys(self) -> Self:
        needed = ("path",) if self.source == "csv" else ("url", "queries")
        missing = [key for key in needed if getattr(self, key) is None]
        if missing:
            keys = " and ".join(f"hr.{key}" for key in missing)
            raise ValueError(f'{keys}: required with source = "{self.source}"')
        return self

    def secret_values(self) -> tuple[str, ...]:
        urls = (self.url, self.sink.url if self.sink else None)
        return tuple(p for p in (urlsplit(u).password for u in urls if u) if p)


_DAY, _WEEK = timedelta(days=1), timedelta(days=7)


class ScheduleConfig(StrictModel):
    """Every duration is bounded (`at most 7d`...): a longer one is a typo, and would
    overflow the scheduler's date arithmetic."""

    reconcile_every: Annotated[timedelta, at_most(_WEEK)] = timedelta(minutes=15)
    jobs_poll_every: Annotated[timedelta, at_most(_DAY)] = timedelta(seconds=30)
    # Read back asks an LMS that lists results by date for those since its last read less
    # this margin (clock skew, results stamped while the last read ran).
    readback_overlap: Annotated[timedelta, at_most(_WEEK)] = timedelta(minutes=10)
    # And reads every result again this often (as does `run --full-readback`).
    readback_full_every: Duration = timedelta(days=1)


class SafetyConfig(StrictModel):
    max_deactivate: LimitValue = Limit(10, percent=True)
    # Leavers removed (deactivated or deleted) in any 7 days, this run's plan included: a
    # run of small HR shrinks, each within max_deactivate, cannot empty a target unnoticed.
    max_deactivate_per_week: LimitValue = Limit(20, percent=True)
    max_delete_groups: LimitValue = Limit(10, percent=True)
    max_unenroll: LimitValue = Limit(10, percent=True)
    max_remove_members: LimitValue = Limit(10, percent=True)
    max_hr_shrink: LimitValue = Limit(20, percent=True)
    # How old a saved plan (`syncd plan --out`) may be when `syncd apply` takes it ("24h",
    # "2d"): an older one is refused whatever its fingerprints say.
    plan_max_age: Duration = timedelta(hours=24)


class MetricsConfig(StrictModel):
    """`[metrics]`: the daemon's /metrics, /healthz and /readyz (docs/metrics.md), served
    only when `port` is set (or `syncd run --metrics-port`). `healthy_within` is how long
    a target may go without a successful cycle before /healthz fails (by default twice
    `schedule.reconcile_every`)."""

    port: Count | None = Field(default=None, ge=0, le=65535)  # 0: any free port
    host: NonEmpty = "0.0.0.0"  # noqa: S104 - every interface: a container publishes the port
    healthy_within: Duration | None = None


class LoggingConfig(StrictModel):
    level: Literal["debug", "info", "warning", "error"] = "info"
    format: Literal["auto", "json", "console"] = "auto"


class GroupRule(StrictModel):
    """A `[[groups]]` rule: everyone whose attributes match becomes a member (empty: everyone)."""

    code: Code
    name: NonEmpty
    match: dict[NonEmpty, str | list[str]] = Field(default_factory=dict)

    @field_validator("match", mode="before")
    @classmethod
    def _match_values(cls, value: object) -> object:
        for key, wanted in value.items() if isinstance(value, dict) else ():
            texts = isinstance(wanted, list) and all(isinstance(item, str) for item in wanted)
            if not (isinstance(wanted, str) or texts):
                raise ValueError(f"{key}: expected a string or a list of strings")
            if wanted == []:
                raise ValueError(f"{key}: an empty list matches no one")
        return value


MAX_DUE_IN_DAYS = 3660  # ten years: a due date stays a date


class EnrollmentRule(StrictModel):
    """Everyone in any of `groups` (`[[groups]]` codes or org_unit:<CODE>) takes `course`."""

    course: NonEmpty
    groups: list[NonEmpty] = Field(min_length=1)
    due_in_days: Count | None = Field(default=None, ge=0, le=MAX_DUE_IN_DAYS)


class Config(StrictModel):
    database: DatabaseConfig = Field(default_factory=DatabaseConfig)
    hr: HrConfig
    schedule: ScheduleConfig = Field(default_factory=ScheduleConfig)
    safety: SafetyConfig = Field(default_factory=SafetyConfig)
    logging: LoggingConfig = Field(default_factory=LoggingConfig)
    metrics: MetricsConfig = Field(default_factory=MetricsConfig)
    groups: list[GroupRule] = Field(default_factory=list)
    enrollment_rules: list[EnrollmentRule] = Field(default_factory=list)
    targets: list[TargetBase] = Field(default_factory=list)
    source_path: Path = Field(default=Path("<inline>"), exclude=True)

    @model_validator(mode="after")
    def _cross_references(self) -> Self:
        codes, names = [rule.code for rule in self.groups], [t.name for t in self.targets]
        problems = [
            *_duplicates("groups", codes, "code", "group code"),
            *_duplicates("targets", names, "name", "target name"),
            *_unknown_groups(self.enrollment_rules, set(codes)),
        ]
        if problems:
            raise ValueError("\n".join(problems))
        return self

    def chosen(self, names: Sequence[str] = ()) -> list[TargetBase]:
        """The targets `--target` names (all that are enabled when none): a ConfigError
        naming the first unknown one and the configured ones."""
        known = {t.name: t for t in self.targets}
        unknown = [n for n in names if n not in known]
        if unknown:
            raise ConfigError(
                f"--target {unknown[0]}: no such target in {self.source_path}"
                f" (targets: {', '.join(known) or 'none'})"
            )
        return [known[n] for n in names] if names else [t for t in known.values() if t.enabled]

    def target(self, name: str) -> TargetBase:
        """The target called `name`; a ConfigError listing the configured ones if none is."""
        for target in self.targets:
            if target.name == name:
                return target
        known = ", ".join(target.name for target in self.targets) or "none"
        raise ConfigError(f"{self.source_path}: no target named {name!r}; configured: {known}")


def _duplicates(section: str, values: Sequence[str], key: str, what: str) -> list[str]:
    first = {value: index for index, value in reversed(list(enumerate(values)))}
    label = "targets[{i}] ({v})" if section == "targets" else section + "[{i}]"
    return [
        f"{label.format(i=i, v=v)}.{key}: duplicate {what} {v!r} (also {section}[{first[v]}])"
        for i, v in enumerate(values)
        if first[v] != i
    ]


def _unknown_groups(rules: Sequence[EnrollmentRule], codes: set[str]) -> list[str]:
    return [
        f"enrollment_rules[{i}].groups[{j}]: unknown group {group!r}; "
        f"use a [[groups]] code or {ORG_UNIT_PREFIX}<CODE>"
        for i, rule in enumerate(rules)
        for j, group in enumerate(rule.groups)
        # an org unit can only be checked against HR data, not here
        if group == ORG_UNIT_PREFIX
        or (not group.startswith(ORG_UNIT_PREFIX) and group not in codes)
    ]
