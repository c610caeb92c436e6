"""load_config: TOML, ${ENV} interpolation, validation, and errors that name file and key."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from pydantic import ValidationError

from syncd import redact
from syncd.config import Config, HrConfig, Limit, parse_duration, parse_limit
from syncd.connectors.docebo.settings import DoceboTarget
from syncd.errors import ConfigError
from syncd.kinds import load_config

TARGET = """
[[targets]]
name = "docebo-main"
kind = "docebo"
base_url = "https://acme.docebosaas.com"
client_id = "client-id-1"
client_secret = "${DOCEBO_SECRET}"
username = "api-user"
password = "api-password-1"
"""
BASE = '[hr]\npath = "hr"\n' + TARGET
ENV = {"DOCEBO_SECRET": "very-secret-value"}

FULL = """
[database]
url = "postgresql+psycopg://syncd:${DB_PASSWORD}@db.internal/syncd"

[hr]
source = "csv"
path = "config/example-hr"
export_path = "out/export"

[schedule]
reconcile_every = "1h30m"
jobs_poll_every = "45s"

[safety]
max_deactivate = 25
max_delete_groups = "5%"
max_unenroll = "2.5%"
max_remove_members = "40"
max_hr_shrink = "30%"

[logging]
level = "debug"
format = "json"

[[groups]]
code = "sales-emea"
name = "Sales EMEA"
match = { department = "Sales", country = ["DE", "FR", "IT"] }

[[groups]]
code = "all-staff"
name = "All staff"

[[enrollment_rules]]
course = "SEC-101"
groups = ["all-staff"]
due_in_days = 30

[[enrollment_rules]]
course = "ENG-210"
groups = ["org_unit:ENG", "sales-emea"]

[[targets]]
name = "docebo-main"
kind = "docebo"
base_url = "https://acme.docebosaas.com/"
enabled = false
sandbox = true
sandbox_state = "state/docebo.json"
on_leave = "delete"
timeout_seconds = 12.5
max_attempts = 3
page_size = 50
batch_size = 500
client_id = "client-id-1"
client_secret = "${DOCEBO_SECRET}"
username = "api-user"
password = "api-password-1"

[targets.courses]
SEC-101 = "42"
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "syncd.toml"
    path.write_text(text, encoding="utf-8")
    return path


def load(tmp_path: Path, text: str, env: dict[str, str] | None = None) -> Config:
    return load_config(write(tmp_path, text), ENV if env is None else env)


def error_lines(tmp_path: Path, text: str, env: dict[str, str] | None = None) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        load(tmp_path, text, env)
    return str(caught.value).splitlines()


def assert_error(tmp_path: Path, text: str, expected: str) -> None:
    lines = error_lines(tmp_path, text)
    assert f"{tmp_path / 'syncd.toml'}: {expected}" in lines, lines


# --- a valid file ---------------------------------------------------------------------


def test_loads_every_section(tmp_path: Path) -> None:
    config = load(tmp_path, FULL, {**ENV, "DB_PASSWORD": "db-pass-1"})
    assert config.database.url == "postgresql+psycopg://syncd:db-pass-1@db.internal/syncd"
    assert config.hr == HrConfig(path=Path("config/example-hr"), export_path=Path("out/export"))
    assert config.schedule.reconcile_every == dt.timedelta(hours=1, minutes=30)
    assert config.schedule.jobs_poll_every == dt.timedelta(seconds=45)
    assert config.safety.max_deactivate == Limit(25, percent=False)
    assert config.safety.max_unenroll == Limit(2.5, percent=True)
    assert config.safety.max_remove_members == Limit(40, percent=False)
    assert (config.logging.level, config.logging.format) == ("debug", "json")
    assert config.groups[0].match == {"department": "Sales", "country": ["DE", "FR", "IT"]}
    assert config.groups[1].match == {}
    assert config.enrollment_rules[0].due_in_days == 30
    assert config.enrollment_rules[1].groups == ["org_unit:ENG", "sales-emea"]
    assert config.source_path == tmp_path / "syncd.toml"


def test_loads_target_fields(tmp_path: Path) -> None:
    target = load(tmp_path, FULL, {**ENV, "DB_PASSWORD": "db-pass-1"}).target("docebo-main")
    assert isinstance(target, DoceboTarget)
    assert target.base_url == "https://acme.docebosaas.com"
    assert (target.enabled, target.sandbox, target.on_leave) == (False, True, "delete")
    assert target.sandbox_state_path == Path("state/docebo.json")
    assert (target.timeout_seconds, target.max_attempts) == (12.5, 3)
    assert (target.page_size, target.batch_size) == (50, 500)
    assert target.client_secret == "very-secret-value"
    assert target.courses == {"SEC-101": "42"}


def test_defaults(tmp_path: Path) -> None:
    config = load(tmp_path, BASE)
    assert config.database.url == "sqlite:///var/syncd.db"
    assert config.hr.source == "csv"
    assert config.hr.export_path == Path("var/export")
    assert config.schedule.reconcile_every == dt.timedelta(minutes=15)
    assert config.schedule.jobs_poll_every == dt.timedelta(seconds=30)
    assert str(config.safety.max_deactivate) == "10%"
    assert str(config.safety.max_hr_shrink) == "20%"
    assert (config.logging.level, config.logging.format) == ("info", "auto")
    assert config.groups == []
    assert config.enrollment_rules == []
    target = config.targets[0]
    assert (target.enabled, target.sandbox, target.on_leave) == (True, False, "deactivate")
    assert (target.timeout_seconds, target.max_attempts) == (30, 6)
    assert (target.page_size, target.batch_size) == (200, 100)
    assert target.sandbox_state_path == Path("var/sandbox/docebo-main.json")


def test_relative_paths_are_kept_relative_to_the_working_directory(tmp_path: Path) -> None:
    config = load(tmp_path, BASE)
    assert config.hr.path == Path("hr")
    assert not config.hr.path.is_absolute()


def test_models_are_frozen(tmp_path: Path) -> None:
    config = load(tmp_path, BASE)
    with pytest.raises(ValidationError):
        config.hr.path = Path("elsewhere")  # type: ignore[misc]


def test_credentials_are_registered_as_secrets(tmp_path: Path) -> None:
    load(tmp_path, FULL, {**ENV, "DB_PASSWORD": "db-pass-1"})
    text = "very-secret-value api-password-1 client-id-1 api-user db-pass-1"
    assert redact.scrub(text) == " ".join([redact.MASK] * 5)


def test_credentials_stay_out_of_repr(tmp_path: Path) -> None:
    assert "very-secret-value" not in repr(load(tmp_path, BASE))


def test_target_lookup_by_name(tmp_path: Path) -> None:
    config = load(tmp_path, BASE)
    assert config.target("docebo-main").name == "docebo-main"
    with pytest.raises(ConfigError, match=r"no target named 'other'; configured: docebo-main"):
        config.target("other")


# --- ${ENV} interpolation -------------------------------------------------------------


def test_env_interpolation_in_strings_lists_and_tables(tmp_path: Path) -> None:
    text = BASE.replace('"hr"', '"${HR_DIR}/export"') + (
        '[[groups]]\ncode = "g"\nname = "${TEAM} team"\nmatch = { country = ["${C1}", "IT"] }\n'
    )
    env = {**ENV, "HR_DIR": "/data/hr", "TEAM": "Blue", "C1": "DE"}
    config = load(tmp_path, text, env)
    assert config.hr.path == Path("/data/hr/export")
    assert config.groups[0].name == "Blue team"
    assert config.groups[0].match == {"country": ["DE", "IT"]}
    assert config.targets[0].client_secret == "very-secret-value"


def test_env_values_are_coerced_to_the_field_type(tmp_path: Path) -> None:
    text = BASE + 'max_attempts = "${ATTEMPTS}"\n'
    assert load(tmp_path, text, {**ENV, "ATTEMPTS": "4"}).targets[0].max_attempts == 4


def test_double_dollar_is_a_literal(tmp_path: Path) -> None:
    text = BASE.replace('"api-password-1"', '"pa$${NOT_A_VAR}ss"')
    assert load(tmp_path, text).targets[0].password == "pa${NOT_A_VAR}ss"


def test_missing_env_var_names_key_and_variable(tmp_path: Path) -> None:
    lines = error_lines(tmp_path, BASE, env={})
    expected = "targets[0] (docebo-main).client_secret: environment variable DOCEBO_SECRET"
    assert lines == [f"{tmp_path / 'syncd.toml'}: {expected} is not set"]


def test_env_defaults_to_os_environ(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DOCEBO_SECRET", "from-the-environment")
    config = load_config(write(tmp_path, BASE))
    assert config.targets[0].client_secret == "from-the-environment"


# --- file-level errors ----------------------------------------------------------------


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "nowhere.toml"
    with pytest.raises(ConfigError, match=r"nowhere\.toml: config file not found"):
        load_config(path, ENV)


def test_toml_syntax_error_names_line_and_column(tmp_path: Path) -> None:
    lines = error_lines(tmp_path, '[hr]\npath = "hr"\nbroken = = 3\n')
    assert len(lines) == 1
    assert lines[0].startswith(f"{tmp_path / 'syncd.toml'}: invalid TOML: ")
    assert "line 3, column 10" in lines[0]


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    text = BASE.replace('"https://acme.docebosaas.com"', '"http://acme.example"') + (
        '[schedule]\nreconcile_every = "soon"\n'
    )
    lines = error_lines(tmp_path, text)
    assert len(lines) == 2
    assert any("schedule.reconcile_every" in line for line in lines)
    assert any("targets[0] (docebo-main).base_url" in line for line in lines)


# --- unknown and missing keys ---------------------------------------------------------


def test_unknown_key(tmp_path: Path) -> None:
    assert_error(
        tmp_path, BASE + '[safety]\nmax_deactivat = "5%"\n', "safety.max_deactivat: unknown key"
    )


def test_unknown_key_in_a_target(tmp_path: Path) -> None:
    assert_error(
        tmp_path, BASE + "colour = 'red'\n", "targets[0] (docebo-main).colour: unknown key"
    )


def test_unknown_top_level_key(tmp_path: Path) -> None:
    assert_error(tmp_path, "verbose = true\n" + BASE, "verbose: unknown key")


def test_source_path_cannot_come_from_the_file(tmp_path: Path) -> None:
    assert_error(tmp_path, 'source_path = "x.toml"\n' + BASE, "source_path: unknown key")


def test_missing_credential(tmp_path: Path) -> None:
    text = BASE.replace('client_secret = "${DOCEBO_SECRET}"\n', "")
    assert_error(tmp_path, text, "targets[0] (docebo-main).client_secret: field required")


def test_empty_credential(tmp_path: Path) -> None:
    text = BASE.replace('"api-password-1"', '""')
    assert_error(
        tmp_path, text, "targets[0] (docebo-main).password: string should have at least 1 character"
    )


def test_hr_path_is_required(tmp_path: Path) -> None:
    assert_error(tmp_path, "[hr]\n" + TARGET, 'hr: hr.path: required with source = "csv"')


def test_sql_source_needs_url_and_queries(tmp_path: Path) -> None:
    text = BASE.replace('[hr]\npath = "hr"\n', '[hr]\nsource = "sql"\n')
    assert_error(tmp_path, text, 'hr: hr.url and hr.queries: required with source = "sql"')


def test_sql_source_needs_a_people_query(tmp_path: Path) -> None:
    hr = '[hr]\nsource = "sql"\nurl = "sqlite:///hr.db"\n[hr.queries]\norg_units = "SELECT 1"\n'
    assert_error(
        tmp_path, BASE.replace('[hr]\npath = "hr"\n', hr), "hr.queries.people: field required"
    )


def test_sql_source_loads_and_its_password_is_a_secret(tmp_path: Path) -> None:
    hr = (
        '[hr]\nsource = "sql"\nurl = "postgresql+psycopg://hr:${HR_DB_PASSWORD}@hr-db/hr"\n'
        "[hr.queries]\n"
        'people = "SELECT employee_id, email, first_name, last_name FROM staff"\n'
        'enrollments = "SELECT employee_id, course_code, due_date FROM training"\n'
    )
    text = BASE.replace('[hr]\npath = "hr"\n', hr)
    config = load(tmp_path, text, {**ENV, "HR_DB_PASSWORD": "hr-db-secret-1"})
    assert config.hr.source == "sql"
    assert config.hr.path is None
    assert config.hr.url == "postgresql+psycopg://hr:hr-db-secret-1@hr-db/hr"
    assert config.hr.queries is not None
    assert config.hr.queries.people.endswith("FROM staff")
    assert config.hr.queries.org_units is None
    assert "hr-db-secret-1" not in repr(config.hr)
    assert redact.scrub("hr-db-secret-1") == redact.MASK


# --- targets --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    ["http://acme.example.com", "http://10.0.0.1:8080", "http://128.0.0.1", "http://[::2]:80"],
)
def test_http_to_a_non_loopback_host_is_refused(tmp_path: Path, url: str) -> None:
    lines = error_lines(tmp_path, BASE.replace("https://acme.docebosaas.com", url))
    assert lines == [
        f"{tmp_path / 'syncd.toml'}: targets[0] (docebo-main).base_url: http:// is allowed only "
        "for loopback hosts (127.0.0.0/8, ::1, localhost); use https://"
    ]


@pytest.mark.parametrize("url", ["acme.docebosaas.com", "ftp://acme.example", "https://"])
def test_base_url_must_be_absolute_https(tmp_path: Path, url: str) -> None:
    assert_error(
        tmp_path,
        BASE.replace("https://acme.docebosaas.com", url),
        "targets[0] (docebo-main).base_url: must be an absolute https:// URL",
    )


@pytest.mark.parametrize(
    "url",
    ["http://127.0.0.1:8080", "http://127.9.8.7", "http://[::1]:9000/api", "http://localhost:1"],
)
def test_http_to_loopback_is_allowed(tmp_path: Path, url: str) -> None:
    assert (
        load(tmp_path, BASE.replace("https://acme.docebosaas.com", url)).targets[0].base_url == url
    )


def test_unknown_kind_lists_the_known_ones(tmp_path: Path) -> None:
    text = BASE.replace('kind = "docebo"', 'kind = "moodle"')
    expected = (
        "targets[0] (docebo-main).kind: unknown kind 'moodle'; "
        "this version knows: docebo, dokeos, coursepath, litmos"
    )
    assert_error(tmp_path, text, expected)


def test_missing_kind(tmp_path: Path) -> None:
    text = BASE.replace('kind = "docebo"\n', "")
    expected = (
        "targets[0] (docebo-main).kind: field required (one of: docebo, dokeos, coursepath, litmos)"
    )
    assert_error(tmp_path, text, expected)


def test_duplicate_target_names(tmp_path: Path) -> None:
    text = BASE + TARGET
    expected = (
        "targets[1] (docebo-main).name: duplicate target name 'docebo-main' (also targets[0])"
    )
    assert_error(tmp_path, text, expected)


def test_target_name_must_be_a_code(tmp_path: Path) -> None:
    lines = error_lines(tmp_path, BASE.replace('name = "docebo-main"', 'name = "docebo main"'))
    assert any(
        "targets[0] (docebo main).name: string should match pattern" in line for line in lines
    )


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("page_size", 201),
        ("page_size", 0),
        ("batch_size", 1001),
        ("max_attempts", 0),
        ("timeout_seconds", 0),
    ],
)
def test_target_numbers_out_of_range(tmp_path: Path, key: str, value: int) -> None:
    lines = error_lines(tmp_path, BASE + f"{key} = {value}\n")
    assert len(lines) == 1
    assert f"targets[0] (docebo-main).{key}: input should be" in lines[0]


def test_on_leave_choices(tmp_path: Path) -> None:
    lines = error_lines(tmp_path, BASE + 'on_leave = "archive"\n')
    assert any(
        "targets[0] (docebo-main).on_leave: input should be 'deactivate' or 'delete'" in line
        for line in lines
    )


# --- durations and limits -------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("30s", dt.timedelta(seconds=30)),
        ("15m", dt.timedelta(minutes=15)),
        ("1h", dt.timedelta(hours=1)),
        ("1h30m", dt.timedelta(hours=1, minutes=30)),
        ("2d", dt.timedelta(days=2)),
        (" 1d2h3m4s ", dt.timedelta(days=1, hours=2, minutes=3, seconds=4)),
        ("90S", dt.timedelta(seconds=90)),
    ],
)
def test_durations(text: str, expected: dt.timedelta) -> None:
    assert parse_duration(text) == expected


@pytest.mark.parametrize(
    "value", ['"0s"', '"0m0s"', '"-5m"', '"soon"', '""', '"15"', '"30m1h"', "15"]
)
def test_bad_duration(tmp_path: Path, value: str) -> None:
    lines = error_lines(tmp_path, BASE + f"[schedule]\njobs_poll_every = {value}\n")
    assert len(lines) == 1
    assert lines[0].startswith(f"{tmp_path / 'syncd.toml'}: schedule.jobs_poll_every: ")
    assert "duration" in lines[0] or "longer than zero" in lines[0]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("10%", Limit(10, percent=True)),
        (" 2.5 % ", Limit(2.5, percent=True)),
        ("100%", Limit(100, percent=True)),
        ("25", Limit(25, percent=False)),
        (25, Limit(25, percent=False)),
        (0, Limit(0, percent=False)),
    ],
)
def test_limits(value: object, expected: Limit) -> None:
    assert parse_limit(value) == expected


@pytest.mark.parametrize("value", ['"150%"', '"-3"', "-3", '"ten"', '"2.5"', "2.5", "true", '"%"'])
def test_bad_limit(tmp_path: Path, value: str) -> None:
    lines = error_lines(tmp_path, BASE + f"[safety]\nmax_unenroll = {value}\n")
    assert len(lines) == 1
    assert lines[0].startswith(f"{tmp_path / 'syncd.toml'}: safety.max_unenroll: ")


@pytest.mark.parametrize(
    ("limit", "total", "allowed"),
    [
        (Limit(10, percent=True), 100, 10),
        (Limit(10, percent=True), 95, 9),
        (Limit(10, percent=True), 9, 0),
        (Limit(10, percent=True), 0, 0),
        (Limit(29, percent=True), 100, 29),
        (Limit(2.5, percent=True), 1000, 25),
        (Limit(100, percent=True), 7, 7),
        (Limit(25, percent=False), 10, 25),
        (Limit(0, percent=False), 1000, 0),
    ],
)
def test_limit_allowed(limit: Limit, total: int, allowed: int) -> None:
    assert limit.allowed(total) == allowed


def test_limit_text_round_trips() -> None:
    for text in ("10%", "2.5%", "25", "0"):
        assert str(parse_limit(text)) == text


# --- groups and enrollment rules ------------------------------------------------------


def test_duplicate_group_codes(tmp_path: Path) -> None:
    group = '[[groups]]\ncode = "sales"\nname = "Sales"\n'
    expected = "groups[1].code: duplicate group code 'sales' (also groups[0])"
    assert_error(tmp_path, BASE + group + group, expected)


def test_group_code_characters(tmp_path: Path) -> None:
    lines = error_lines(tmp_path, BASE + '[[groups]]\ncode = "sales emea"\nname = "S"\n')
    assert any("groups[0].code: string should match pattern" in line for line in lines)


@pytest.mark.parametrize(
    ("match", "reason"),
    [
        ("{ grade = 5 }", "grade: expected a string or a list of strings"),
        ("{ country = [] }", "country: an empty list matches no one"),
        ('{ country = ["DE", 3] }', "country: expected a string or a list of strings"),
    ],
)
def test_bad_match(tmp_path: Path, match: str, reason: str) -> None:
    text = BASE + f'[[groups]]\ncode = "g"\nname = "G"\nmatch = {match}\n'
    assert_error(tmp_path, text, f"groups[0].match: {reason}")


def test_enrollment_rule_unknown_group(tmp_path: Path) -> None:
    text = BASE + '[[enrollment_rules]]\ncourse = "SEC-101"\ngroups = ["org_unit:ENG", "nobody"]\n'
    expected = (
        "enrollment_rules[0].groups[1]: unknown group 'nobody'; "
        "use a [[groups]] code or org_unit:<CODE>"
    )
    assert_error(tmp_path, text, expected)


def test_enrollment_rule_empty_org_unit(tmp_path: Path) -> None:
    text = BASE + '[[enrollment_rules]]\ncourse = "SEC-101"\ngroups = ["org_unit:"]\n'
    lines = error_lines(tmp_path, text)
    assert any("enrollment_rules[0].groups[0]: unknown group 'org_unit:'" in line for line in lines)


def test_enrollment_rule_needs_groups(tmp_path: Path) -> None:
    text = BASE + '[[enrollment_rules]]\ncourse = "SEC-101"\ngroups = []\n'
    lines = error_lines(tmp_path, text)
    assert any(
        "enrollment_rules[0].groups: list should have at least 1 item" in line for line in lines
    )


def test_enrollment_rule_negative_due(tmp_path: Path) -> None:
    group = '[[groups]]\ncode = "all"\nname = "All"\n'
    text = BASE + group + '[[enrollment_rules]]\ncourse = "C"\ngroups = ["all"]\ndue_in_days = -1\n'
    lines = error_lines(tmp_path, text)
    assert any(
        "enrollment_rules[0].due_in_days: input should be greater than" in line for line in lines
    )


# --- database -------------------------------------------------------------------------


def test_database_url_must_be_sqlite_or_postgresql(tmp_path: Path) -> None:
    text = BASE + '[database]\nurl = "mysql://db/syncd"\n'
    expected = "database.url: must start with sqlite or postgresql, e.g. sqlite:///var/syncd.db"
    assert_error(tmp_path, text, expected)


def test_dokeos_target_needs_its_api_token(tmp_path: Path) -> None:
    dokeos = (
        '[hr]\npath = "hr"\n[[targets]]\nname = "dokeos-main"\nkind = "dokeos"\n'
        'base_url = "https://acme.dokeos.test"\n'
    )
    assert_error(tmp_path, dokeos, "targets[0] (dokeos-main).api_token: field required")
    path = tmp_path / "ok.toml"
    path.write_text(dokeos + 'api_token = "${DOKEOS_TOKEN}"\n', encoding="utf-8")
    config = load_config(path, env={"DOKEOS_TOKEN": "tok-dokeos-123"})
    (target,) = config.targets
    assert target.kind == "dokeos"
    assert target.secret_values() == ("tok-dokeos-123",)


def test_coursepath_and_litmos_targets(tmp_path: Path) -> None:
    head = '[hr]\npath = "hr"\n'
    coursepath = (
        '[[targets]]\nname = "cp"\nkind = "coursepath"\nbase_url = "https://acme.coursepath.test"\n'
        'jwt_secret = "${CP_SECRET}"\nacting_email = "api@acme.example"\n'
    )
    litmos = (
        '[[targets]]\nname = "lt"\nkind = "litmos"\nbase_url = "https://api.litmos.test/v1.svc"\n'
        'api_key = "${LITMOS_KEY}"\nsource = "syncd"\n'
    )
    assert_error(
        tmp_path,
        head + litmos.replace('source = "syncd"\n', "").replace("${LITMOS_KEY}", "k-1"),
        "targets[0] (lt).source: field required",
    )
    path = tmp_path / "ok.toml"
    path.write_text(head + coursepath + litmos, encoding="utf-8")
    config = load_config(path, env={"CP_SECRET": "cp-secret-value-1", "LITMOS_KEY": "lt-key-42"})
    cp, lt = config.targets
    assert (cp.kind, lt.kind) == ("coursepath", "litmos")
    assert cp.secret_values() == ("cp-secret-value-1",)
    assert lt.secret_values() == ("lt-key-42",)
    assert lt.apikey_in == "header"  # the key never rides in a URL unless asked
    assert lt.requests_per_minute == 95  # a margin under Litmos's 100 a rolling minute
    assert (lt.notify, lt.send_course_emails) == (False, None)


LITMOS = (
    '[hr]\npath = "hr"\n[[targets]]\nname = "lt"\nkind = "litmos"\n'
    'base_url = "https://api.litmos.test/v1.svc"\napi_key = "k-1"\nsource = "syncd"\n'
)


@pytest.mark.parametrize(
    ("keys", "notify"),
    [
        ("send_course_emails = true\n", True),
        ("send_course_emails = false\n", False),
        ("send_course_emails = true\nnotify = true\n", True),
        ("notify = true\n", True),
    ],
)
def test_send_course_emails_is_the_deprecated_spelling_of_notify(
    tmp_path: Path, keys: str, notify: bool
) -> None:
    (target,) = load(tmp_path, LITMOS + keys).targets
    assert target.notify is notify


def test_send_course_emails_and_notify_set_differently_is_an_error(tmp_path: Path) -> None:
    assert_error(
        tmp_path,
        LITMOS + "send_course_emails = true\nnotify = false\n",
        "targets[0] (lt): send_course_emails = true contradicts notify = false "
        "(send_course_emails is the deprecated spelling of notify: set notify alone)",
    )


def test_a_litmos_source_longer_than_50_characters_is_refused(tmp_path: Path) -> None:
    litmos = (
        '[hr]\npath = "hr"\n[[targets]]\nname = "lt"\nkind = "litmos"\n'
        'base_url = "https://api.litmos.test/v1.svc"\napi_key = "k-1"\n'
        f'source = "{"s" * 51}"\n'
    )
    assert_error(
        tmp_path, litmos, "targets[0] (lt).source: string should have at most 50 characters"
    )
