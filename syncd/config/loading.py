"""Reading the config file: TOML, `${ENV}` interpolation, validation, errors naming the key.

`load_config(path, models)` validates each `[[targets]]` entry against the model whose
kind it names (`syncd.kinds.load_config` passes the registered ones) and registers every
credential with `syncd.redact`. Each problem is one line "file: key.path: problem".
"""

from __future__ import annotations

import functools
import os
import re
import tomllib
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Annotated, Any, Union
from urllib.parse import urlsplit

from pydantic import Field, ValidationError, create_model
from pydantic_core import ErrorDetails

from syncd import redact
from syncd.config.sections import Config
from syncd.config.targets import TargetBase, kind_of
from syncd.config.values import FromEnv
from syncd.errors import ConfigError

_VARIABLE = re.compile(r"\$(\$?)\{([A-Za-z_][A-Za-z0-9_]*)\}")


class _MissingVariableError(Exception):
    def __init__(self, loc: tuple[str | int, ...], name: str) -> None:
        super().__init__(name)
        self.loc, self.name = loc, name


def load_config(
    path: Path, models: Sequence[type[TargetBase]], env: Mapping[str, str] | None = None
) -> Config:
    """Read, interpolate and validate the TOML file at `path`, each target against the one
    of `models` its kind names; register its credentials."""
    raw = _read_toml(path)
    try:
        data = _interpolate(raw, os.environ if env is None else env, ())
    except _MissingVariableError as err:
        where = _key_path(err.loc, raw)
        raise ConfigError(f"{path}: {where}: environment variable {err.name} is not set") from None
    config = _validate(data, path, tuple(models))
    redact.register(urlsplit(config.database.url).password, *config.hr.secret_values())
    for target in config.targets:
        redact.register(*target.secret_values())
    return config


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as file:
            return tomllib.load(file)
    except FileNotFoundError:
        raise ConfigError(f"{path}: config file not found") from None
    except (OSError, UnicodeDecodeError) as err:
        raise ConfigError(f"{path}: cannot read the config file: {err}") from None
    except tomllib.TOMLDecodeError as err:
        raise ConfigError(f"{path}: invalid TOML: {err}") from None  # "... (at line 3, column 1)"


def _interpolate(value: Any, env: Mapping[str, str], loc: tuple[str | int, ...]) -> Any:
    """`value` with each `${NAME}` in its strings replaced from `env` (`$${NAME}` is literal)."""
    if isinstance(value, dict):
        return {key: _interpolate(item, env, (*loc, key)) for key, item in value.items()}
    if isinstance(value, list):
        return [_interpolate(item, env, (*loc, index)) for index, item in enumerate(value)]

    if not isinstance(value, str):
        return value
    from_env = False

    def replace(found: re.Match[str]) -> str:
        nonlocal from_env
        if found[1]:
            return found[0][1:]
        if found[2] not in env:
            raise _MissingVariableError(loc, found[2])
        from_env = True
        return env[found[2]]

    text = _VARIABLE.sub(replace, value)
    return FromEnv(text) if from_env else text


@functools.cache
def config_model(models: tuple[type[TargetBase], ...]) -> type[Config]:
    """`Config` whose `targets` entries are each validated against the one of `models` that
    their `kind` names (a discriminated union: an unknown kind is one error, not four)."""
    if not models:
        raise ValueError("a config needs at least one target model")
    union: Any = Union[models]  # noqa: UP007 - the members are known at run time only
    entry = Annotated[union, Field(discriminator="kind")]
    targets: Any = (list[entry], Field(default_factory=list))
    return create_model(Config.__name__, __base__=Config, targets=targets)


def _validate(data: dict[str, Any], path: Path, models: tuple[type[TargetBase], ...]) -> Config:
    if "source_path" in data:
        raise ConfigError(f"{path}: source_path: unknown key")
    try:
        return config_model(models).model_validate({**data, "source_path": path})
    except ValidationError as err:
        kinds = tuple(kind_of(model) for model in models)
        lines = [line for error in err.errors() for line in _explain(error, data, kinds)]
        raise ConfigError("\n".join(f"{path}: {line}" for line in lines)) from None


def _explain(error: ErrorDetails, data: Mapping[str, Any], kinds: tuple[str, ...]) -> list[str]:
    loc = list(error["loc"])
    if len(loc) > 2 and loc[0] == "targets" and loc[2] in kinds:
        del loc[2]  # the discriminator's tag, not a key of the file
    if error["type"] in ("union_tag_invalid", "union_tag_not_found"):
        loc.append("kind")
    message = _message(error, kinds)
    if not loc:
        return message.splitlines()
    return [f"{_key_path(tuple(loc), data)}: {message}"]


def _message(error: ErrorDetails, kinds: tuple[str, ...]) -> str:
    known = ", ".join(kinds)
    match error["type"]:
        case "missing":
            return "field required"
        case "extra_forbidden":
            return "unknown key"
        case "union_tag_invalid":
            return f"unknown kind {error.get('ctx', {}).get('tag')!r}; this version knows: {known}"
        case "union_tag_not_found":
            return f"field required (one of: {known})"
    message = error["msg"].removeprefix("Value error, ")
    return message[:1].lower() + message[1:]


def _key_path(loc: tuple[str | int, ...], data: Mapping[str, Any]) -> str:
    """`targets[0] (docebo-main).client_secret` for ("targets", 0, "client_secret")."""
    text = ""
    for index, part in enumerate(loc):
        text += f"[{part}]" if isinstance(part, int) else f".{part}" if text else part
        if index == 1 and loc[0] == "targets" and isinstance(part, int):
            entry = data["targets"][part]
            name = entry.get("name") if isinstance(entry, dict) else None
            text += f" ({name})" if isinstance(name, str) else ""
    return text
