"""The compose example (deploy/): a valid Compose file, two replicas on one PostgreSQL,
Prometheus scraping both, and a config syncd accepts that points at that database.

Validity is checked by `docker compose config -q` where the compose plugin is installed,
else against the Compose Specification's JSON Schema vendored in tests/vendor/; one of
the two always runs.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import jsonschema
import yaml

from syncd.kinds import load_config

REPO = Path(__file__).parents[1]
DEPLOY = REPO / "deploy"
SCHEMA = REPO / "tests" / "vendor" / "compose-spec" / "compose-spec.json"
REPLICAS = ("syncd-a", "syncd-b")
METRICS_PORT = "9102"
SECRETS = {
    "SYNCD_DB_PASSWORD": "db-secret",
    "DOCEBO_CLIENT_ID": "id",
    "DOCEBO_CLIENT_SECRET": "client-secret",
    "DOCEBO_USER": "syncd",
    "DOCEBO_PASSWORD": "password",
}


def _compose() -> dict[str, Any]:
    return yaml.safe_load((DEPLOY / "compose.yaml").read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def _has_compose_plugin() -> bool:
    if shutil.which("docker") is None:
        return False
    answer = subprocess.run(["docker", "compose", "version"], capture_output=True, check=False)
    return answer.returncode == 0


def test_compose_file_is_valid() -> None:
    if _has_compose_plugin():
        subprocess.run(
            ["docker", "compose", "-f", str(DEPLOY / "compose.yaml"), "config", "-q"],
            env={**os.environ, **SECRETS},
            check=True,
        )
    else:
        schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
        jsonschema.Draft7Validator(schema).validate(_compose())


def test_schema_check_refuses_what_compose_refuses() -> None:
    """The fallback is a real check: an unknown service key fails it."""
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    broken = _compose()
    broken["services"]["syncd-a"]["replica"] = 2
    errors = list(jsonschema.Draft7Validator(schema).iter_errors(broken))
    assert errors


def test_two_replicas_share_postgres_and_mount_config_and_hr_read_only() -> None:
    services = _compose()["services"]
    assert services["postgres"]["healthcheck"]["test"][:2] == ["CMD", "pg_isready"]
    for name in REPLICAS:
        replica = services[name]
        assert replica["command"] == ["run", "--metrics-port", METRICS_PORT]
        assert replica["depends_on"]["postgres"] == {"condition": "service_healthy"}
        assert replica["depends_on"]["migrate"] == {"condition": "service_completed_successfully"}
        mounts = {volume.rsplit(":", 2)[1]: volume for volume in replica["volumes"]}
        assert mounts["/etc/syncd/syncd.toml"].endswith(":ro")
        assert mounts["/data/hr"].endswith(":ro")
    assert services["migrate"]["command"] == ["db", "upgrade"]


def test_prometheus_scrapes_both_replicas_on_the_metrics_port() -> None:
    scrape = yaml.safe_load((DEPLOY / "prometheus.yml").read_text(encoding="utf-8"))
    (job,) = scrape["scrape_configs"]
    (static,) = job["static_configs"]
    assert sorted(static["targets"]) == [f"{name}:{METRICS_PORT}" for name in REPLICAS]
    mounted = _compose()["services"]["prometheus"]["volumes"]
    assert "./prometheus.yml:/etc/prometheus/prometheus.yml:ro" in mounted


def test_example_config_is_accepted_and_points_at_the_compose_database() -> None:
    config = load_config(DEPLOY / "syncd.toml", SECRETS)
    url = urlsplit(config.database.url)
    assert (url.hostname, url.password) == ("postgres", "db-secret")
    assert str(config.hr.path) == "/data/hr"
    passed_on = _compose()["services"]["syncd-a"]["environment"]
    assert set(SECRETS) == set(passed_on)


def test_readme_container_section_uses_the_compose_example() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme.split("## The container", 1)[1].split("\n## ", 1)[0]
    assert "docker compose -f deploy/compose.yaml" in section
