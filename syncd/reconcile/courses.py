"""One course-code table per target: HR's course codes against the LMS's course ids.

Built once per cycle (`CourseCodes.of`) from the courses the fetch read and the target's
`[targets.courses]` mapping, which wins over the LMS's own codes; a course without a code
is known through the mapping only. The diff and read back look ids up into codes (whose
enrollment, whose result), the apply's refs codes up into ids (where to enroll). Pure.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from syncd.records import CourseCode, RemoteCourse, RemoteId


@dataclass(frozen=True, slots=True)
class CourseCodes:
    ids: Mapping[CourseCode, RemoteId] = field(default_factory=dict)
    codes: Mapping[RemoteId, CourseCode] = field(default_factory=dict)

    @classmethod
    def of(cls, courses: Iterable[RemoteCourse], mapping: Mapping[str, str] | None) -> CourseCodes:
        """The LMS's own codes, then the target's mapping over them."""
        own = [(CourseCode(c.code), c.remote_id) for c in courses if c.code]
        own += [(CourseCode(code), RemoteId(rid)) for code, rid in (mapping or {}).items()]
        return cls(dict(own), {rid: code for code, rid in own})

    def id_of(self, code: CourseCode) -> RemoteId | None:
        return self.ids.get(code)

    def code_of(self, remote_id: RemoteId) -> CourseCode | None:
        return self.codes.get(remote_id)
