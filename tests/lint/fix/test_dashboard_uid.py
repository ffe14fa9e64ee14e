"""DK101 fixed: a dashboard without a uid gets the one dashkit derives from its title, unless it would clash."""

from collections import Counter

from dashkit.lint.fix.dashboard_uid import give_uid
from dashkit.lint.fix.registry import FixContext, Fixed, Left
from dashkit.lint.rules._examples import dashboard
from dashkit.naming import dashboard_uid

from .helpers import findings, run_fixer


def test_the_uid_comes_from_the_title_through_dashkits_own_function():
    data = dashboard(uid=None, title="Node Exporter / Nodes")
    assert run_fixer(give_uid, data, "DK101") == [Fixed("DK101", "uid", "uid 'node-exporter-nodes' (from the title)")]
    assert data["uid"] == dashboard_uid((), "Node Exporter / Nodes") == "node-exporter-nodes"
    assert findings(data, "DK101") == []


def test_a_uid_another_dashboard_has_or_would_get_is_not_given():
    taken = dashboard(uid=None, title="Nodes")
    [outcome] = run_fixer(give_uid, taken, "DK101", ctx=FixContext(uids_in_use=Counter({"nodes": 1})))
    assert isinstance(outcome, Left) and "another dashboard's uid" in outcome.why
    twins = FixContext(uids_derived=Counter({"nodes": 2}))
    [outcome] = run_fixer(give_uid, dashboard(uid=None, title="Nodes"), "DK101", ctx=twins)
    assert "2 dashboards here without a uid" in outcome.why


def test_an_invalid_uid_is_not_replaced():
    [outcome] = run_fixer(give_uid, dashboard(uid="has spaces/and slashes"), "DK101")
    assert isinstance(outcome, Left) and "breaks every link" in outcome.why
