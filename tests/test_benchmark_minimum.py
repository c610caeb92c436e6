"""The independent minimum of each LMS on one tiny hand-made change, counted by hand.

Before: a, b and d are active; a and d sit in branch/team/group S, b in E; all three in
the config group All; each has SEC-101; the catalog holds SEC-101 and ENG-210.
After: a moved from S to E and given ENG-210; b renamed; c hired into S and All with
SEC-101; d deactivated (HR no longer has d active: memberships and courses stay).
Each test's docstring works the count out from the LMS's documented limits
(benchmarks/README.md).
"""

from __future__ import annotations

from collections import Counter

from benchmarks.hrdata import CYCLE_RULES_TOML, HrData, Unit
from benchmarks.minimum import coursepath, docebo, dokeos, litmos
from benchmarks.minimum.desired import desired
from benchmarks.minimum.state import GroupKey, LmsState, changes, mismatches

COURSES = ("ENG-210", "SEC-101")


def _states(s: GroupKey, e: GroupKey, everyone: GroupKey) -> tuple[LmsState, LmsState]:
    user = {
        "a": ("a@x.test", "Ada", "One", True),
        "b": ("b@x.test", "Ben", "Two", True),
        "d": ("d@x.test", "Dan", "Four", True),
    }
    groups = {s: ("Sales", None), e: ("Eng", None), everyone: ("All", None)}
    before = LmsState(
        users=user,
        groups=groups,
        members=frozenset({(s, "a"), (s, "d"), (e, "b"), *((everyone, u) for u in "abd")}),
        enrollments=frozenset({("SEC-101", "a"), ("SEC-101", "b"), ("SEC-101", "d")}),
        courses=COURSES,
    )
    after = LmsState(
        users={
            **user,
            "b": ("b@x.test", "Ben", "Twice", True),
            "c": ("c@x.test", "Cid", "Three", True),
            "d": ("d@x.test", "Dan", "Four", False),
        },
        groups=groups,
        members=frozenset(
            {(e, "a"), (s, "d"), (e, "b"), (s, "c"), *((everyone, u) for u in "abcd")}
        ),
        enrollments=before.enrollments | {("SEC-101", "c"), ("ENG-210", "a")},
        courses=COURSES,
    )
    return before, after


def test_the_changes_are_the_set_differences() -> None:
    before, after = _states(("org_unit", "S"), ("org_unit", "E"), ("group", "all"))

    change = changes(before, after)

    assert (change.created, change.updated, change.deactivated) == ({"c"}, {"b"}, {"d"})
    assert change.added == {
        (("org_unit", "E"), "a"),
        (("org_unit", "S"), "c"),
        (("group", "all"), "c"),
    }
    assert change.removed == {(("org_unit", "S"), "a")}
    assert change.enrolled == {("SEC-101", "c"), ("ENG-210", "a")}
    assert not change.unenrolled


def test_docebo_minimum() -> None:
    """Reads, 200 a page: token 1, users 1, the flattened tree 1, audiences 1, courses 1,
    each branch's users 2 (S, E), All's members 1, enrollments 1 (the one list of 3,
    fewer than SEC-101's and ENG-210's lists, 2): 9.
    Writes: one user batch carries c (with its branch), b's update and d's status (3 rows
    of 100; apart, change_status would add a call); a is moved to E by one move_to_branch;
    c joins All in one group call; one enrollment call per course (SEC-101, ENG-210): 5."""
    before, after = _states(("org_unit", "S"), ("org_unit", "E"), ("group", "All"))

    reads, writes = docebo.reads(before), docebo.writes(before, after)

    assert reads.total() == 9
    assert reads["GET /learn/v1/enrollments"] == 1
    assert reads["GET /manage/v1/orgchart/{branch_id}/users"] == 2
    assert writes == Counter(
        {
            "POST /manage/v1/user/batch": 1,
            "PUT /manage/v1/user/move_to_branch": 1,
            "POST /manage/v1/group/{id}/members": 1,
            "POST /learn/v1/enrollments": 2,
        }
    )


def test_litmos_minimum() -> None:
    """Reads, 1,000 a page, a short page ending the walk: users 1, teams 1, courses 1,
    results 1, each team's sub-teams 3 and active members 3: 10.
    Writes: one import whose rows are b (renamed), c (new, Team S and All, Course SEC-101),
    d (Active false) and a (Team E, Course ENG-210), with its status and usererrors
    polls: 3 requests; a leaves S by one DELETE: 4. Without the import: POST c, PUT b and
    d, a call per team gaining members (E, S, All), one per person gaining courses (a, c):
    8, so the import it is. 14 in all."""
    before, after = _states(("org_unit", "S"), ("org_unit", "E"), ("group", "all"))

    reads, writes = litmos.reads(before), litmos.writes(before, after)

    assert reads.total() == 10
    assert writes == Counter(
        {
            "POST /v1.svc/bulkimports": 1,
            "GET /v1.svc/bulkimports/{bulkImportId}": 1,
            "GET /v1.svc/bulkimports/{bulkImportId}/usererrors": 1,
            "DELETE /v1.svc/teams/{teamId}/users/{userId}": 1,
        }
    )


def test_a_litmos_import_holds_2000_kb() -> None:
    """Rows of 1,000 bytes: 1,999 fit in one import with its envelope (2,000,000 bytes,
    the smaller reading of 2000 KB), 2,001 take two."""
    assert litmos._imports([1000] * 1999) == 1
    assert litmos._imports([1000] * 2001) == 2


def test_dokeos_minimum() -> None:
    """Reads, 100 a page: users, groups (members inline), trainings, participations: 4.
    Writes: POST c; PUT b and d; one PUT per group whose learners change (E gains a, S
    loses a and gains c, All gains c): 3; one POST per participation (c SEC-101, a
    ENG-210): 2; 8 writes, and a job poll for each of the 5 that answer with a job: 17."""
    before, after = _states(("org_unit", "S"), ("org_unit", "E"), ("group", "all"))

    reads, writes = dokeos.reads(before), dokeos.writes(before, after)

    assert reads.total() == 4
    assert writes == Counter(
        {
            "POST /users": 1,
            "PUT /users/{id}": 2,
            "PUT /groups/{id}": 3,
            "POST /participations": 2,
            "GET /jobs/{job_id}": 5,
        }
    )


def test_coursepath_minimum() -> None:
    """Reads, 1,000 a page: members (the acting member too) 1, groups 1, courses 1, each
    group's members 3, each course's members 2, and each of the 3 results: 11.
    Writes: c created straight into SEC-101 (one call); b and d updated (2); a joins Eng,
    c joins Sales and All (3); a leaves Sales (1); a enrolled in ENG-210 (1): 8. 19 in all."""
    before, after = _states(("group", "Sales"), ("group", "Eng"), ("group", "All"))

    reads, writes = coursepath.reads(before), coursepath.writes(before, after)

    assert reads.total() == 11
    assert writes == Counter(
        {
            "POST /api/v1/courses/{course_id}/members": 1,
            "POST /api/v1/members/{member_id}": 2,
            "POST /api/v1/members/{member_id}/groups": 3,
            "DELETE /api/v1/members/{member_id}/groups": 1,
            "POST /api/v1/courses/{course_id}/members/{member_id}/coursemember": 1,
        }
    )


def test_nothing_changed_needs_no_write_on_any_lms() -> None:
    before, _ = _states(("org_unit", "S"), ("org_unit", "E"), ("group", "all"))

    for minimum in (docebo, litmos, dokeos, coursepath):
        assert minimum.writes(before, before) == Counter()


def _row(emp: str, name: str, status: str, unit: str) -> dict[str, str]:
    return {
        "employee_id": emp, "first_name": name, "last_name": "Doe", "email": f"{name}@x.test",
        "status": status, "org_unit": unit, "manager_id": "", "department": "Sales",
        "country": "US", "job_level": "staff",
    }  # fmt: skip


def test_hr_s_desired_state_deactivates_leavers_and_keeps_what_they_had() -> None:
    """ann is active in SAL; bob is inactive in HR and cy gone from it: both deactivated,
    their memberships and courses as they were; dee, inactive and unknown, is not created."""
    units = [
        Unit("ACME", "Acme", "", None, None, 1),
        Unit("SAL", "Sales", "ACME", "Sales", None, 2),
    ]
    people = [_row("E1", "ann", "active", "SAL"), _row("E2", "bob", "inactive", "SAL")]
    data = HrData(units, [*people, _row("E4", "dee", "inactive", "SAL")])
    bob, cy = ("bob@x.test", "bob", "Doe", True), ("cy@x.test", "cy", "Doe", True)
    before = LmsState(
        users={"bob@x.test": bob, "cy@x.test": cy},
        members=frozenset({(("org_unit", "ACME"), "bob@x.test")}),
        enrollments=frozenset({("ENG-210", "cy@x.test")}),
    )

    wanted = desired(data, CYCLE_RULES_TOML, before, docebo.key, nested=True)

    assert wanted.users == {
        "ann@x.test": ("ann@x.test", "ann", "Doe", True),
        "bob@x.test": ("bob@x.test", "bob", "Doe", False),
        "cy@x.test": ("cy@x.test", "cy", "Doe", False),
    }
    assert wanted.groups[("org_unit", "SAL")] == ("Sales", ("org_unit", "ACME"))
    assert wanted.members == {
        (("org_unit", "SAL"), "ann@x.test"),
        (("group", "All Staff"), "ann@x.test"),
        (("org_unit", "ACME"), "bob@x.test"),
    }
    assert wanted.enrollments == {("SEC-101", "ann@x.test"), ("ENG-210", "cy@x.test")}
    assert mismatches(wanted, wanted) == []
    assert mismatches(before, wanted)[0].startswith("users: 0 extra, 1 missing, 2 differ")


def test_docebo_new_branches_under_new_branches_take_a_second_branch_call() -> None:
    """Two new branches, one under the other: the batch checks each row against the tree
    before the call, so the child is created at the root, then placed: 2 calls, not 1."""
    flat = LmsState(groups={("org_unit", "A"): ("A", None), ("org_unit", "B"): ("B", None)})
    nested = LmsState(
        groups={("org_unit", "A"): ("A", None), ("org_unit", "B"): ("B", ("org_unit", "A"))}
    )
    assert docebo.writes(LmsState(), flat)["POST /manage/v1/orgchart/batch"] == 1
    assert docebo.writes(LmsState(), nested)["POST /manage/v1/orgchart/batch"] == 2
