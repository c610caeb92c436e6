"""Docebo's OAuth2 token endpoint and the bearer check of every other call.

`POST /oauth2/token` takes a form or JSON body (password or refresh_token
grant) and issues a token living 3600 s on the injected clock. `check_bearer`
answers 401 `invalid_token` for a missing, unknown or expired token.
"""

from __future__ import annotations

from dataclasses import dataclass

from syncd.sandbox.docebo.state import TOKEN_LIFETIME, DoceboState
from syncd.sandbox.messages import HttpError, Request, Response, json_response


@dataclass(frozen=True, slots=True)
class Credentials:
    """The API client and the API user the simulator accepts."""

    client_id: str
    client_secret: str
    username: str
    password: str


def token_endpoint(state: DoceboState, credentials: Credentials, request: Request) -> Response:
    """Issue a token for a valid password or refresh_token grant."""
    form = _form(request)
    grant = form.get("grant_type")
    if not grant:
        raise _oauth(400, "invalid_request", "grant_type is required")
    _check_client(form, credentials)
    if form.get("scope", "api") != "api":
        raise _oauth(400, "invalid_scope", "The only scope is 'api'")
    if grant == "password":
        _check_password(form, credentials)
    elif grant == "refresh_token":
        _use_refresh_token(state, form.get("refresh_token", ""))
    else:
        raise _oauth(400, "unsupported_grant_type", f"Grant type '{grant}' is not supported")
    return _issued(state)


def check_bearer(state: DoceboState, request: Request) -> None:
    """Raise 401 unless the request carries a known, unexpired bearer token."""
    header = request.header("authorization") or ""
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise _invalid_token("The access token is missing")
    expiry = state.token_expiry(token.strip())
    if expiry is None:
        raise _invalid_token("The access token provided is invalid")
    if state.clock() >= expiry:
        raise _invalid_token("The access token provided has expired")


def _form(request: Request) -> dict[str, str]:
    if not isinstance(request.body, dict):
        raise _oauth(400, "invalid_request", "The body must be a form or a JSON object")
    return {str(k): str(v) for k, v in request.body.items() if isinstance(v, str | int)}


def _check_client(form: dict[str, str], credentials: Credentials) -> None:
    client = (form.get("client_id"), form.get("client_secret"))
    if client != (credentials.client_id, credentials.client_secret):
        raise _oauth(401, "invalid_client", "Client authentication failed")


def _check_password(form: dict[str, str], credentials: Credentials) -> None:
    if (form.get("username"), form.get("password")) != (
        credentials.username,
        credentials.password,
    ):
        raise _oauth(400, "invalid_grant", "Invalid username and password combination")


def _use_refresh_token(state: DoceboState, token: str) -> None:
    if token not in state.refresh_tokens:
        raise _oauth(400, "invalid_grant", "Invalid refresh token")
    state.refresh_tokens.discard(token)


def _issued(state: DoceboState) -> Response:
    access, refresh = state.issue_token()
    return json_response(
        {
            "access_token": access,
            "expires_in": TOKEN_LIFETIME,
            "token_type": "Bearer",
            "scope": "api",
            "refresh_token": refresh,
        }
    )


def _oauth(status: int, error: str, description: str) -> HttpError:
    return HttpError(status, description, body={"error": error, "error_description": description})


def _invalid_token(description: str) -> HttpError:
    return HttpError(
        401,
        description,
        body={"error": "invalid_token", "error_description": description},
        headers=(("WWW-Authenticate", 'Bearer error="invalid_token"'),),
    )
