"""What every command does first: find and load the config, set up logging, and make
sure the status database answers (else a ConfigError naming `database.url`, exit 2,
never a driver's traceback). Light on imports: `syncd status` goes no further."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from syncd.cli import DEFAULT_CONFIG
from syncd.config import Config
from syncd.errors import ConfigError
from syncd.kinds import load_config
from syncd.logging import configure
from syncd.store import probe


def config_path(args: argparse.Namespace) -> Path:
    given = getattr(args, "config", None)
    return Path(given or os.environ.get("SYNCD_CONFIG") or DEFAULT_CONFIG)


def load(args: argparse.Namespace) -> Config:
    config = load_config(config_path(args))
    configure(config.logging.level, config.logging.format)
    return config


def require_database(config: Config) -> str:
    """How the status database was reached, for `check`; a ConfigError if it cannot be."""
    url = config.database.url
    problem = probe.unreachable(url)
    if problem is not None:
        raise ConfigError(
            f"{config.source_path}: database.url ({probe.shown(url)}): "
            f"the status database {problem}"
        )
    return f"database ({probe.shown(url)}): ok, connected"
