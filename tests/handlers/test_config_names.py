"""app.yaml's names of people are checked at load: an approver or a manager nobody is called is
reported by its key (not found weeks later as an approval sent to "@carl"), and so are the
structural mistakes, each at its own key rather than as a dump of the whole file."""
from __future__ import annotations

import pytest

from bot.config import ConfigError, load_organisation
from tests.conftest import ROOT


def _load_with(tmp_path, *changes: tuple[str, str]):
    text = (ROOT / "app.yaml").read_text()
    for old, new in changes:
        assert old in text, old
        text = text.replace(old, new, 1)
    path = tmp_path / "app.yaml"
    path.write_text(text)
    return load_organisation(path)


def _error(tmp_path, *changes: tuple[str, str]) -> str:
    with pytest.raises(ConfigError) as error:
        _load_with(tmp_path, *changes)
    message = str(error.value)
    assert "Example Corp" not in message  # the bad key and value, never the whole file
    return message


def test_an_approver_who_is_not_staff_or_a_person_is_named_by_key(tmp_path):
    message = _error(tmp_path, ("approvers: [carol]", "approvers: [carl]"))
    assert "access.resources.salesforce.approvers.0: 'carl' is not valid: not a staff member or person in app.yaml" \
        in message
    assert "did you mean 'carol'?" in message


def test_a_catalog_items_approvers_are_checked_too_names_and_groups(tmp_path):
    message = _error(tmp_path, ("approval: manager\n      steps: [Allocate",
                                "approval: [manager, carl, group:nope]\n      steps: [Allocate"))
    assert "catalog.items.0.approval.1: 'carl' is not valid: not a staff member or person" in message
    assert "catalog.items.0.approval.2: 'group:nope' is not valid: unknown group 'nope'" in message
    assert "access.groups" in message and "approval.0" not in message  # manager is fine


def test_an_unknown_group_is_named_at_its_approver_not_the_whole_access_section(tmp_path):
    message = _error(tmp_path, ("approvers: [group:facilities]", "approvers: [group:facility]"))
    assert "access.resources.server_room.approvers.0: 'group:facility' is not valid: unknown group 'facility'" \
        in message
    assert "defined: facilities, infrastructure" in message and "salesforce" not in message


def test_group_members_and_managers_must_be_people_here(tmp_path):
    message = _error(tmp_path, ("infrastructure: [bob]", "infrastructure: [bobby]"),
                     ("tom: {display_name: Tom, manager: maria", "tom: {display_name: Tom, manager: nobody"),
                     ("priya: {display_name: Priya, manager: tom", "priya: {display_name: Priya, manager: Maria"))
    assert "access.groups.infrastructure.0: 'bobby' is not valid: not a staff member or person" in message
    assert "people.tom.manager: 'nobody' is not valid: not a staff member or person in app.yaml" in message
    # approvals compare names exactly, so a manager spelt "Maria" would never be able to approve
    assert "people.priya.manager: 'Maria' is not valid" in message and "did you mean 'maria'?" in message


def test_names_that_are_right_load_people_staff_manager_and_groups(tmp_path):
    organisation = _load_with(tmp_path, ("infrastructure: [bob]", "infrastructure: [bob, priya]"),
                              ("approvers: [carol]", "approvers: [tom, manager, group:facilities, Carol]"),
                              ("approval: manager\n      steps: [Allocate",
                               "approval: [maria]\n      steps: [Allocate"))
    assert organisation.access.resources["salesforce"].approvers == ["tom", "manager", "group:facilities", "Carol"]


def test_structural_mistakes_are_each_named_at_their_key(tmp_path):
    message = _error(tmp_path, ("  P5: {first_response: 2bd, resolution: planned}\n", ""),
                     ("  - name: sofia\n", "  - name: agent\n"),
                     ("identities: {console: bob, slack: U0BOB", "identities: {console: bob, slack: U0AGENT"))
    assert "sla.P5: missing (it is required)" in message
    assert "staff.1.name: 'agent' is not valid: appears more than once under staff" in message
    assert "staff.2.identities.slack: 'U0AGENT' is not valid: is also the slack identity of agent" in message


def test_an_empty_app_yaml_says_it_is_empty(tmp_path):
    path = tmp_path / "app.yaml"
    path.write_text("# nothing yet\n")
    with pytest.raises(ConfigError, match=r"app\.yaml is empty"):
        load_organisation(path)
