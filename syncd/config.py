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

import ipaddress
import math
import os
import re
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from fractions import Fraction
from pathlib import Path
from typing import Annotated, Any, Literal, Self, get_args
from urllib.parse import urlsplit

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    PlainSerializer,
    PlainValidator,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_core import ErrorDetails

from syncd import redact
from syncd.errors import ConfigError

DEFAULT_SANDBOX_DIR = Path("var/sandbox")
ORG_UNIT_PREFIX = "org_unit:"
_CODE = r"^[A-Za-z0-9._-]+$"
_DURATION = re.compile(r"(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?")
_LIMIT = re.compile(r"(\d+(?:\.\d+)?)\s*%|(\d+)")
_VARIABLE = re.compile(r"\$(\$?)\{([A-Za-z_][A-Za-z0-9_]*)\}")


def parse_duration(value: object) -> timedelta:
    """'30s', '15m', '1h30m', '2d' as a timedelta; zero, negative and garbage are refused."""
    if isinstance(value, timedelta) and value > timedelta(0):
        return value
    text = value.strip().lower() if isinstance(value, str) else ""
    found = _DURATION.fullmatch(text)
    if not text or not found:
        raise ValueError(f"{value!r} is not a duration; write e.g. '30s', '15m', '1h30m' or '2d'")
    days, hours, minutes, seconds = (int(part or 0) for part in found.groups())
    try:
        delta = timedelta(days=days, hours=hours, minutes=minutes, seconds=seconds)
    except OverflowError:
        raise ValueError(f"{value!r} is too long a duration") from None
    if delta <= timedelta(0):
        raise ValueError(f"{value!r} is not longer than zero")
    return delta


@dataclass(frozen=True, slots=True)
class Limit:
    """A safety limit: a share of a total ("10%") or an absolute count ("25")."""

    value: float
    percent: bool

    def allowed(self, total: int) -> int:
        """How many removals out of `total` this limit allows (a share is rounded down)."""
        if self.percent:
            return math.floor(Fraction(str(self.value)) * total / 100)
        return int(self.value)

    def __str__(self) -> str:
        return f"{self.value:g}%" if self.percent else str(int(self.value))


def parse_limit(value: object) -> Limit:
    """A `Limit` from "10%", "2.5%", "25" or 25; negatives and shares over 100% are refused."""
    if isinstance(value, Limit):
        return value
    plain_int = isinstance(value, int) and not isinstance(value, bool)
    text = str(value) if plain_int else value.strip() if isinstance(value, str) else ""
    found = _LIMIT.fullmatch(text)
    if not found:
        raise ValueError(f"{value!r} is not a limit; write a share like '10%' or a count like 25")
    if found[1] is None:
        return Limit(float(found[2]), percent=False)
    if float(found[1]) > 100:
        raise ValueError(f"{value!r} is more than 100%")
    return Limit(float(found[1]), percent=True)


def _base_url(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError("must be an absolute https:// URL")
    if parts.scheme == "http" and not _is_loopback(parts.hostname):
        raise ValueError(
            "http:// is allowed only for loopback hosts (127.0.0.0/8, ::1, localhost); use https://"
        )
    _ = parts.port  # raises ValueError on a malformed port
    return url.rstrip("/")


def _is_loopback(host: str) -> bool:
    try:
        return host.lower() == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


Duration = Annotated[timedelta, PlainValidator(parse_duration)]
LimitValue = Annotated[Limit, PlainValidator(parse_limit), PlainSerializer(str)]
Code = Annotated[str, Field(pattern=_CODE)]
NonEmpty = Annotated[str, Field(min_length=1)]
Secret = Annotated[str, Field(min_length=1, repr=False)]


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class DatabaseConfig(_Model):
    url: str = "sqlite:///var/syncd.db"

    @field_validator("url")
    @classmethod
    def _known_database(cls, url: str) -> str:
        if not url.startswith(("sqlite", "postgresql")):
            raise ValueError("must start with sqlite or postgresql, e.g. sqlite:///var/syncd.db")
        return url


class HrConfig(_Model):
    source: Literal["csv"] = "csv"
    path: Path
    export_path: Path = Path("var/export")

    @field_validator("source", mode="before")
    @classmethod
    def _available_source(cls, value: object) -> object:
        if value == "sql":
            raise ValueError('the "sql" HR source is not available in this version; use "csv"')
        return value


class ScheduleConfig(_Model):
    reconcile_every: Duration = timedelta(minutes=15)
    jobs_poll_every: Duration = timedelta(seconds=30)


class SafetyConfig(_Model):
    max_deactivate: LimitValue = Limit(10, percent=True)
    max_delete_groups: LimitValue = Limit(10, percent=True)
    max_unenroll: LimitValue = Limit(10, percent=True)
    max_remove_members: LimitValue = Limit(10, percent=True)
    max_hr_shrink: LimitValue = Limit(20, percent=True)


class LoggingConfig(_Model):
    level: Literal["debug", "info", "warning", "error"] = "info"
    format: Literal["auto", "json", "console"] = "auto"


class GroupRule(_Model):
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


class EnrollmentRule(_Model):
    """Everyone in any of `groups` (`[[groups]]` codes or org_unit:<CODE>) takes `course`."""

    course: NonEmpty
    groups: list[NonEmpty] = Field(min_length=1)
    due_in_days: int | None = Field(default=None, ge=0)


class TargetBase(_Model):
    """What every target has, whatever its LMS."""

    name: Code
    kind: str
    base_url: Annotated[str, AfterValidator(_base_url)]
    enabled: bool = True
    sandbox: bool = False
    sandbox_state: Path | None = None
    courses: dict[NonEmpty, NonEmpty] = Field(default_factory=dict)
    on_leave: Literal["deactivate", "delete"] = "deactivate"
    timeout_seconds: float = Field(default=30, gt=0)
    max_attempts: int = Field(default=6, ge=1)

    @property
    def sandbox_state_path(self) -> Path:
        """Where the in-process simulator keeps this target's state between runs."""
        return self.sandbox_state or DEFAULT_SANDBOX_DIR / f"{self.name}.json"

    def secret_values(self) -> tuple[str, ...]:
        """The credential values of this target, for `syncd.redact.register`."""
        return ()


class DoceboTarget(TargetBase):
    kind: Literal["docebo"] = "docebo"
    client_id: Secret
    client_secret: Secret
    username: Secret
    password: Secret
    page_size: int = Field(default=200, ge=1, le=200)
    batch_size: int = Field(default=100, ge=1, le=1000)

    def secret_values(self) -> tuple[str, ...]:
        return (self.client_id, self.client_secret, self.username, self.password)


# A new LMS joins as `DoceboTarget | DokeosTarget | ...` inside the Annotated.
TargetConfig = Annotated[DoceboTarget, Field(discriminator="kind")]


def target_kinds() -> tuple[str, ...]:
    """The `kind`s this version knows, from the members of `TargetConfig`."""
    union = get_args(TargetConfig)[0]
    members: tuple[type[TargetBase], ...] = get_args(union) or (union,)
    return tuple(get_args(member.model_fields["kind"].annotation)[0] for member in members)


class Config(_Model):
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
    redact.register(urlsplit(config.database.url).password)
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

    def replace(found: re.Match[str]) -> str:
        if not found[1] and found[2] not in env:
            raise _MissingVariableError(loc, found[2])
        return found[0][1:] if found[1] else env[found[2]]

    return _VARIABLE.sub(replace, value) if isinstance(value, str) else value


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
