"""Small readers over synthesized CloudFormation templates (plain dicts), for the infra tests."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = [
    "Synth",
    "as_list",
    "find",
    "policy_statements",
    "ref_id",
    "render",
    "resources",
]

POLICY_DOCUMENTS = {
    "AWS::IAM::Policy": ("PolicyDocument",),
    "AWS::S3::BucketPolicy": ("PolicyDocument",),
    "AWS::SNS::TopicPolicy": ("PolicyDocument",),
    "AWS::KMS::Key": ("KeyPolicy",),
    "AWS::IAM::Role": ("AssumeRolePolicyDocument",),
}


@dataclass
class Synth:
    """The synthesized cloud assembly: templates by stack, configs, the output folder."""

    outdir: Path
    templates: dict[str, dict[str, Any]]
    configs: dict[str, Any]
    error: str | None

    def resources(self, stack: str, type_: str) -> dict[str, dict[str, Any]]:
        """Logical id -> resource of one type in one stack's template."""
        return {
            lid: res
            for lid, res in self.templates[stack]["Resources"].items()
            if res["Type"] == type_
        }

    def one(self, stack: str, type_: str) -> dict[str, Any]:
        found = list(self.resources(stack, type_).values())
        assert len(found) == 1, f"{stack}: expected one {type_}, found {len(found)}"
        return found[0]


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def resources(template: dict[str, Any], type_: str) -> dict[str, dict[str, Any]]:
    return {k: v for k, v in template["Resources"].items() if v["Type"] == type_}


def find(template: dict[str, Any], type_: str, **props: Any) -> dict[str, Any]:
    """The one resource of ``type_`` whose properties include ``props`` (top level, equal)."""
    found = [
        res
        for res in resources(template, type_).values()
        if all(res.get("Properties", {}).get(k) == v for k, v in props.items())
    ]
    assert len(found) == 1, f"expected one {type_} with {props}, found {len(found)}"
    return found[0]


def policy_statements(template: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """Every policy statement: (logical id, resource type, statement), inline role policies too."""
    for lid, res in template["Resources"].items():
        props = res.get("Properties", {})
        for key in POLICY_DOCUMENTS.get(res["Type"], ()):
            for statement in props.get(key, {}).get("Statement", []):
                yield lid, res["Type"], statement
        if res["Type"] == "AWS::IAM::Role":
            for policy in props.get("Policies", []):
                for statement in policy["PolicyDocument"]["Statement"]:
                    yield lid, res["Type"], statement


def ref_id(value: Any) -> str | None:
    """The logical id a ``Ref`` or ``Fn::GetAtt`` points at, else None."""
    if isinstance(value, dict):
        if "Ref" in value:
            return str(value["Ref"])
        if "Fn::GetAtt" in value:
            return str(value["Fn::GetAtt"][0])
    return None


def render(value: Any) -> str:
    """A readable string for a CloudFormation value: intrinsics become ``<LogicalId>``/``${Ref}``."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        if "Ref" in value:
            return f"${{{value['Ref']}}}"
        if "Fn::GetAtt" in value:
            return f"<{'.'.join(value['Fn::GetAtt'])}>"
        if "Fn::Sub" in value and isinstance(value["Fn::Sub"], str):
            return value["Fn::Sub"]
        if "Fn::Join" in value:
            sep, parts = value["Fn::Join"]
            return sep.join(render(p) for p in parts)
    return json.dumps(value, sort_keys=True)
