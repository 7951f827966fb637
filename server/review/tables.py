"""Decisions on cases and the tasks a return sends to the worker's phone."""

from piccolo.columns import JSON, UUID, Boolean, ForeignKey, Integer, Text, Timestamptz, Varchar
from piccolo.table import Table

from server.accounts.tables import User
from server.areas.tables import Area
from server.cases.tables import Case


class Decision(Table, tablename="case_decision"):
    """One decision: who, on which state of the case, under which procedure, with what effect."""

    id = UUID(primary_key=True)
    case = ForeignKey(Case, index=True)
    area = ForeignKey(Area, index=True)
    action = Varchar(length=16)  # approve, reject, return, assign, object
    from_status = Varchar(length=16)
    to_status = Varchar(length=16)
    case_version = Integer()  # the version the decider saw
    procedure = Varchar(length=16)  # normal | emergency: the procedure in force
    rules = JSON(default="{}")  # the rules in force, as stored (see procedures.procedure_in_force)
    step = Varchar(length=16, default="")  # preliminary | final | ""
    reason_code = Varchar(length=32, default="")
    reason_text = Text(default="")
    assigned_to = ForeignKey(User, null=True, default=None)
    snapshot = UUID(null=True, default=None)  # the eligibility computation stored with it
    spot_check = Boolean(default=False, index=True)  # drawn for the district's spot check
    decided_by = ForeignKey(User, null=True)
    decided_at = Timestamptz(index=True)


class Task(Table, tablename="review_task"):
    """A request to the worker ("请补充: 厨房照片"), delivered through the sync pull."""

    id = UUID(primary_key=True)
    case = ForeignKey(Case, index=True)
    area = ForeignKey(Area, index=True)
    kind = Varchar(length=16, default="evidence")  # evidence | reinvestigate
    request = Text()
    assigned_to = ForeignKey(User, null=True)
    status = Varchar(length=16, default="open", index=True)  # open | answered
    answer = Text(default="")
    created_by = ForeignKey(User, null=True)
    created_at = Timestamptz()
    answered_by = ForeignKey(User, null=True, default=None)
    answered_at = Timestamptz(null=True, default=None)
    version = Integer(default=1)


class AnswerWait(Table, tablename="review_answer_wait"):
    """When the server first answered a `task.answer` "waiting for its evidence" (retry,
    evidence_pending): the wait is bounded from then (server/review/task_evidence.py)."""

    key = Varchar(length=64, unique=True)  # SHA-256 of the person, the case and the evidence ids named
    case = ForeignKey(Case, index=True)
    first_seen = Timestamptz()
