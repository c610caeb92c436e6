"""The configuration: a TOML file with ${ENV} interpolation, validated into frozen models.

The CLI loads it once (`syncd.kinds.load_config`, which hands `load_config` the target
models of the registered LMS kinds); every other room receives the `Config` (or one
target) and never reads the file. Every problem is a ConfigError naming the file and
the key path; unknown keys are errors; credentials are registered with `syncd.redact`
as soon as the file is loaded.

Decisions: relative paths (hr.path, hr.export_path, a sqlite file, sandbox_state) are
kept as written and so resolve against the working directory, not the config file's
folder; `$${VAR}` stands for a literal `${VAR}`; target names and group codes are
`[A-Za-z0-9._-]+` (they name files and CLI arguments); a base URL loses its trailing
slash; `targets` may be empty; the database URL's password is registered as a secret.
"""

from __future__ import annotations

from syncd.config.loading import config_model, load_config
from syncd.config.sections import (
    Config,
    DatabaseConfig,
    EnrollmentRule,
    GroupRule,
    HrConfig,
    HrQueries,
    LoggingConfig,
    MetricsConfig,
    SafetyConfig,
    ScheduleConfig,
    SqlSink,
)
from syncd.config.targets import TargetBase, kind_of
from syncd.config.values import (
    DEFAULT_SANDBOX_DIR,
    ORG_UNIT_PREFIX,
    Limit,
    parse_duration,
    parse_limit,
)

__all__ = [
    "DEFAULT_SANDBOX_DIR",
    "ORG_UNIT_PREFIX",
    "Config",
    "DatabaseConfig",
    "EnrollmentRule",
    "GroupRule",
    "HrConfig",
    "HrQueries",
    "Limit",
    "LoggingConfig",
    "MetricsConfig",
    "SafetyConfig",
    "ScheduleConfig",
    "SqlSink",
    "TargetBase",
    "config_model",
    "kind_of",
    "load_config",
    "parse_duration",
    "parse_limit",
]
