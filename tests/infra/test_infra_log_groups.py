"""Log groups construct: one Standard-class raw group per configured family, kept on delete."""

from __future__ import annotations

from typing import Any

from cfn_helpers import ref_id, resources


def _raw_groups(template: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        res["Properties"]["LogGroupName"]: res
        for lid, res in resources(template, "AWS::Logs::LogGroup").items()
        if lid.startswith("LogGroups")
    }


def test_default_groups_are_standard_class_with_retention(
    templates: dict[str, dict[str, Any]],
) -> None:
    groups = _raw_groups(templates["Default"])
    assert set(groups) == {"/pexip/support", "/pexip/audit", "/pexip/web"}
    for name, group in groups.items():
        # Infrequent Access groups cannot be exported: the pipeline depends on Standard.
        assert group["Properties"]["LogGroupClass"] == "STANDARD", name
        assert group["Properties"]["RetentionInDays"] == 90, name
        assert "KmsKeyId" not in group["Properties"], name
        assert group["DeletionPolicy"] == "Retain", name


def test_families_names_retention_and_key_follow_the_options(
    templates: dict[str, dict[str, Any]],
) -> None:
    template = templates["Full"]
    groups = _raw_groups(template)
    # web is left out; support renamed.
    assert set(groups) == {"/custom/support", "/pexip/audit"}
    (key_id,) = resources(template, "AWS::KMS::Key")
    for group in groups.values():
        assert group["Properties"]["RetentionInDays"] == 30
        assert ref_id(group["Properties"]["KmsKeyId"]) == key_id
