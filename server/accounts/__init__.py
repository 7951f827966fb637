"""Staff accounts: users, invitations, passkeys and server-side sessions."""
