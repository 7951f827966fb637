"""Users, invitations, passkeys, WebAuthn challenges and server-side sessions."""

from piccolo.columns import (
    Boolean,
    ForeignKey,
    Integer,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.table import Table

from server.areas.tables import Area


class User(Table, tablename="app_user"):
    username = Varchar(length=64, unique=True, index=True)
    display_name = Varchar(length=100)
    role = Varchar(length=32)
    area = ForeignKey(Area)
    active = Boolean(default=True)
    locale = Varchar(length=16, null=True, default=None)
    phone = Varchar(length=32, null=True, default=None)
    created_at = Timestamptz()


class Invitation(Table, tablename="invitation"):
    """A single-use enrollment link. `user` is set when it re-enrolls an existing person."""

    token_hash = Varchar(length=64, unique=True, index=True)
    username = Varchar(length=64)
    display_name = Varchar(length=100)
    role = Varchar(length=32)
    area = ForeignKey(Area)
    user = ForeignKey(User, null=True)
    created_by = ForeignKey(User, null=True)
    created_at = Timestamptz()
    expires_at = Timestamptz()
    used_at = Timestamptz(null=True, default=None)


class Passkey(Table, tablename="passkey"):
    user = ForeignKey(User, index=True)
    credential_id = Varchar(length=512, unique=True, index=True)  # base64url
    public_key = Text()  # base64url of the COSE key
    sign_count = Integer(default=0)
    transports = Varchar(length=200, default="")  # comma-separated
    backed_up = Boolean(default=False)
    aaguid = Varchar(length=64, default="")
    name = Varchar(length=100, default="")
    created_at = Timestamptz()
    last_used_at = Timestamptz(null=True, default=None)
    revoked_at = Timestamptz(null=True, default=None)


class WebAuthnChallenge(Table, tablename="webauthn_challenge"):
    """A challenge handed to a browser: single use, short-lived, deleted before verifying."""

    challenge = Varchar(length=128, unique=True, index=True)  # base64url
    purpose = Varchar(length=16)  # register | login
    invitation = ForeignKey(Invitation, null=True)
    user = ForeignKey(User, null=True)
    expires_at = Timestamptz()


class AuthSession(Table, tablename="auth_session"):
    """A signed-in browser. The cookie holds a random token; only its SHA-256 is stored."""

    token_hash = Varchar(length=64, unique=True, index=True)
    user = ForeignKey(User, index=True)
    passkey = ForeignKey(Passkey, null=True)
    kind = Varchar(length=16, default="field")  # field (30 days sliding) | desktop (idle timeout)
    user_agent = Varchar(length=300, default="")
    created_at = Timestamptz()
    last_seen_at = Timestamptz()
    expires_at = Timestamptz()
    ended_at = Timestamptz(null=True, default=None)
