"""Tasks are data: a TOML file gives the instruction, allowed labels (or a JSON schema), examples.

A label task (``kind = "label"``) picks one of ``labels`` by scoring them; a
structured task (``kind = "structured"``) generates JSON under a grammar made
from ``schema``. The prompt is split in two: a fixed prefix (instruction and
examples, evaluated once and reused) and the per-event part.
"""

from __future__ import annotations

import json
import re
import tomllib
from importlib import resources
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from appliance.errors import ConfigError

_NAME = r"^[a-z0-9][a-z0-9_-]{0,63}$"
_WS = re.compile(r"\s+")


class Example(BaseModel):
    """One worked example shown in the prompt."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    input: str = Field(min_length=1)
    output: str = Field(min_length=1)


class TaskSpec(BaseModel):
    """One task file."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(pattern=_NAME)
    kind: Literal["label", "structured"]
    description: str = ""
    instruction: str = Field(min_length=1)
    input_prefix: str = "Input:"
    output_prefix: str = "Output:"
    answer_separator: str = Field(default=" ", description="between output_prefix and the answer")
    labels: list[str] = Field(default_factory=list)
    actions: dict[str, str] = Field(default_factory=dict, description="label -> action to take")
    severity: dict[str, Literal["low", "medium", "high", "critical"]] = Field(
        default_factory=dict, description="label -> severity, when the labels are not severities"
    )
    schema_: dict[str, Any] | None = Field(default=None, alias="schema")
    examples: list[Example] = Field(default_factory=list)
    max_input_tokens: int = Field(default=256, ge=8, le=8192)
    max_tokens: int | None = Field(default=None, ge=1, le=4096)

    @model_validator(mode="after")
    def _consistent(self) -> TaskSpec:
        if self.kind == "label":
            if len(self.labels) < 2:
                raise ValueError("a label task needs at least two labels")
            if len(set(self.labels)) != len(self.labels):
                raise ValueError("labels must be unique")
            if any(not lab.strip() or lab != lab.strip() for lab in self.labels):
                raise ValueError("labels must be non-empty and have no surrounding spaces")
            for ex in self.examples:
                if ex.output not in self.labels:
                    raise ValueError(f"example output {ex.output!r} is not one of the labels")
            for mapping, what in ((self.actions, "actions"), (self.severity, "severity")):
                unknown = sorted(set(mapping) - set(self.labels))
                if unknown:
                    raise ValueError(f"{what} names unknown labels: {', '.join(unknown)}")
            if self.schema_ is not None:
                raise ValueError("a label task has labels, not a schema")
        else:
            if not isinstance(self.schema_, dict) or self.schema_.get("type") != "object":
                raise ValueError("a structured task needs schema = a JSON schema of type object")
            for ex in self.examples:
                try:
                    json.loads(ex.output)
                except ValueError as exc:
                    raise ValueError(f"example output is not JSON: {exc}") from exc
            if self.labels:
                raise ValueError("a structured task has a schema, not labels")
        return self

    def prefix_text(self) -> str:
        """Return the fixed part of the prompt (ends just before the event text)."""
        parts = [self.instruction.strip(), "\n\n"]
        for ex in self.examples:
            parts.append(
                f"{self.input_prefix} {clean(ex.input)}\n"
                f"{self.output_prefix}{self.answer_separator}{ex.output}\n\n"
            )
        parts.append(self.input_prefix)
        return "".join(parts)

    def answer_cue(self) -> str:
        """Return the text after the event that cues the answer (newline, output prefix)."""
        return "\n" + self.output_prefix + ("\n" if self.answer_separator == "\n" else "")

    def event_text(self, text: str) -> str:
        """Return the per-event part of the prompt (ends where the answer starts)."""
        return f" {clean(text)}{self.answer_cue()}"

    def answer_text(self, label: str) -> str:
        """Return how ``label`` is written after the output prefix."""
        return label if self.answer_separator == "\n" else self.answer_separator + label


def clean(text: str) -> str:
    """Collapse whitespace so an event cannot add lines that look like more examples."""
    return _WS.sub(" ", text).strip()


def parse_task(data: str, source: str) -> TaskSpec:
    """Parse one task file's text; raise :class:`ConfigError` with key paths on a bad file."""
    try:
        tree = tomllib.loads(data)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError([("<file>", f"not valid TOML: {exc}")], source) from exc
    schema = tree.get("schema")
    if isinstance(schema, str):
        try:
            tree["schema"] = json.loads(schema)
        except ValueError as exc:
            raise ConfigError([("schema", f"not valid JSON: {exc}")], source) from exc
    try:
        return TaskSpec.model_validate(tree)
    except ValidationError as exc:
        problems = [
            (".".join(str(p) for p in e["loc"]) or "<root>", e["msg"]) for e in exc.errors()
        ]
        raise ConfigError(problems, source) from exc


def load_task_file(path: Path) -> TaskSpec:
    """Read and validate a task file; raise :class:`ConfigError` naming the file."""
    try:
        data = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError([("<file>", f"cannot read: {exc.strerror or exc}")], str(path)) from exc
    return parse_task(data, str(path))


def builtin_tasks() -> dict[str, TaskSpec]:
    """Return the tasks shipped with the appliance (``appliance/slm/tasks/*.toml``)."""
    out: dict[str, TaskSpec] = {}
    folder = resources.files("appliance.slm").joinpath("tasks")
    for item in sorted(folder.iterdir(), key=lambda t: t.name):
        if item.name.endswith(".toml"):
            spec = parse_task(item.read_text(encoding="utf-8"), f"builtin:{item.name}")
            out[spec.name] = spec
    return out


def load_tasks(tasks_dir: Path | None = None) -> dict[str, TaskSpec]:
    """Return built-in tasks overlaid with ``tasks_dir/*.toml`` (a site file wins by name)."""
    tasks = builtin_tasks()
    if tasks_dir is not None:
        if not tasks_dir.is_dir():
            raise ConfigError([("slm.tasks_dir", f"{tasks_dir} is not a folder")])
        for path in sorted(tasks_dir.glob("*.toml")):
            spec = load_task_file(path)
            tasks[spec.name] = spec
    return tasks
