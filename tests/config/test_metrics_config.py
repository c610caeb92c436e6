"""`[metrics]`: off unless a port is set; its errors name the file and the key."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from syncd.scheduler import health_window
from tests.config.test_config import BASE, error_lines, load


def test_metrics_are_off_by_default_and_healthy_within_two_intervals(tmp_path: Path) -> None:
    config = load(tmp_path, BASE + '[schedule]\nreconcile_every = "20m"\n')
    assert config.metrics.port is None
    assert config.metrics.host == "0.0.0.0"
    assert health_window(config) == dt.timedelta(minutes=40)


def test_metrics_keys(tmp_path: Path) -> None:
    text = BASE + '[metrics]\nport = 9464\nhost = "127.0.0.1"\nhealthy_within = "1h"\n'
    config = load(tmp_path, text)
    assert (config.metrics.port, config.metrics.host) == (9464, "127.0.0.1")
    assert health_window(config) == dt.timedelta(hours=1)


def test_metrics_errors_name_file_and_key(tmp_path: Path) -> None:
    path = tmp_path / "syncd.toml"
    text = BASE + '[metrics]\nport = 70000\nhealthy_within = "soon"\nscrape = true\n'
    lines = error_lines(tmp_path, text)
    assert len(lines) == 3, lines
    assert any(line.startswith(f"{path}: metrics.port: ") for line in lines), lines
    assert any(line.startswith(f"{path}: metrics.healthy_within: ") for line in lines), lines
    assert f"{path}: metrics.scrape: unknown key" in lines, lines


def test_a_port_written_as_text_is_refused(tmp_path: Path) -> None:
    lines = error_lines(tmp_path, BASE + '[metrics]\nport = "9464"\n')
    assert any("metrics.port" in line for line in lines), lines
