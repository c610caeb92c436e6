"""What every target has, whatever its LMS: `TargetBase`, and how a model names its kind.

Each LMS's own model (credentials, knobs) subclasses `TargetBase` in its connector
package, with `kind` narrowed to a Literal; `syncd.kinds` hands the models to
`load_config`, which validates each `[[targets]]` entry against the one its kind names.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal, get_args

from pydantic import AfterValidator, Field

from syncd.config.values import (
    DEFAULT_SANDBOX_DIR,
    Code,
    Count,
    Flag,
    NonEmpty,
    Seconds,
    StrictModel,
    check_base_url,
)

MAX_TIMEOUT_SECONDS = 300  # per request: a longer wait is a hung LMS, not a slow one


class TargetBase(StrictModel):
    """What every target has, whatever its LMS."""

    name: Code
    kind: str
    base_url: Annotated[str, AfterValidator(check_base_url)]
    enabled: Flag = True
    sandbox: Flag = False
    sandbox_state: Path | None = None
    courses: dict[NonEmpty, NonEmpty] = Field(default_factory=dict)
    on_leave: Literal["deactivate", "delete"] = "deactivate"
    # Whether the LMS may email people on its own when syncd writes (welcome, invitation,
    # assignment emails): off, each connector sets its API's switch where there is one,
    # and the plan says which emails no switch can stop (`Capabilities.side_effects`).
    notify: Flag = False
    timeout_seconds: Seconds = Field(default=30, gt=0, le=MAX_TIMEOUT_SECONDS)
    max_attempts: Count = Field(default=6, ge=1)

    @property
    def sandbox_state_path(self) -> Path:
        """Where the in-process simulator keeps this target's state between runs."""
        return self.sandbox_state or DEFAULT_SANDBOX_DIR / f"{self.name}.json"

    def secret_values(self) -> tuple[str, ...]:
        """The credential values of this target, for `syncd.redact.register`."""
        return ()


def kind_of(model: type[TargetBase]) -> str:
    """The `kind` a target model stands for: the one value of its `kind` Literal."""
    values = get_args(model.model_fields["kind"].annotation)
    if len(values) != 1 or not isinstance(values[0], str):
        raise TypeError(f"{model.__name__}.kind must be a Literal of one string")
    return values[0]
