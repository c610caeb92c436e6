"""Secrets in other encodings: an LMS that echoes a key back URL-encoded, JSON-escaped or in
base64 (alone, or inside a `user:secret` Basic value) has it masked by `scrub` as surely as
the key itself, and text that holds no secret is left as it was."""

from __future__ import annotations

import base64
import json
import uuid
from collections.abc import Callable
from urllib.parse import quote, quote_plus

import pytest

from syncd import redact
from syncd.redact import MASK, scrub


def _secret() -> str:
    """A fresh secret (the registry is process-wide) whose every encoding differs from it:
    `/`, `+`, space, `&`, quotes and a non-ASCII letter, bytes that base64 spells with
    `+` and `/` (urlsafe: `-` and `_`)."""
    secret = f'k3y/with+odd chars&"quote"?~é>>>??{uuid.uuid4().hex[:8]}'
    redact.register(secret)
    return secret


def _b64(value: str, *, urlsafe: bool = False, padded: bool = True) -> str:
    encode = base64.urlsafe_b64encode if urlsafe else base64.b64encode
    text = encode(value.encode()).decode()
    return text if padded else text.rstrip("=")


def _lower_hex(text: str) -> str:
    """Percent escapes in lower case (`%2f`), as some encoders write them."""
    head, *escapes = text.split("%")
    return "%".join([head, *(part[:2].lower() + part[2:] for part in escapes)])


ENCODINGS: dict[str, Callable[[str], str]] = {
    "quote": quote,
    "quote-safe-none": lambda s: quote(s, safe=""),
    "quote-lower-hex": lambda s: _lower_hex(quote(s, safe="")),
    "quote_plus": quote_plus,
    "json-escaped": lambda s: json.dumps(s)[1:-1],
    "json-escaped-unicode-kept": lambda s: json.dumps(s, ensure_ascii=False)[1:-1],
    "json-escaped-slashes": lambda s: json.dumps(s)[1:-1].replace("/", "\\/"),
    "base64": _b64,
    "base64-unpadded": lambda s: _b64(s, padded=False),
    "base64-urlsafe": lambda s: _b64(s, urlsafe=True),
    "base64-urlsafe-unpadded": lambda s: _b64(s, urlsafe=True, padded=False),
}


@pytest.mark.parametrize("encoding", ENCODINGS)
def test_an_encoded_secret_is_masked(encoding: str) -> None:
    secret = _secret()
    encoded = ENCODINGS[encoding](secret)
    assert encoded != secret
    text = scrub(f"refused: the key {encoded} is not valid")
    assert encoded not in text
    assert text == f"refused: the key {MASK} is not valid"


@pytest.mark.parametrize("user", ["", "u", "ab", "api-user", "syncd-sandbox"])
@pytest.mark.parametrize("urlsafe", [False, True], ids=["standard", "urlsafe"])
@pytest.mark.parametrize("padded", [True, False], ids=["padded", "unpadded"])
def test_a_secret_inside_a_basic_credential_is_masked(
    user: str, urlsafe: bool, padded: bool
) -> None:
    secret = _secret()
    basic = _b64(f"{user}:{secret}", urlsafe=urlsafe, padded=padded)
    text = scrub(f"sent Authorization: Basic {basic}, refused")
    assert text == f"sent Authorization: Basic {MASK}, refused"


def test_a_secret_first_in_a_basic_credential_is_masked() -> None:
    secret = _secret()
    basic = _b64(f"{secret}:other-part")
    assert scrub(f"Basic {basic}") == f"Basic {MASK}"


def test_text_without_a_secret_is_unchanged() -> None:
    _secret()
    text = "GET /users?page=2: HTTP 500 (dGhpcyBpcyBub3QgYSBzZWNyZXQ=) k3y/with+odd"
    assert scrub(text) == text


def test_secret_values_in_nested_data_are_masked_in_every_encoding() -> None:
    secret = _secret()
    value = {"detail": [f"echo {quote_plus(secret)}", ("b64", _b64(secret))]}
    assert redact.scrub_value(value) == {"detail": [f"echo {MASK}", ("b64", MASK)]}


def test_a_daemon_renewing_tokens_for_months_keeps_a_bounded_registry() -> None:
    """Tokens are kept while recent; credentials for good (a registry that only grew
    would cost more to rebuild and to match at every renewal)."""
    redact.register("credential-kept-for-good")
    for n in range(redact.RECENT_TOKENS * 3):
        redact.register_token(f"token-number-{n:06d}")
    assert len(redact._tokens) == redact.RECENT_TOKENS
    last = f"token-number-{redact.RECENT_TOKENS * 3 - 1:06d}"
    assert redact.scrub(f"{last} credential-kept-for-good") == "*** ***"
    assert "token-number-000000" in redact.scrub("token-number-000000")


def test_registering_a_known_secret_again_rebuilds_nothing() -> None:
    redact.register("known-secret-value")
    redact.register_token("known-token-value")
    before = redact._credentials_forms, redact._token_forms
    redact.register("known-secret-value")
    redact.register_token("known-secret-value", "known-token-value")
    assert (redact._credentials_forms, redact._token_forms) == before


def test_a_renewed_token_leaves_the_credentials_compiled_as_they_were() -> None:
    redact.register("credential-compiled-once")
    before = redact._credentials_forms
    redact.register_token("a-token-renewed-now")
    assert redact._credentials_forms is before
    assert redact.scrub("credential-compiled-once/a-token-renewed-now") == "***/***"
