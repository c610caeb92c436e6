"""What `syncd check` verifies besides the targets, and what every command checks first.

The status database answers (a connection and `SELECT 1`); the HR source reads (the
CSV folder and files, or the SQL source's queries) exactly as the next import would.
A problem is a ConfigError naming the file and the key (exit 2).
"""

from __future__ import annotations

from syncd.config import Config
from syncd.errors import ConfigError
from syncd.reconcile.hr_import import read_hr_source
from syncd.store import probe


def require_hr_source(config: Config) -> str:
    """How the HR source read, for `check`; a ConfigError naming the key if it does not."""
    hr = config.hr
    try:
        snapshot = read_hr_source(config)
    except ConfigError as err:
        if str(err).startswith(str(config.source_path)):
            raise  # it names the config file and its key already (hr.url, hr.path...)
        # a CSV file's own problem names that file: say which setting leads to it
        raise ConfigError(f"{config.source_path}: hr.path: {err}") from None
    where = f"csv {hr.path}" if hr.source == "csv" else f"sql {probe.shown(hr.url or '')}"
    people, quarantined = len(snapshot.people), len(snapshot.quarantined)
    return f"hr ({where}): ok, {people} people read, {quarantined} rows to quarantine"
