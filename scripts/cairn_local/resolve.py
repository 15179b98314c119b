"""Resolves the template's intrinsic functions to local names, so env vars and ARNs match AWS's shape."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from cairn_local import template

REGION = "us-east-1"
ACCOUNT = "123456789012"
STAGE = "local"


class Unresolvable(Exception):
    pass


_INTRINSICS = frozenset({"Ref", "Fn::Sub", "Fn::GetAtt"})


@dataclass(frozen=True)
class LocalNames:
    table: str = "cairn-local"
    bucket: str = "cairn-local-blobs"

    def ref(self, name: str) -> str:
        parameters = {**template.parameter_defaults(), "Stage": STAGE}
        if name in parameters:
            return parameters[name]
        pseudo = {"AWS::Region": REGION, "AWS::AccountId": ACCOUNT, "AWS::Partition": "aws",
                  "AWS::URLSuffix": "amazonaws.com"}
        if name in pseudo:
            return pseudo[name]
        kind = template.load()["Resources"].get(name, {}).get("Type")
        if kind == "AWS::DynamoDB::Table":
            return self.table
        if kind == "AWS::S3::Bucket":
            return self.bucket
        if kind == "AWS::Serverless::Function":
            return name
        if kind == "AWS::Serverless::StateMachine":  # Ref is the machine's ARN
            spec = template.load()["Resources"][name]["Properties"]
            return f"arn:aws:states:{REGION}:{ACCOUNT}:stateMachine:{self.value(spec.get('Name', name))}"
        if kind == "AWS::Events::EventBus":  # Ref is the bus's name
            return str(self.value(template.load()["Resources"][name]["Properties"]["Name"]))
        raise Unresolvable(name)

    def value(self, node: Any) -> Any:
        if isinstance(node, dict) and len(node) == 1:
            (fn, argument), = node.items()
            if fn == "Ref":
                return self.ref(argument)
            if fn == "Fn::Sub":
                return re.sub(r"\$\{([^}]+)\}", lambda match: self.ref(match.group(1)), argument)
            if fn == "Fn::GetAtt" and argument[1] == "Arn":
                return function_arn(argument[0])
            raise Unresolvable(fn)
        return node

    def resolved(self, node: Any) -> Any:
        """``node`` with every intrinsic function in it resolved (an event pattern naming resources)."""
        if isinstance(node, dict) and len(node) == 1 and next(iter(node)) in _INTRINSICS:
            return self.value(node)
        if isinstance(node, dict):
            return {key: self.resolved(value) for key, value in node.items()}
        if isinstance(node, list):
            return [self.resolved(value) for value in node]
        return node

    def environment(self) -> dict[str, str]:
        resolved = {}
        for name, node in template.global_environment().items():
            try:
                resolved[name] = str(self.value(node))
            except Unresolvable:
                continue  # e.g. a parameter with no default, such as the JWKS URL of a real issuer
        return resolved


def function_arn(logical_id: str) -> str:
    return f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{logical_id}"


def function_name_from_arn(arn_or_name: str) -> str:
    if ":function:" in arn_or_name:
        return arn_or_name.split(":function:", 1)[1].split(":", 1)[0]
    return arn_or_name
