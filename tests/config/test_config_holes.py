"""Config values the fault campaign slipped through: strict scalar types, finite numbers,
bounded durations. Each is refused at load with the file and the key named (exit 2)."""

from __future__ import annotations

import datetime as dt
import typing
from pathlib import Path

import pytest
from pydantic import BaseModel, ValidationError

from syncd.config import (
    Config,
    EnrollmentRule,
    GroupRule,
    Limit,
    parse_duration,
)
from syncd.connectors.coursepath.settings import CoursepathTarget
from syncd.connectors.docebo.settings import DoceboTarget
from syncd.connectors.dokeos.settings import DokeosTarget
from syncd.connectors.litmos.settings import LitmosTarget
from syncd.errors import ConfigError
from syncd.kinds import load_config

TARGET = """
[[targets]]
name = "docebo-main"
kind = "docebo"
base_url = "https://acme.docebosaas.com"
client_id = "client-id-1"
client_secret = "client-secret-1"
username = "api-user"
password = "api-password-1"
"""
BASE = '[hr]\npath = "hr"\n' + TARGET


def _errors(tmp_path: Path, text: str, env: dict[str, str] | None = None) -> list[str]:
    path = tmp_path / "syncd.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config(path, env or {})
    lines = str(caught.value).splitlines()
    assert all(line.startswith(f"{path}: ") for line in lines), lines
    return lines


def _load(tmp_path: Path, text: str, env: dict[str, str] | None = None) -> Config:
    path = tmp_path / "syncd.toml"
    path.write_text(text, encoding="utf-8")
    return load_config(path, env or {})


# --- numbers that are not numbers -------------------------------------------------------------


@pytest.mark.parametrize("value", ["inf", "+inf", "-inf", "nan", "0", "-1", "0.0", "1e300"])
def test_timeout_seconds_must_be_a_finite_positive_sane_number(tmp_path: Path, value: str) -> None:
    lines = _errors(tmp_path, BASE + f"timeout_seconds = {value}\n")
    assert len(lines) == 1
    assert "targets[0] (docebo-main).timeout_seconds: " in lines[0]


def test_timeout_seconds_takes_an_integer_or_a_fraction(tmp_path: Path) -> None:
    assert _load(tmp_path, BASE + "timeout_seconds = 12\n").targets[0].timeout_seconds == 12
    assert _load(tmp_path, BASE + "timeout_seconds = 2.5\n").targets[0].timeout_seconds == 2.5


# --- strict scalar types: a TOML string is not a bool or a number -----------------------------


@pytest.mark.parametrize(
    ("line", "key"),
    [
        ('enabled = "yes"', "enabled"),
        ('enabled = "false"', "enabled"),
        ("enabled = 1", "enabled"),
        ('sandbox = "true"', "sandbox"),
        ('timeout_seconds = "30"', "timeout_seconds"),
        ("timeout_seconds = true", "timeout_seconds"),
        ('page_size = "200"', "page_size"),
        ("page_size = 20.0", "page_size"),
        ("max_attempts = true", "max_attempts"),
        ('batch_size = "50"', "batch_size"),
    ],
)
def test_a_value_of_the_wrong_toml_type_is_refused(tmp_path: Path, line: str, key: str) -> None:
    lines = _errors(tmp_path, BASE + line + "\n")
    assert len(lines) == 1
    assert f"targets[0] (docebo-main).{key}: input should be a valid" in lines[0]


def test_a_rule_s_due_in_days_must_be_an_integer(tmp_path: Path) -> None:
    rules = '[[groups]]\ncode = "all"\nname = "All"\n'
    rules += '[[enrollment_rules]]\ncourse = "C"\ngroups = ["all"]\ndue_in_days = "30"\n'
    lines = _errors(tmp_path, BASE + rules)
    assert any(
        "enrollment_rules[0].due_in_days: input should be a valid integer" in x for x in lines
    )


def test_due_in_days_is_bounded_so_due_dates_stay_dates(tmp_path: Path) -> None:
    rules = '[[groups]]\ncode = "all"\nname = "All"\n'
    rules += '[[enrollment_rules]]\ncourse = "C"\ngroups = ["all"]\ndue_in_days = 9999999999\n'
    lines = _errors(tmp_path, BASE + rules)
    assert any("enrollment_rules[0].due_in_days: input should be less than" in x for x in lines)


def test_values_from_the_environment_are_read_as_the_key_s_type(tmp_path: Path) -> None:
    text = BASE + (
        'enabled = "${ENABLED}"\nmax_attempts = "${ATTEMPTS}"\ntimeout_seconds = "${TIMEOUT}"\n'
    )
    env = {"ENABLED": "false", "ATTEMPTS": "4", "TIMEOUT": "12.5"}
    target = _load(tmp_path, text, env).targets[0]
    assert (target.enabled, target.max_attempts, target.timeout_seconds) == (False, 4, 12.5)


@pytest.mark.parametrize(
    ("line", "env", "key"),
    [
        ('enabled = "${ENABLED}"', {"ENABLED": "yes"}, "enabled"),
        ('timeout_seconds = "${TIMEOUT}"', {"TIMEOUT": "inf"}, "timeout_seconds"),
        ('max_attempts = "${ATTEMPTS}"', {"ATTEMPTS": "many"}, "max_attempts"),
    ],
)
def test_a_bad_value_from_the_environment_is_refused(
    tmp_path: Path, line: str, env: dict[str, str], key: str
) -> None:
    lines = _errors(tmp_path, BASE + line + "\n", env)
    assert len(lines) == 1
    assert f"targets[0] (docebo-main).{key}: " in lines[0]


def test_a_secret_from_the_environment_stays_text_even_when_it_looks_like_a_number(
    tmp_path: Path,
) -> None:
    text = BASE.replace('"api-password-1"', '"${PASSWORD}"')
    target = _load(tmp_path, text, {"PASSWORD": "12345678"}).targets[0]
    assert isinstance(target, DoceboTarget)
    assert target.password == "12345678"
    assert type(target.password) is str


SECTIONS = ("database", "hr", "schedule", "safety", "logging")
MODELS: list[type[BaseModel]] = [
    Config,
    *(typing.get_type_hints(Config)[name] for name in SECTIONS),
    GroupRule,
    EnrollmentRule,
    DoceboTarget,
    DokeosTarget,
    CoursepathTarget,
    LitmosTarget,
]
SCALARS = (bool, int, float, bool | None, int | None, float | None)


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_every_bool_and_number_key_is_strict(model: type[BaseModel]) -> None:
    """A new key typed as a plain bool, int or float would take "yes" and "30" again."""
    for name, info in model.model_fields.items():
        if info.annotation not in SCALARS:
            continue
        with pytest.raises(ValidationError) as caught:
            model.model_validate({name: "1"})
        refused = {e["type"] for e in caught.value.errors() if e["loc"][:1] == (name,)}
        assert refused & {"bool_type", "int_type", "float_type"}, f"{model.__name__}.{name}"


# --- durations: bounded to what the daemon can schedule ---------------------------------------


@pytest.mark.parametrize(
    ("key", "value", "most"),
    [
        ("reconcile_every", "3000000d", "7d"),
        ("reconcile_every", "8d", "7d"),
        ("jobs_poll_every", "2d", "1d"),
        ("readback_overlap", "8d", "7d"),
        ("readback_full_every", "400d", "366d"),
    ],
)
def test_a_duration_longer_than_its_key_allows_is_refused_naming_the_bound(
    tmp_path: Path, key: str, value: str, most: str
) -> None:
    lines = _errors(tmp_path, BASE + f'[schedule]\n{key} = "{value}"\n')
    assert len(lines) == 1
    assert f"schedule.{key}: " in lines[0]
    assert f"at most {most}" in lines[0]


def test_a_duration_at_its_bound_is_taken(tmp_path: Path) -> None:
    config = _load(tmp_path, BASE + '[schedule]\nreconcile_every = "7d"\n')
    assert config.schedule.reconcile_every == dt.timedelta(days=7)


@pytest.mark.parametrize("text", ["99999999999d", "3000000d", "367d", "9000h"])
def test_parse_duration_refuses_what_date_arithmetic_cannot_take(text: str) -> None:
    with pytest.raises(ValueError, match="at most 366d"):
        parse_duration(text)


# --- the rolling window limit -----------------------------------------------------------------


def test_max_deactivate_per_week_defaults_to_20_percent(tmp_path: Path) -> None:
    assert _load(tmp_path, BASE).safety.max_deactivate_per_week == Limit(20, percent=True)


@pytest.mark.parametrize(("value", "limit"), [('"5%"', Limit(5, True)), ("40", Limit(40, False))])
def test_max_deactivate_per_week_takes_a_share_or_a_count(
    tmp_path: Path, value: str, limit: Limit
) -> None:
    text = BASE + f"[safety]\nmax_deactivate_per_week = {value}\n"
    assert _load(tmp_path, text).safety.max_deactivate_per_week == limit


def test_a_bad_max_deactivate_per_week_is_refused(tmp_path: Path) -> None:
    lines = _errors(tmp_path, BASE + '[safety]\nmax_deactivate_per_week = "lots"\n')
    assert any("safety.max_deactivate_per_week: " in line for line in lines)
