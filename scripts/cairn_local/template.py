"""Reads template.yaml: the table, bucket, functions, routes and state machines it declares."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from cairn_local import ROOT

TEMPLATE = ROOT / "template.yaml"


class _CfnLoader(yaml.SafeLoader):
    """Keeps CloudFormation short-form tags (``!Ref``, ``!Sub``, ``!GetAtt``...) as their long form."""


def _intrinsic(loader: yaml.SafeLoader, tag_suffix: str, node: yaml.Node) -> dict[str, Any]:
    if isinstance(node, yaml.ScalarNode):
        value: Any = loader.construct_scalar(node)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)
    if tag_suffix == "GetAtt" and isinstance(value, str):
        value = value.split(".", 1)
    name = "Ref" if tag_suffix == "Ref" else f"Fn::{tag_suffix}"
    return {name: value}


_CfnLoader.add_multi_constructor("!", _intrinsic)


@lru_cache(maxsize=1)
def load() -> dict[str, Any]:
    return yaml.load(TEMPLATE.read_text(), Loader=_CfnLoader)  # noqa: S506 - SafeLoader subclass


def resources(kind: str) -> dict[str, dict[str, Any]]:
    return {name: spec for name, spec in load()["Resources"].items() if spec["Type"] == kind}


def only(kind: str) -> tuple[str, dict[str, Any]]:
    found = resources(kind)
    if len(found) != 1:
        raise ValueError(f"expected exactly one {kind} in template.yaml, found {sorted(found)}")
    return next(iter(found.items()))


@dataclass(frozen=True)
class Route:
    method: str
    path: str
    pattern: re.Pattern[str] = field(compare=False)


@dataclass(frozen=True)
class Function:
    logical_id: str
    code_uri: Path
    handler: str
    routes: tuple[Route, ...]

    @property
    def module_path(self) -> Path:
        return self.code_uri / (self.handler.rsplit(".", 1)[0] + ".py")

    @property
    def attribute(self) -> str:
        return self.handler.rsplit(".", 1)[1]


def _route_pattern(path: str) -> re.Pattern[str]:
    """API Gateway path matching: ``{name}`` is one segment, ``{name+}`` the rest of the path."""
    regex = re.sub(r"\\\{[^}]+\\\+\\\}", ".+", re.escape(path))
    regex = re.sub(r"\\\{[^}]+\\\}", "[^/]+", regex)
    return re.compile(f"^{regex}$")


def functions() -> list[Function]:
    found = []
    for name, spec in resources("AWS::Serverless::Function").items():
        props = spec["Properties"]
        routes = tuple(
            Route(event["Properties"]["Method"].upper(), event["Properties"]["Path"],
                  _route_pattern(event["Properties"]["Path"]))
            for event in props.get("Events", {}).values()
            if event["Type"] == "HttpApi"
        )
        found.append(Function(name, ROOT / props["CodeUri"], props["Handler"], routes))
    return found


@dataclass(frozen=True)
class Schedule:
    """An EventBridge ``Schedule`` event of a function: ``rate(n minute[s]|hour[s]|day[s])`` only."""

    logical_id: str  # the function's
    name: str  # the event's
    seconds: int
    input: dict[str, Any]


_RATE = re.compile(r"^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$")
_UNIT_SECONDS = {"minute": 60, "hour": 3600, "day": 86400}


def schedules() -> list[Schedule]:
    found = []
    for name, spec in resources("AWS::Serverless::Function").items():
        for event_name, event in spec["Properties"].get("Events", {}).items():
            if event["Type"] != "Schedule":
                continue
            expression = event["Properties"]["Schedule"]
            rate = _RATE.match(expression)
            if rate is None:
                raise ValueError(f"{name}.{event_name}: the local stack runs rate() schedules only, not {expression}")
            seconds = int(rate.group(1)) * _UNIT_SECONDS[rate.group(2).rstrip("s")]
            found.append(Schedule(name, event_name, seconds, json.loads(event["Properties"].get("Input", "{}"))))
    return found


def table_definition() -> tuple[str, dict[str, Any]]:
    """(logical id, CreateTable arguments without the name) of the template's one table."""
    name, spec = only("AWS::DynamoDB::Table")
    props = spec["Properties"]
    arguments: dict[str, Any] = {
        "AttributeDefinitions": props["AttributeDefinitions"],
        "KeySchema": props["KeySchema"],
        "BillingMode": props["BillingMode"],
    }
    if props.get("GlobalSecondaryIndexes"):
        arguments["GlobalSecondaryIndexes"] = props["GlobalSecondaryIndexes"]
    if props.get("StreamSpecification"):
        arguments["StreamSpecification"] = {"StreamEnabled": True, **props["StreamSpecification"]}
    return name, arguments


def ttl_attribute() -> str | None:
    _, spec = only("AWS::DynamoDB::Table")
    ttl = spec["Properties"].get("TimeToLiveSpecification") or {}
    return ttl.get("AttributeName") if ttl.get("Enabled") else None


@dataclass(frozen=True)
class StateMachine:
    logical_id: str
    definition: str
    name: Any
    substitutions: dict[str, Any]


def state_machines() -> list[StateMachine]:
    found = []
    for name, spec in resources("AWS::Serverless::StateMachine").items():
        props = spec["Properties"]
        definition = (ROOT / props["DefinitionUri"]).read_text()
        found.append(StateMachine(name, definition, props.get("Name", name), props.get("DefinitionSubstitutions", {})))
    return found


def event_buses() -> list[Any]:
    """The ``Name`` of each ``AWS::Events::EventBus`` (unresolved: ``resolve.LocalNames.value`` resolves it)."""
    return [spec["Properties"]["Name"] for spec in resources("AWS::Events::EventBus").values()]


def global_environment() -> dict[str, Any]:
    return load().get("Globals", {}).get("Function", {}).get("Environment", {}).get("Variables", {})


def parameter_defaults() -> dict[str, str]:
    return {name: str(spec["Default"]) for name, spec in load().get("Parameters", {}).items() if "Default" in spec}
