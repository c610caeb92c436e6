"""The configuration: a TOML file with ${ENV} interpolation, validated into frozen models.

The CLI calls `load_config` once; every other room receives the `Config` (or one
`TargetConfig`) and never reads the file. Every problem is a ConfigError naming the
file and the key path; unknown keys are errors; credentials are registered with
`syncd.redact` as soon as the file is loaded.

Decisions: relative paths (hr.path, hr.export_path, a sqlite file, sandbox_state) are
kept as written and so resolve against the working directory, not the config file's
folder; `$${VAR}` stands for a literal `${VAR}`; target names and group codes are
`[A-Za-z0-9._-]+` (they name files and CLI arguments); a base URL loses its trailing
slash; `targets` may be empty; the database URL's password is registered as a secret.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping, Sequence
from datetime import timedelta
from pathlib import Path
from typing import Annotated, Any, Literal, Self
from urllib.parse import urlsplit

from pydantic import (
    Field,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_core import ErrorDetails

from syncd import redact
from syncd.config.targets import (
    CoursepathTarget,
    DoceboTarget,
    DokeosTarget,
    LitmosTarget,
    TargetBase,
    TargetConfig,
    target_kinds,
)
from syncd.config.values import (
    DEFAULT_SANDBOX_DIR,
    ORG_UNIT_PREFIX,
    Code,
    Count,
    Duration,
    FromEnv,
    Limit,
    LimitValue,
    NonEmpty,
    Secret,
    StrictModel,
    at_most,
    parse_duration,
    parse_limit,
)
from syncd.errors import ConfigError

_VARIABLE = re.compile(r"\$(\$?)\{([A-Za-z_][A-Za-z0-9_]*)\}")

__all__ = [
    "DEFAULT_SANDBOX_DIR",
    "ORG_UNIT_PREFIX",
    "Config",
    "CoursepathTarget",
    "DoceboTarget",
    "DokeosTarget",
    "EnrollmentRule",
    "GroupRule",
    "Limit",
    "LitmosTarget",
    "SafetyConfig",
    "TargetBase",
    "TargetConfig",
    "load_config",
    "parse_duration",
    "parse_limit",
    "target_kinds",
]


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
    groups: list[GroupRule] = Field(default_factory=list)
    enrollment_rules: list[EnrollmentRule] = Field(default_factory=list)
    targets: list[TargetConfig] = Field(default_factory=list)
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

    def target(self, name: str) -> TargetConfig:
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


class _MissingVariableError(Exception):
    def __init__(self, loc: tuple[str | int, ...], name: str) -> None:
        super().__init__(name)
        self.loc, self.name = loc, name


def load_config(path: Path, env: Mapping[str, str] | None = None) -> Config:
    """Read, interpolate and validate the TOML file at `path`; register its credentials."""
    raw = _read_toml(path)
    try:
        data = _interpolate(raw, os.environ if env is None else env, ())
    except _MissingVariableError as err:
        where = _key_path(err.loc, raw)
        raise ConfigError(f"{path}: {where}: environment variable {err.name} is not set") from None
    config = _validate(data, path)
    redact.register(urlsplit(config.database.url).password, *config.hr.secret_values())
    for target in config.targets:
        redact.register(*target.secret_values())
    return config


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as file:
            return tomllib.load(file)
    except FileNotFoundError:
        raise ConfigError(f"{path}: config file not found") from None
    except (OSError, UnicodeDecodeError) as err:
        raise ConfigError(f"{path}: cannot read the config file: {err}") from None
    except tomllib.TOMLDecodeError as err:
        raise ConfigError(f"{path}: invalid TOML: {err}") from None  # "... (at line 3, column 1)"


def _interpolate(value: Any, env: Mapping[str, str], loc: tuple[str | int, ...]) -> Any:
    """`value` with each `${NAME}` in its strings replaced from `env` (`$${NAME}` is literal)."""
    if isinstance(value, dict):
        return {key: _interpolate(item, env, (*loc, key)) for key, item in value.items()}
    if isinstance(value, list):
        return [_interpolate(item, env, (*loc, index)) for index, item in enumerate(value)]

    if not isinstance(value, str):
        return value
    from_env = False

    def replace(found: re.Match[str]) -> str:
        nonlocal from_env
        if found[1]:
            return found[0][1:]
        if found[2] not in env:
            raise _MissingVariableError(loc, found[2])
        from_env = True
        return env[found[2]]

    text = _VARIABLE.sub(replace, value)
    return FromEnv(text) if from_env else text


def _validate(data: dict[str, Any], path: Path) -> Config:
    if "source_path" in data:
        raise ConfigError(f"{path}: source_path: unknown key")
    try:
        return Config.model_validate({**data, "source_path": path})
    except ValidationError as err:
        lines = [line for error in err.errors() for line in _explain(error, data)]
        raise ConfigError("\n".join(f"{path}: {line}" for line in lines)) from None


def _explain(error: ErrorDetails, data: Mapping[str, Any]) -> list[str]:
    loc, kinds = list(error["loc"]), target_kinds()
    if len(loc) > 2 and loc[0] == "targets" and loc[2] in kinds:
        del loc[2]  # the discriminator's tag, not a key of the file
    if error["type"] in ("union_tag_invalid", "union_tag_not_found"):
        loc.append("kind")
    message = _message(error, kinds)
    if not loc:
        return message.splitlines()
    return [f"{_key_path(tuple(loc), data)}: {message}"]


def _message(error: ErrorDetails, kinds: tuple[str, ...]) -> str:
    known = ", ".join(kinds)
    match error["type"]:
        case "missing":
            return "field required"
        case "extra_forbidden":
            return "unknown key"
        case "union_tag_invalid":
            return f"unknown kind {error.get('ctx', {}).get('tag')!r}; this version knows: {known}"
        case "union_tag_not_found":
            return f"field required (one of: {known})"
    message = error["msg"].removeprefix("Value error, ")
    return message[:1].lower() + message[1:]


def _key_path(loc: tuple[str | int, ...], data: Mapping[str, Any]) -> str:
    """`targets[0] (docebo-main).client_secret` for ("targets", 0, "client_secret")."""
    text = ""
    for index, part in enumerate(loc):
        text += f"[{part}]" if isinstance(part, int) else f".{part}" if text else part
        if index == 1 and loc[0] == "targets" and isinstance(part, int):
            entry = data["targets"][part]
            name = entry.get("name") if isinstance(entry, dict) else None
            text += f" ({name})" if isinstance(name, str) else ""
    return text
