"""The course-code table: the target's mapping wins over the LMS's own codes, both ways."""

from __future__ import annotations

from syncd.reconcile.courses import CourseCodes
from syncd.records import CourseCode, RemoteCourse, RemoteId

COURSES = (
    RemoteCourse(RemoteId("c1"), "SEC-101", "Security"),
    RemoteCourse(RemoteId("c2"), "GDPR", "Privacy"),
    RemoteCourse(RemoteId("c3"), "", "No code"),
)


def test_the_lms_codes_name_its_courses_both_ways() -> None:
    codes = CourseCodes.of(COURSES, None)
    assert codes.id_of(CourseCode("SEC-101")) == "c1"
    assert codes.code_of(RemoteId("c2")) == "GDPR"
    assert codes.code_of(RemoteId("c3")) is None  # a course without a code has no name
    assert codes.id_of(CourseCode("")) is None


def test_the_target_mapping_wins_over_the_lms_code() -> None:
    codes = CourseCodes.of(COURSES, {"SEC-101": "c9", "LEGACY": "c3"})
    assert codes.id_of(CourseCode("SEC-101")) == "c9"
    assert codes.code_of(RemoteId("c9")) == "SEC-101"
    assert codes.code_of(RemoteId("c3")) == "LEGACY"  # known through the mapping only
    assert codes.id_of(CourseCode("LEGACY")) == "c3"
