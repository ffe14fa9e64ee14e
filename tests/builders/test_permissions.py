"""team() and permissions(): a folder's grants as a set, and every mistake refused at the line that wrote it."""

from __future__ import annotations

import pytest

from dashkit.builders import BuilderError, FolderPermissions, Team, permissions, team


def test_a_team_is_a_name_and_an_optional_email():
    assert team("checkout") == Team("checkout", "")
    assert team("checkout", email="checkout@example.com").to_grafana() == {"name": "checkout",
                                                                           "email": "checkout@example.com"}


@pytest.mark.parametrize(("name", "email", "message"), [
    ("", "", "non-empty name"),
    ("   ", "", "non-empty name"),
    (" checkout", "", "starts or ends with spaces"),
    ("x" * 191, "", "longer than Grafana's 190"),
    ("checkout", "not-an-address", "email must be an address"),
])
def test_a_team_refuses_what_grafana_would_keep_wrong(name, email, message):
    with pytest.raises(BuilderError, match=message):
        team(name, email=email)


def test_permissions_hold_roles_and_teams_at_their_levels():
    declared = permissions(view=["Viewer"], edit=["Editor", team("checkout")], admin=[team("platform")])
    assert isinstance(declared, FolderPermissions)
    assert declared.to_grafana() == {"items": [
        {"role": "Editor", "permission": "Edit"}, {"role": "Viewer", "permission": "View"},
        {"team": "checkout", "permission": "Edit"}, {"team": "platform", "permission": "Admin"}]}
    assert declared.teams() == ["checkout", "platform"]


def test_permissions_are_a_set_the_order_they_are_written_in_does_not_matter():
    one = permissions(view=["Viewer"], edit=["Editor", team("checkout")], admin=[team("platform")])
    other = permissions(admin=team("platform"), edit=[team("checkout"), "Editor", "Editor"], view="Viewer")
    assert one == other
    assert permissions(edit=[team("checkout", email="a@example.com")]) == permissions(edit=[team("checkout")])


def test_no_grants_at_all_leaves_only_what_the_folder_inherits():
    assert permissions().to_grafana() == {"items": []}


def test_one_principal_at_two_levels_is_refused():
    with pytest.raises(BuilderError, match="team checkout is given both view and admin"):
        permissions(view=[team("checkout")], admin=[team("checkout")])
    with pytest.raises(BuilderError, match="role Editor is given both view and edit"):
        permissions(view=["Editor"], edit=["Editor"])


@pytest.mark.parametrize(("given", "message"), [
    ({"admin": ["Admin"]}, "the Admin role always has every permission"),
    ({"view": ["viewer"]}, "role 'viewer' is spelled 'Viewer'"),
    ({"edit": ["checkout"]}, r"'checkout' is not a role \(Viewer or Editor\); name a team with team\('checkout'\)"),
    ({"edit": [42]}, "edit= takes roles"),
    ({"view": 42}, "view= takes a list of roles and teams"),
])
def test_what_is_not_a_role_or_a_team_is_refused_with_what_to_write_instead(given, message):
    with pytest.raises(BuilderError, match=message):
        permissions(**given)
