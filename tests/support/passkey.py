"""A software passkey for API tests: answers the server's WebAuthn options like a real
authenticator would (ES256, "none" attestation), so that py_webauthn on the server verifies it.
The browser tests use Chromium's virtual authenticator instead.
"""

from __future__ import annotations

import hashlib
import json
import os
import struct
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from webauthn.helpers import base64url_to_bytes, bytes_to_base64url, encode_cbor

UP, UV, AT = 0x01, 0x04, 0x40


@dataclass
class SoftPasskey:
    origin: str = "http://localhost:8000"
    user_verified: bool = True
    sign_count: int = 0
    count_step: int = 1  # 0: an authenticator that always reports 0
    credential_id: bytes = field(default_factory=lambda: os.urandom(32))
    key: ec.EllipticCurvePrivateKey = field(default_factory=lambda: ec.generate_private_key(ec.SECP256R1()))
    user_handle: bytes | None = None

    @property
    def id(self) -> str:
        return bytes_to_base64url(self.credential_id)

    def _rp_hash(self, rp_id: str | None = None) -> bytes:
        return hashlib.sha256((rp_id or urlsplit(self.origin).hostname).encode()).digest()

    def _flags(self, extra: int = 0) -> bytes:
        return bytes([UP | (UV if self.user_verified else 0) | extra])

    def _client_data(self, kind: str, challenge: str, origin: str | None) -> bytes:
        return json.dumps(
            {"type": kind, "challenge": challenge, "origin": origin or self.origin, "crossOrigin": False}
        ).encode()

    def _cose_key(self) -> bytes:
        numbers = self.key.public_key().public_numbers()
        return encode_cbor({1: 2, 3: -7, -1: 1, -2: numbers.x.to_bytes(32, "big"), -3: numbers.y.to_bytes(32, "big")})

    def create(self, options: dict, *, origin: str | None = None, rp_id: str | None = None) -> dict:
        """The PublicKeyCredential.toJSON() of navigator.credentials.create(options)."""
        self.user_handle = base64url_to_bytes(options["user"]["id"])
        attested = bytes(16) + struct.pack(">H", len(self.credential_id)) + self.credential_id + self._cose_key()
        auth_data = self._rp_hash(rp_id or options["rp"]["id"]) + self._flags(AT) + struct.pack(">I", self.sign_count) + attested
        attestation = encode_cbor({"fmt": "none", "attStmt": {}, "authData": auth_data})
        client_data = self._client_data("webauthn.create", options["challenge"], origin)
        return {
            "id": self.id,
            "rawId": self.id,
            "type": "public-key",
            "response": {
                "clientDataJSON": bytes_to_base64url(client_data),
                "attestationObject": bytes_to_base64url(attestation),
                "transports": ["internal"],
            },
            "authenticatorAttachment": "platform",
            "clientExtensionResults": {},
        }

    def get(self, options: dict, *, origin: str | None = None, sign_count: int | None = None) -> dict:
        """The PublicKeyCredential.toJSON() of navigator.credentials.get(options)."""
        allowed = [c["id"] for c in options.get("allowCredentials") or []]
        assert not allowed or self.id in allowed, "this passkey is not among the allowed credentials"
        if sign_count is None:
            self.sign_count += self.count_step
            sign_count = self.sign_count
        auth_data = self._rp_hash(options.get("rpId")) + self._flags() + struct.pack(">I", sign_count)
        client_data = self._client_data("webauthn.get", options["challenge"], origin)
        signature = self.key.sign(auth_data + hashlib.sha256(client_data).digest(), ec.ECDSA(hashes.SHA256()))
        response = {
            "clientDataJSON": bytes_to_base64url(client_data),
            "authenticatorData": bytes_to_base64url(auth_data),
            "signature": bytes_to_base64url(signature),
        }
        if self.user_handle is not None:
            response["userHandle"] = bytes_to_base64url(self.user_handle)
        return {
            "id": self.id,
            "rawId": self.id,
            "type": "public-key",
            "response": response,
            "authenticatorAttachment": "platform",
            "clientExtensionResults": {},
        }


async def enroll_via_api(client, token: str, passkey: SoftPasskey | None = None):
    """Run the registration ceremony for an invitation token; returns (passkey, verify response)."""
    passkey = passkey or SoftPasskey()
    options = await client.post("/auth/register/options", json={"token": token})
    assert options.status_code == 200, options.text
    answer = await client.post("/auth/register/verify", json=passkey.create(options.json()))
    return passkey, answer


async def sign_in_via_api(client, passkey: SoftPasskey, username: str | None = None, **kwargs):
    """Run the sign-in ceremony; returns the verify response."""
    body = {"username": username} if username else {}
    options = await client.post("/auth/login/options", json=body)
    assert options.status_code == 200, options.text
    return await client.post("/auth/login/verify", json=passkey.get(options.json(), **kwargs))
