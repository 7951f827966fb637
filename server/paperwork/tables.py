"""Signature obligations, the signatures collected for them, and the PDFs the server produced."""

from piccolo.columns import JSON, UUID, Bytea, Date, ForeignKey, Integer, Text, Timestamptz, Varchar
from piccolo.table import Table

from server.accounts.tables import User
from server.areas.tables import Area
from server.cases.tables import Case
from server.evidence.tables import Evidence
from server.households.tables import Household


class Obligation(Table, tablename="paperwork_obligation"):
    """One document that still needs signatures: kind, signers, status, due date, who collects it."""

    id = UUID(primary_key=True)
    case = ForeignKey(Case, index=True)
    # The case's community, so that scoped lists and the backlog need no join.
    area = ForeignKey(Area, index=True)
    household = ForeignKey(Household, index=True)
    decision = UUID(null=True, default=None, index=True)  # the emergency-procedure decision that opened it
    emergency_period = Integer(null=True, default=None)
    kind = Varchar(length=32)  # see server.paperwork.kinds.DOCUMENTS
    signers = JSON(default="[]")  # [{"key", "name", "role"}]
    status = Varchar(length=16, default="pending", index=True)  # pending 待签 | signed 已签 | waived 免签
    waive_reason = Text(default="")
    waived_by = ForeignKey(User, null=True, default=None)
    waived_at = Timestamptz(null=True, default=None)
    due_on = Date(null=True, default=None, index=True)
    responsible = ForeignKey(User, null=True, default=None, index=True)
    snapshot = JSON(default="{}")  # the case data at the time of the decision: what the document shows
    document_sha256 = Varchar(length=64, index=True)  # SHA-256 of the document's content (the snapshot)
    created_at = Timestamptz()
    signed_at = Timestamptz(null=True, default=None)
    version = Integer(default=1)


class Signature(Table, tablename="paperwork_signature"):
    """A signature drawn on the phone (image), or a photo of the paper signed by hand (evidence)."""

    id = UUID(primary_key=True)  # generated on the device
    obligation = ForeignKey(Obligation, index=True)
    signer = Varchar(length=64)  # a signer key of the obligation; "*" for a photo of the whole paper
    signer_name = Varchar(length=100, default="")
    method = Varchar(length=16)  # screen | photo
    document_sha256 = Varchar(length=64)  # the document the signature is bound to
    binding_sha256 = Varchar(length=64)  # SHA-256 of document hash, signer, time and image hash
    image = Bytea(null=True, default=None)  # PNG drawn on the screen
    image_sha256 = Varchar(length=64, default="")
    evidence = ForeignKey(Evidence, null=True, default=None)
    signed_at = Timestamptz()  # the device's clock
    received_at = Timestamptz()
    collected_by = ForeignKey(User, null=True)
    client_id = Varchar(length=64, default="")
    passkey_id = Integer(null=True, default=None)


class PaperworkPdf(Table, tablename="paperwork_pdf"):
    """A PDF the server produced (a document, or a signed document), kept for verification."""

    obligation = ForeignKey(Obligation, index=True)
    variant = Varchar(length=16)  # document | signed
    signatures_key = Varchar(length=64, default="")  # which signatures it shows
    sha256 = Varchar(length=64, index=True)
    content = Bytea()
    created_at = Timestamptz()
