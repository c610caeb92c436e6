"""Verifying Coursepath's JSON Web Tokens (HS256 only), with the stdlib.

`verify` checks the header (`alg` must be HS256), the signature (HMAC-SHA256
with the academy's API key) and the claims `email`, `iat` and `jti`, and
returns them as `Claims`; anything wrong raises `TokenError` with the reason.
Freshness and single use are the caller's (they need the clock and state).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from dataclasses import dataclass

ALGORITHM = "HS256"


class TokenError(Exception):
    """A token that cannot be trusted; the message says why."""


@dataclass(frozen=True, slots=True)
class Claims:
    email: str
    iat: float
    jti: str


def verify(token: str, secret: str) -> Claims:
    """The claims of a well-formed, HS256-signed token; `TokenError` otherwise."""
    parts = token.split(".")
    if len(parts) != 3:
        raise TokenError("The token is not a JWT")
    header = _json_part(parts[0], "header")
    if header.get("alg") != ALGORITHM:
        raise TokenError(f"Only {ALGORITHM} tokens are accepted")
    expected = _mac(f"{parts[0]}.{parts[1]}", secret)
    if not hmac.compare_digest(_decode(parts[2], "signature"), expected):
        raise TokenError("The token signature is not valid")
    return _claims(_json_part(parts[1], "payload"))


def _claims(payload: dict[str, object]) -> Claims:
    email, iat, jti = payload.get("email"), payload.get("iat"), payload.get("jti")
    if not isinstance(email, str) or not email:
        raise TokenError("The token has no 'email' claim")
    if isinstance(iat, bool) or not isinstance(iat, int | float):
        raise TokenError("The token has no numeric 'iat' claim")
    if isinstance(jti, bool) or not isinstance(jti, str | int) or jti == "":
        raise TokenError("The token has no 'jti' claim")
    return Claims(email=email, iat=float(iat), jti=str(jti))


def _json_part(text: str, what: str) -> dict[str, object]:
    try:
        value = json.loads(_decode(text, what))
    except ValueError as err:
        raise TokenError(f"The token {what} is not JSON") from err
    if not isinstance(value, dict):
        raise TokenError(f"The token {what} is not a JSON object")
    return {str(key): item for key, item in value.items()}


def _decode(text: str, what: str) -> bytes:
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError) as err:
        raise TokenError(f"The token {what} is not base64url") from err


def _mac(signing_input: str, secret: str) -> bytes:
    return hmac.new(secret.encode(), signing_input.encode(), hashlib.sha256).digest()
