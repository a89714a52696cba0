"""cdk-nag acknowledgements: one helper, so every suppression in the app carries its reason."""

from __future__ import annotations

from aws_cdk import Acknowledgment, Validations
from constructs import IConstruct

__all__ = ["acknowledge"]


def acknowledge(construct: IConstruct, rule_id: str, reason: str) -> None:
    """Acknowledge one cdk-nag finding (``AwsSolutions-IAM5[Resource::*]`` style) on ``construct``.

    cdk-nag 3 matches findings exactly (no prefix matching), so each distinct finding needs its
    own call; the reason is recorded in the construct's metadata for audits.
    """
    if len(reason.strip()) < 20:
        raise ValueError(f"{rule_id}: a suppression needs a real reason")
    Validations.of(construct).acknowledge(Acknowledgment(id=rule_id, reason=reason))
