"""Alert states over evaluations as Prometheus (rules/alerting.go) and Grafana (ngalert/state) move them: pending
and `for`, keep_firing_for, a series missing from a result, NoData and error handling, and what the report counts
(intervals clipped to the range, pages, flapping)."""

from __future__ import annotations

from dashkit.backtest.states import (
    ALERTING,
    NODATA,
    Firing,
    GrafanaMachine,
    GrafanaRuleStates,
    Interval,
    Whole,
    grafana_replay,
    in_range,
    prometheus_replay,
)

M = 60.0
A = (("service", "a"),)
B = (("service", "b"),)


def prometheus(pattern: str, pending: float = 0, keep: float = 0, labels=A):
    """Replay one series present at the minutes marked 'x' of `pattern` ('.' absent, '!' a failed evaluation)."""
    times = [i * M for i in range(len(pattern))]
    present = [None if c == "!" else ([labels] if c == "x" else []) for c in pattern]
    replay = prometheus_replay(times, present, pending, keep)
    return [(f.start / M, None if f.end is None else f.end / M) for f in replay.firing.get(labels, [])]


def test_prometheus_fires_at_once_without_for_and_resolves_when_the_series_goes():
    assert prometheus("..xxx..x") == [(2, 5), (7, None)]


def test_prometheus_fires_once_the_condition_held_for_its_for():
    assert prometheus("xxxxxxxx..", pending=5 * M) == [(5, 8)]  # t - activeAt >= for: 5 minutes after the first
    assert prometheus("xxxxx.....", pending=5 * M) == []  # held for 4 minutes only


def test_prometheus_pending_starts_over_after_one_evaluation_without_the_series():
    assert prometheus("xxxx.xxxxxx..", pending=5 * M) == [(10, 11)]


def test_prometheus_keep_firing_for_counts_from_the_first_evaluation_without_the_series():
    assert prometheus("xxx...xx", keep=2 * M) == [(0, 5), (6, None)]  # missing at 3: kept at 3 and 4, resolved at 5
    assert prometheus("xxx.xx....", keep=2 * M) == [(0, 8)]  # back before it ran out: one interval, no new page
    assert prometheus("xx..", pending=M, keep=5 * M) == [(1, None)]
    assert prometheus("x.x.", pending=M, keep=5 * M) == []  # a pending alert is not kept firing


def test_prometheus_leaves_everything_as_it_was_when_an_evaluation_fails():
    assert prometheus("xx!xx...", pending=3 * M) == [(3, 5)]


def test_prometheus_series_are_independent():
    times = [i * M for i in range(4)]
    replay = prometheus_replay(times, [[A], [A, B], [B], []], 0, 0)
    assert {k: [(f.start, f.end) for f in v] for k, v in replay.firing.items()} == {A: [(0, 2 * M)],
                                                                                   B: [(M, 3 * M)]}


def grafana(steps, pending: float = 0, keep: float = 0, no_data: str = "NoData", missing: int = 2):
    """Replay steps: each a dict labels -> condition value, or a Whole."""
    machine = GrafanaMachine(GrafanaRuleStates(M, pending, keep, no_data, "Error", missing))
    for i, step in enumerate(steps):
        if isinstance(step, Whole):
            machine.step_whole(i * M, step)
        else:
            machine.step(i * M, list(step.items()))
    replay = machine.finish()
    return {k: [(f.start / M, None if f.end is None else f.end / M) for f in v] for k, v in replay.firing.items()}, \
        replay


def test_grafana_pending_then_alerting_after_for_and_normal_resolves():
    fired, _ = grafana([{A: 1}, {A: 1}, {A: 1}, {A: 0}, {A: 0}], pending=2 * M)
    assert fired == {A: [(2, 3)]}


def test_grafana_nan_is_alerting_like_any_value_but_zero():
    fired, _ = grafana([{A: 0}, {A: float("nan")}, {A: 0}])
    assert fired == {A: [(1, 2)]}


def test_grafana_keep_firing_for_recovers_then_resolves_and_alerting_again_is_the_same_interval():
    fired, _ = grafana([{A: 1}, {A: 0}, {A: 1}, {A: 0}, {A: 0}, {A: 0}], pending=2 * M, keep=2 * M)
    assert fired == {}  # never held for 2 minutes
    fired, _ = grafana([{A: 1}, {A: 0}, {A: 1}, {A: 0}, {A: 0}, {A: 0}], keep=2 * M)
    assert fired == {A: [(0, 5)]}  # Recovering at 1, Alerting again at 2 (no Pending), Recovering at 3, Normal at 5


def test_grafana_a_missing_series_keeps_its_state_until_missing_for_two_intervals():
    fired, _ = grafana([{A: 1, B: 0}, {B: 0}, {A: 1, B: 0}, {B: 0}, {B: 0}, {B: 0}])
    assert fired == {A: [(0, 4)]}  # missing at 3 and 4: stale at 4, two intervals after its last evaluation
    fired, _ = grafana([{A: 1, B: 0}, {B: 0}, {A: 1, B: 0}, {A: 1, B: 0}], pending=3 * M)
    assert fired == {A: [(3, None)]}  # pending from 0 went on through the missing evaluation


def test_grafana_no_data_follows_the_rules_no_data_state():
    nothing = Whole(NODATA, ())
    fired, _ = grafana([{A: 1}, nothing, {A: 1}], no_data="OK")
    assert fired == {A: [(0, 1), (2, None)]}  # OK: the series is Normal at once
    fired, _ = grafana([{A: 1}, nothing, nothing, {A: 0}], no_data="KeepLast")
    assert fired == {A: [(0, 3)]}
    fired, _ = grafana([{A: 0}, nothing, nothing, nothing], pending=M, no_data="Alerting")
    assert fired == {A: [(2, None)]}  # every existing series, Pending then Alerting
    fired, replay = grafana([{A: 1}, nothing, nothing, nothing])
    assert fired == {A: [(0, 2)]} and replay.no_data == 3  # NoData: counted; the series goes stale after 2
    fired, _ = grafana([nothing, nothing], no_data="Alerting")
    assert fired == {(): [(0, None)]}  # no series yet: the no-data instance itself fires


def test_grafana_error_and_no_data_states_end_firing_of_the_rules_alert():
    fired, replay = grafana([{A: 1}, Whole(NODATA, A)])
    assert fired == {A: [(0, 1)]} and replay.no_data == 1
    assert ALERTING != NODATA


def test_only_what_is_in_the_range_is_reported_and_pages_are_starts_within_it():
    firings = [Firing(0, 100, 0), Firing(200, 400, 170), Firing(520, 700, 520), Firing(800, None, 760)]
    intervals, pages, seconds = in_range(firings, 300, 1000, 60)
    # the last one became pending again at the first evaluation after the one before resolved: flapping
    assert intervals == [Interval(300, 400, False), Interval(520, 700, False), Interval(800, None, True)]
    assert pages == 2 and seconds == 100 + 180 + 200


def _naive(times, series, whole, rule, no_series, count_from):
    """Every evaluation stepped, one by one."""
    machine = GrafanaMachine(rule, count_from)
    for i, t in enumerate(times):
        results = [(k, v[i]) for k, v in series if v[i] is not None] if whole[i] is None else []
        if whole[i] is not None or not results:
            machine.step_whole(t, whole[i] or no_series)
        else:
            machine.step(t, results)
    return machine.finish()


def test_skipping_settled_stretches_changes_nothing():
    """The replay steps a stretch of identical evaluations only until the states settle: on random histories, with
    every noDataState, `for` and keep_firing_for, it gives what stepping every evaluation gives."""
    import random

    rng = random.Random(7)
    values = (None, 0.0, 0.0, 1.0, 1.0, float("nan"))
    for case in range(300):
        length = rng.randrange(5, 60)
        times = [i * M for i in range(length)]
        run = rng.randrange(1, 8)  # inputs repeat in runs, as real histories do
        series = [(labels, [v for v in (rng.choice(values) for _ in range(-(-length // run))) for _ in range(run)]
                   [:length]) for labels in (A, B)[:rng.randrange(1, 3)]]
        whole = [rng.choice([None] * 6 + [Whole(NODATA, ()), Whole(NODATA, A)]) for _ in range(-(-length // run))]
        whole = [w for w in whole for _ in range(run)][:length]
        rule = GrafanaRuleStates(M, rng.choice((0, M, 3 * M)), rng.choice((0, 2 * M)),
                                 rng.choice(("NoData", "OK", "Alerting", "KeepLast")), "Error", rng.choice((1, 2)))
        start = rng.choice((0.0, 5 * M))
        fast = grafana_replay(times, series, whole, rule, Whole(NODATA, ()), start)
        slow = _naive(times, series, whole, rule, Whole(NODATA, ()), start)
        assert (fast.firing, fast.no_data, fast.errors) == (slow.firing, slow.no_data, slow.errors), case
