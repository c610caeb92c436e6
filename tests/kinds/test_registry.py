"""The registrations of the LMS kinds: one per kind, read by the config validator, the
connector builder, `syncd sandbox` and the default config."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from syncd.config import kind_of
from syncd.connectors import docebo
from syncd.connectors.docebo.settings import DoceboTarget
from syncd.errors import ConfigError
from syncd.kinds import KINDS, LmsKind, demo_targets, lookup, register, registered, serve_all
from syncd.sandbox.docebo.demo import DEMO as DOCEBO_DEMO

REPO = Path(__file__).parents[2]


def test_the_four_kinds_in_the_order_config_errors_list_them() -> None:
    assert [kind.kind for kind in KINDS] == ["docebo", "dokeos", "coursepath", "litmos"]
    assert registered() == KINDS
    assert all(kind_of(kind.target_model) == kind.kind for kind in KINDS)


def test_a_registration_whose_model_names_another_kind_is_refused() -> None:
    with pytest.raises(ValueError, match="DoceboTarget stands for kind 'docebo'"):
        LmsKind("toy", DoceboTarget, docebo.factory, DOCEBO_DEMO, 9)


def test_an_unknown_kind_is_a_config_error_naming_the_known_ones() -> None:
    with pytest.raises(ConfigError, match="known: coursepath, docebo, dokeos, litmos"):
        lookup("nope")


def test_register_refuses_a_kind_or_a_port_already_taken() -> None:
    with pytest.raises(ValueError, match="taken"), register(KINDS[0]):
        pass
    assert registered() == KINDS


def test_the_default_config_lists_one_in_process_sandbox_of_each_kind() -> None:
    with (REPO / "config" / "syncd.toml").open("rb") as file:
        targets = tomllib.load(file)["targets"]
    assert targets == demo_targets()


def test_syncd_sandbox_serves_the_kinds_on_the_ports_the_docs_give() -> None:
    served = serve_all("127.0.0.1", 0)
    try:
        assert [s.kind for s in served] == ["docebo", "dokeos", "litmos", "coursepath"]
    finally:
        for server in served:
            server.shutdown()
    ports = {kind.kind: kind.sandbox_port for kind in KINDS}
    assert ports == {"docebo": 0, "dokeos": 1, "litmos": 2, "coursepath": 3}
