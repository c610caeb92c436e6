"""Can syncd reach a database? One connection and `SELECT 1`, nothing written.

Called by the CLI before it opens the status database (and by `syncd check` for the
SQL HR source), so an unreachable or unusable database is one clear sentence (the URL
shown with its password masked), never a traceback.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy import exc
from sqlalchemy.pool import NullPool

from syncd.redact import scrub
from syncd.store.db import make_engine, normalize_url

CONNECT_TIMEOUT_SECONDS = 10


def unreachable(url: str) -> str | None:
    """None when the database at `url` answers `SELECT 1`; else why not, in its own words."""
    try:
        engine = _engine(url)
    except OSError as err:  # SQLite: the database's folder cannot be made
        return f"cannot create its folder: {err.strerror or err}"
    except (exc.ArgumentError, exc.NoSuchModuleError, ImportError) as err:
        return f"not a usable database URL: {_words(err)}"
    try:
        with engine.connect() as connection:
            connection.execute(sa.text("SELECT 1"))
    except exc.SQLAlchemyError as err:
        return f"cannot connect: {_words(err)}"
    finally:
        engine.dispose()
    return None


def shown(url: str) -> str:
    """`url` with its password masked, for messages."""
    try:
        return sa.make_url(url).render_as_string(hide_password=True)
    except exc.ArgumentError:
        return "<unparsable URL>"


def _engine(url: str) -> sa.Engine:
    url = normalize_url(url)
    if url.startswith("postgresql"):  # never hang on a host that does not answer
        timeout = {"connect_timeout": CONNECT_TIMEOUT_SECONDS}
        return sa.create_engine(url, poolclass=NullPool, connect_args=timeout)
    return make_engine(url)


def _words(err: Exception) -> str:
    original = err.orig if isinstance(err, exc.DBAPIError) and err.orig is not None else err
    text = str(original).strip() or type(original).__name__
    return scrub(text.splitlines()[0])
