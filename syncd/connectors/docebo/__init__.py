"""The Docebo connector: users, branches, groups, courses and enrollments over Docebo's API.

`DoceboConnector` reads a platform into records (`fetch`, streamed page by page) and
carries out batches of one operation kind (`apply`), one request at a time. The wire
is docs/lms/docebo.md; `client.py` speaks HTTP, `reads.py` and `tree.py` read,
`mapping.py` turns items into records (its tables: the key spellings it accepts and
their sources), `writes.py` and `answers.py` write.

Decisions where public sources are silent:
- Auth is the password grant, as a form, renewed at 90 % of `expires_in`; a new
  grant rather than the refresh_token grant, so no refresh token is ever relied on.
- Users are created and updated through `POST /manage/v1/user/batch` with
  `update_user_info=true`, so a create resent after a lost answer updates the same
  username: the call is idempotent. Creates and updates share a call (`upserts_users`),
  the update rows first, so a username or email an update gives up is free for a create.
  No password or level is sent with a user; a new user's row names the branch the
  create carries (`branch_code`, with `branch_option` "existing": a code naming no one
  branch fails that row, and the carried membership with it; no branch is ever created
  that way). An update sends
  `user_id` and, only when the username changed, `new_username`. A (de)activation is a
  row of `user_id` and `active` in the same call where the engine packs it there
  (`status_in_user_rows`: where that takes no more calls); a batch of one status alone
  goes through `change_status` (1,000 ids a call).
- A person's branch removal rides with their branch addition (`moves_members`) and
  the pair is one `move_to_branch` per destination when the fetch showed that person
  in exactly one branch; `move_to_branch` is read strictly (it takes the user out of
  every other branch), so anyone else gets `assign_users` and `remove_from_branch`.
- `batch_size` bounds user rows and deleted ids a call (default 100, Docebo's job
  chunk_size); status, member and enrollment calls carry up to 1,000 ids.
- Deletion (only planned for targets with `on_leave = "delete"`) is
  `DELETE /manage/v1/user/delete` by `user_ids`; an operation is Applied when its
  id is in `deleted_user_ids`. It is not resent after a lost answer (a resend could
  only report "not found"): the lane stops and the next cycle's read decides.
- Docebo has no employee-id field: accounts are adopted by username, then email.
- Branches are created and deleted through the branch batch (`branch_batch.py`), up to
  1,000 rows a call: creates wave by wave (rows do not see each other's branches, the
  strict reading), each naming its parent by code, with `update` false, so a code that
  exists answers that branch's id (a resend after a lost answer adopts it); a row
  answered without an id takes it from one walk of the tree. Deletes go by id, the
  rows refused beside others that went through sent again; "not found" is done.
  Renames and moves stay one call each, addressed by code
  (`use_secondary_identifier=true`): a batch row with `update` true replaces every
  translation and the parent at once. The name is written as the English title and
  read back from `translation` (English first) or `title`. Config groups are
  written through the legacy `/manage/v1/group` endpoints, keyed by name (no code
  on Docebo's side); their write answers are guesses (no public source).
- A group create whose answer was lost (timeout) or which Docebo refused adopts the
  group with that name if one exists, instead of creating twice; else the error stands.
  Deleting what is already gone (404) is done. Moving a config group is rejected:
  Docebo groups are flat.
- Reads are tolerant: each item's id and fields come from whichever documented
  spelling is present (2017 SDK, today's columns), and an item with none of them is
  a FatalError naming its keys. Writes send what they always sent.
- The tree is read with `flattened=true` from the root (all of it on a modern
  tenant); branches the answer shows with children it does not list are listed
  next by `node_id` (a 2017 tenant ignores the flag: root, then each inner branch).
  Groups are read from audiences, else (404) `/manage/v1/group`; enrollments from the
  one `/learn/v1/enrollments` list, never more pages than each course's (learning-plan
  items skipped), else (404) each course's list; decided once a connector.
- Lists are read ascending on their id (`user_id`, `id`, `group_id`; members by
  `user_id`) so pages do not shift; a branch seen twice is a FatalError.
- Enrollments are sent at level 3 (student), one request per course; HR due dates
  are not sent (no documented field). A course code mapped in the target's
  `courses` table wins over the engine's course link. Member and enrollment writes
  state an end state, so they are resent after a lost answer; an operation is
  Applied only when Docebo lists its user as done, else Rejected with the line
  naming it (a refused request: Docebo's message and the HTTP status).
- Learners' results are read back from the enrollment list `fetch` already reads
  (no extra request, no `ReadsBack`: the list's updated-from filter is not
  documented by name): every RemoteEnrollment carries `progress`, with the
  enrollment date as enrolled_at, the completion date as completed_at, the score
  and the status as sent (mapping.ENROLLMENT names each field's spellings). Dates
  are Docebo's "YYYY-MM-DD HH:MM:SS" UTC text (ISO 8601 also read); an empty or
  unparseable one is None, the status unchanged.
- Emails (`notify`, every target's): every user batch sends `send_notification_email` as
  `notify` (no source gives its default, so off is said, never left out); on, each new user
  gets Docebo's notification email and `capabilities.side_effects` says so. syncd sends
  no background job (`POST /manage/v1/job`, whose `notify` emails the job's author).
- 409 (Docebo refusing a concurrent batch or branch call, from another client) is
  retried like a 503. `Adopt` is the engine's: answered Applied, never sent.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import ClassVar, assert_never

from syncd.config import TargetBase
from syncd.connectors.base import (
    NOTHING_LINKED,
    Capabilities,
    Connector,
    ConnectorContext,
    CreateCarries,
    Effect,
    Linked,
    RemoteRefs,
    SideEffects,
)
from syncd.connectors.client import check_access
from syncd.connectors.docebo.client import USERS, Credentials, DoceboClient
from syncd.connectors.docebo.reads import Reader
from syncd.connectors.docebo.settings import DoceboTarget
from syncd.connectors.docebo.writes import Writer
from syncd.connectors.http import HttpStats
from syncd.connectors.outcomes import (
    ClientSettings,
    adopted,
    moved_batch,
    one_by_one,
    same_kind,
    upserted_batch,
)
from syncd.errors import ConfigError
from syncd.operations import (
    AddMember,
    Adopt,
    CreateGroup,
    CreateUser,
    DeactivateUser,
    DeleteGroup,
    DeleteUser,
    Enroll,
    MoveGroup,
    Operation,
    OpKind,
    Outcome,
    ReactivateUser,
    RemoveMember,
    Unenroll,
    UpdateGroup,
    UpdateUser,
)
from syncd.records import FetchItem, GroupKind
from syncd.redact import register

__all__ = ["DoceboConnector", "capabilities", "factory"]

MAX_USER_BATCH = 1000
# Every other list-taking write takes at most 1,000 ids a call [decided] (docs/lms/docebo.md).
MAX_IDS = 1000
# `batch_size` bounds what concerns accounts wholesale: user rows, and hard deletes.
USER_ROWS = (OpKind.CREATE_USER, OpKind.UPDATE_USER, OpKind.DELETE_USER)
# Branch creates and deletes: rows of the branch batch, at most 1,000 items [decided].
BRANCH_ROWS = (OpKind.CREATE_GROUP, OpKind.DELETE_GROUP)
ID_LISTS = (
    OpKind.DEACTIVATE_USER,
    OpKind.REACTIVATE_USER,
    OpKind.ADD_MEMBER,
    OpKind.REMOVE_MEMBER,
    OpKind.ENROLL,
    OpKind.UNENROLL,
)
BRANCHES = frozenset({GroupKind.ORG_UNIT})
CARRIES = CreateCarries(member_kinds=BRANCHES, members=1)


def capabilities(target: DoceboTarget) -> Capabilities:
    """User rows and deleted ids `batch_size` a call (default 100, Docebo's own job
    chunk_size; at most 1,000), creates and updates in one batch (the user batch upserts);
    status, member and enrollment calls 1,000 ids; one at a time for every group op. A new
    user's row carries their branch (`branch_code`); a (de)activation may be a row too
    (`active`); a branch removal rides with the person's branch addition, so the pair can
    be one move."""
    rows = max(1, min(target.batch_size, MAX_USER_BATCH))
    return Capabilities(
        batch_sizes={
            **dict.fromkeys(USER_ROWS, rows),
            **dict.fromkeys(ID_LISTS + BRANCH_ROWS, MAX_IDS),
        },
        natural_keys=("username", "email"),
        groups_have_codes=True,
        create_carries=CARRIES,
        moves_members=BRANCHES,
        upserts_users=True,
        status_in_user_rows=True,
        side_effects=_side_effects(target),
    )


def _side_effects(target: DoceboTarget) -> SideEffects:
    """What Docebo does on its own, as `notify` sets the user batch's switch
    (`send_notification_email`, on every user batch): on, each new user gets Docebo's
    notification email; off, nothing. No source says Docebo emails on an enrollment, a
    branch or group change, takes a seat or deletes results on any write syncd makes; the
    one email has a switch, so nothing is unswitchable."""
    if target.notify:
        return SideEffects({OpKind.CREATE_USER: {Effect.WELCOME_EMAIL: 1}})
    return SideEffects()


def _one_status(batch: Sequence[Operation]) -> bool:
    """Whether the batch only (de)activates, all one way: `change_status` takes it whole."""
    return len({type(op) for op in batch}) == 1


def _activates(op: DeactivateUser | ReactivateUser) -> bool:
    return isinstance(op, ReactivateUser)


def _write(writer: Writer, batch: Sequence[Operation]) -> list[Outcome]:  # noqa: PLR0912 - one case per operation kind
    """The batch, of one kind, through the Writer method that sends that kind's requests
    (user creates and updates, with the branch memberships the creates carry; member
    additions with the removals that pair with them)."""
    first = batch[0]
    match first:
        case Adopt():
            return adopted(same_kind(batch, first))
        case DeactivateUser() | ReactivateUser() if _one_status(batch):
            return writer.change_status(same_kind(batch, first), active=_activates(first))
        case CreateUser() | UpdateUser() | DeactivateUser() | ReactivateUser():
            users, riders = upserted_batch(batch, CARRIES)
            return writer.write_users(users, [r for r in riders if isinstance(r, AddMember)])
        case DeleteUser():
            return writer.delete_users(same_kind(batch, first))
        case CreateGroup():
            return writer.create_groups(same_kind(batch, first))
        case UpdateGroup():
            return one_by_one(same_kind(batch, first), writer.rename_group)
        case MoveGroup():
            return one_by_one(same_kind(batch, first), writer.move_group)
        case DeleteGroup():
            return writer.delete_groups(same_kind(batch, first))
        case AddMember():
            return writer.add_members(*moved_batch(batch, BRANCHES))
        case RemoveMember():
            return writer.remove_members(same_kind(batch, first))
        case Enroll():
            return writer.enroll(same_kind(batch, first))
        case Unenroll():
            return writer.unenroll(same_kind(batch, first))
        case _:
            assert_never(first)


class DoceboConnector:
    """One Docebo target: `fetch` reads it, `apply` writes to it, `check` proves access."""

    kind: ClassVar[str] = "docebo"

    def __init__(self, target: DoceboTarget, ctx: ConnectorContext) -> None:
        register(*target.secret_values())
        self._target = target
        self._client = DoceboClient(ClientSettings.of(target, ctx), _credentials(target))
        self._reader = Reader(self._client)
        self.capabilities = capabilities(target)

    @property
    def stats(self) -> tuple[HttpStats, HttpStats]:
        """Counters of the API calls and of the token calls, for benchmarks."""
        return self._client.stats

    def check(self) -> None:
        check_access(self._client, USERS, {"page_size": 1}, f"Docebo target {self._target.name}")

    def close(self) -> None:
        self._client.close()

    # --- reads ---------------------------------------------------------------------------

    def fetch(self, linked: Linked = NOTHING_LINKED) -> Iterator[FetchItem]:
        return self._reader.records()

    # --- writes --------------------------------------------------------------------------

    def apply(self, batch: Sequence[Operation], refs: RemoteRefs) -> list[Outcome]:
        if not batch:
            return []
        reader = self._reader
        courses = self._target.courses
        counts, ids = reader.branch_counts, reader.branch_ids
        writer = Writer(self._client, refs, courses, counts, ids, notify=self._target.notify)
        return _write(writer, batch)


def factory(target: TargetBase, ctx: ConnectorContext) -> Connector:
    """The registry's entry for kind "docebo"."""
    if not isinstance(target, DoceboTarget):
        raise ConfigError(f"target {target.name}: kind {target.kind!r} is not docebo")
    return DoceboConnector(target, ctx)


def _credentials(target: DoceboTarget) -> Credentials:
    return Credentials(target.client_id, target.client_secret, target.username, target.password)
