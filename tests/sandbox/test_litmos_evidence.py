"""The vendored Litmos evidence is the public files, byte for byte, and reads whole.

The OpenAPI document and its licence ship inside the package (the simulator validates
from them at run time); the 22 VCR cassettes and their licence live in tests/evidence/.
Git blob hashes are checked against the provenance files beside them.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from syncd.sandbox.litmos.spec import SPEC_FILE
from tests.evidence.litmos_cassettes import CASSETTES, cassette_files, interactions

SPEC_BLOB = "5eb1c3a25eb9964abe147ef7660fb45e396d6696"
APACHE_LICENSE_BLOB = "261eeb9e9f8b2b4b0d119366dda99c6fd7d35c64"
BSD_LICENSE_BLOB = "76b2ad4177c56bbb5dd798e4aeda41aa3d568bbd"
ROW = re.compile(r"^\| `([^`]+)` \| (\d+) \| `([0-9a-f]{40})` \|$")


def git_blob(path: Path) -> str:
    data = path.read_bytes()
    return hashlib.sha1(b"blob %d\0" % len(data) + data, usedforsecurity=False).hexdigest()


def test_the_openapi_document_and_its_licence_ship_with_the_simulator() -> None:
    assert git_blob(SPEC_FILE) == SPEC_BLOB
    assert SPEC_FILE.stat().st_size == 359_388
    assert git_blob(SPEC_FILE.parent / "LICENSE") == APACHE_LICENSE_BLOB
    sources = (SPEC_FILE.parent / "SOURCES.md").read_text(encoding="utf-8")
    assert SPEC_BLOB in sources
    assert APACHE_LICENSE_BLOB in sources


def test_the_cassettes_are_the_listed_files_byte_for_byte() -> None:
    table = (CASSETTES.parent / "SOURCES.md").read_text(encoding="utf-8").splitlines()
    listed = {m[1]: (int(m[2]), m[3]) for line in table if (m := ROW.match(line))}
    found = {p.name: (p.stat().st_size, git_blob(p)) for p in cassette_files()}
    assert len(found) == 22
    assert found == listed
    assert git_blob(CASSETTES / "LICENSE") == BSD_LICENSE_BLOB


def test_the_loader_reads_67_interactions() -> None:
    recorded = interactions()
    assert len(recorded) == 67
    first = recorded[0]
    assert (first.file, first.index, first.method) == ("add-sub-team.yml", 0, "GET")
    assert (first.path, first.query) == (
        "/v1.svc/teams/JyLa085jwVs1",
        {"source": "app-name12345", "format": "json"},
    )
    assert first.request_headers["apikey"] == "app-key12345"  # the placeholder VCR left
    created = next(i for i in recorded if i.file == "add-sub-team.yml" and i.method == "POST")
    assert created.request_body == {
        "Id": "",
        "Name": "Bob's A-Team",
        "Description": "Make Pies Great Again",
    }
    assert created.status == 201
