"""The conventions every Dokeos API V2 call follows: media type, bearer, errors.

`check_accept` refuses V1 (410) and anything but the V2 media type (406)
with the bodies of docs/lms/dokeos.md; `check_bearer` answers 401 for a
missing or wrong token; the error helpers build `{"error", "message"}`
bodies (422 adds `fields`).
"""

from __future__ import annotations

import hmac

from syncd.sandbox.messages import HttpError, reason

MEDIA_TYPE = "application/vnd.dokeos+json"
V2_ACCEPT = f"{MEDIA_TYPE};version=2"
WITHDRAWN_MESSAGE = f"API V1 was withdrawn on 2024-09-30; send Accept: {V2_ACCEPT}"
NOT_ACCEPTABLE_MESSAGE = f"This API only serves {V2_ACCEPT}; send it as the Accept header"

# Error codes that differ from the snake_cased reason phrase.
ERROR_CODES = {410: "api_version_withdrawn", 422: "unprocessable", 500: "internal_error"}


def error_code(status: int) -> str:
    """The `error` of a Dokeos error body for `status`."""
    phrase = reason(status).lower().replace(" ", "_").replace("-", "_")
    return ERROR_CODES.get(status, phrase)


def error(status: int, code: str, message: str) -> HttpError:
    """An `HttpError` whose body is `{"error": code, "message": message}`."""
    return HttpError(status, message, body={"error": code, "message": message})


def unprocessable(message: str, fields: dict[str, str]) -> HttpError:
    """422 naming each field that breaks a rule."""
    body = {"error": "unprocessable", "message": message, "fields": dict(fields)}
    return HttpError(422, message, body=body)


def not_found(kind: str, key: object) -> HttpError:
    return error(404, "not_found", f"{kind} {key} not found")


def check_accept(accept: str | None) -> None:
    """Admit `version=2` of the Dokeos media type; V1 is 410, the rest 406."""
    versions = _dokeos_versions(accept or "")
    if "2" in versions:
        return
    if "1" in versions:
        raise error(410, "api_version_withdrawn", WITHDRAWN_MESSAGE)
    raise error(406, "not_acceptable", NOT_ACCEPTABLE_MESSAGE)


def check_bearer(authorization: str | None, api_token: str) -> None:
    """401 unless `Authorization` is `Bearer <api_token>`."""
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise _unauthorized("A bearer token is required")
    if not hmac.compare_digest(token.strip().encode(), api_token.encode()):
        raise _unauthorized("The bearer token is not valid")


def _dokeos_versions(accept: str) -> set[str]:
    """The `version` parameters of every Dokeos media type in an Accept header."""
    versions: set[str] = set()
    for entry in accept.split(","):
        media, *params = (part.strip() for part in entry.split(";"))
        if media.lower() != MEDIA_TYPE:
            continue
        for param in params:
            key, _, value = param.partition("=")
            if key.strip().lower() == "version":
                versions.add(value.strip().strip('"'))
    return versions


def _unauthorized(message: str) -> HttpError:
    body = {"error": "unauthorized", "message": message}
    return HttpError(401, message, body=body, headers=(("WWW-Authenticate", "Bearer"),))
