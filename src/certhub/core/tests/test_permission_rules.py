"""C14: every permission is decided by exactly one rule, declared as data by the app it belongs to and
merged by core (core.permissions.register)."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from certhub.core import permissions
from certhub.core.actors import SYSTEM
from certhub.core.permissions import Permission, administrator, officer_in_region


def test_every_permission_has_exactly_one_rule_once_the_apps_are_ready():
    assert permissions.missing_rules() == []
    assert permissions.check_rules() == []
    assert permissions._declared_by[Permission.HANDLE_CASES] == "cases"
    assert permissions._declared_by[Permission.VIEW_OFFICE] == "core"


def test_a_second_rule_for_a_permission_is_refused(monkeypatch):
    monkeypatch.setattr(permissions, "_rules", dict(permissions._rules))
    monkeypatch.setattr(permissions, "_declared_by", dict(permissions._declared_by))
    with pytest.raises(ImproperlyConfigured, match="handle_cases has two rules: from cases and from stats"):
        permissions.register("stats", {Permission.HANDLE_CASES: administrator})
    permissions.register("cases", {Permission.HANDLE_CASES: officer_in_region})  # the same table again


def test_a_permission_without_a_rule_is_refused(monkeypatch):
    rules = dict(permissions._rules)
    del rules[Permission.VIEW_STATISTICS]
    monkeypatch.setattr(permissions, "_rules", rules)
    assert [e.id for e in permissions.check_rules()] == ["certhub.E001"]
    with pytest.raises(ImproperlyConfigured, match="view_statistics has no rule"):
        permissions.is_permitted(SYSTEM, Permission.VIEW_STATISTICS)
