"""`syncd status`: the status database's runs, failures, jobs and quarantine, and the
coming changes of HR's effective dates, as text or JSON. It loads the config, the store,
the HR rules and the renderer only: no connector, simulator or reconcile engine, so that
it answers fast (`tests/e2e/test_cli.py` pins which modules it leaves unloaded)."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from syncd.cli import render
from syncd.cli.opening import load, require_database
from syncd.hr.tenure import UPCOMING, upcoming
from syncd.store import Database, Session
from syncd.store.mirror import applied_at, coming_timelines, last_applied_import
from syncd.store.status import status_document


def status(args: argparse.Namespace) -> int:
    config = load(args)
    require_database(config)
    db = Database(config.database.url)
    try:
        db.upgrade()
        targets = [(t.name, t.kind) for t in config.chosen(args.target)]
        with db.session() as session:
            doc = status_document(session, targets) | {"upcoming": _upcoming(session)}
        text = render.status_json(doc) if args.format == "json" else render.status_text(doc)
        sys.stdout.write(text)
        return 0
    finally:
        db.dispose()


def _upcoming(session: Session) -> list[dict[str, Any]]:
    """The next changes HR's dates make that the mirror has not taken yet: those after the
    moment of the last accepted import (the next import takes those due by then)."""
    last = last_applied_import(session)
    if last is None:
        return []
    moment = applied_at(last)
    changes = upcoming(coming_timelines(session, moment, UPCOMING), moment)
    return [render.change_json(c.at, c.employee_id, c.text) for c in changes]
