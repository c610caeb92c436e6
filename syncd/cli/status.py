"""`syncd status`: the status database's runs, failures, jobs and quarantine, as text
or JSON. It loads the config, the store and the renderer only: no connector, simulator
or reconcile engine, so that it answers fast (`tests/e2e/test_cli.py` pins which
modules it leaves unloaded)."""

from __future__ import annotations

import argparse
import sys

from syncd.cli import render
from syncd.cli.opening import load, require_database
from syncd.store import Database
from syncd.store.status import status_document


def status(args: argparse.Namespace) -> int:
    config = load(args)
    require_database(config)
    db = Database(config.database.url)
    try:
        db.upgrade()
        targets = [(t.name, t.kind) for t in config.chosen(args.target)]
        with db.session() as session:
            doc = status_document(session, targets)
        text = render.status_json(doc) if args.format == "json" else render.status_text(doc)
        sys.stdout.write(text)
        return 0
    finally:
        db.dispose()
