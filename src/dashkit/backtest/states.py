"""Alert states over a run of evaluations, as Prometheus (rules/alerting.go, AlertingRule.Eval) and Grafana
(pkg/services/ngalert/state: state.go, manager.go) move them, turned into firing intervals per alert series.

Prometheus: a series in the result is pending from the evaluation it appears (activeAt), firing once
`t - activeAt >= for`; missing from a result, a pending alert is dropped and a firing one resolves, unless
keep_firing_for keeps it firing until `t - (first evaluation it was missing) >= keep_firing_for`.

Grafana: each result is Normal (0), Alerting (non-zero, NaN included) or NoData/Error; Alerting goes Pending ->
Alerting after `for`; Normal after Alerting goes Recovering when keep_firing_for is set, and back to Alerting
(without Pending) if the condition holds again; NoData and Error follow the rule's noDataState/execErrState. A result
for no series at all under Alerting/OK/KeepLast applies to every existing alert series; a series missing from a
result keeps its state until it has been missing for `missing_series_evals_to_resolve` intervals (2; 1 for series in
NoData or Error), then resolves. Firing means Alerting or Recovering: NoData and Error are Grafana's own
DatasourceNoData/DatasourceError alerts, which backtest counts and does not replay."""

from __future__ import annotations

import bisect
import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field

from .grafana_expressions import runs

Labels = tuple[tuple[str, str], ...]


@dataclass
class Firing:
    start: float
    end: float | None = None  # None: still firing after the last evaluation
    active_at: float = 0.0  # when the condition began to hold (pending since)


@dataclass
class Interval:
    """A firing interval as reported: within the range, `end` None while still firing at its end."""

    start: float
    end: float | None
    flapping: bool = False  # its condition held again at the first evaluation after the previous interval ended


def in_range(firings: list[Firing], start: float, end: float, interval: float) -> tuple[list[Interval], int, float]:
    """(the intervals clipped to [start, end], pages: firing starts within it, seconds firing within it)."""
    out: list[Interval] = []
    pages, seconds = 0, 0.0
    previous_end: float | None = None
    for firing in firings:
        flapping = previous_end is not None and firing.active_at - previous_end <= interval
        previous_end = firing.end
        if firing.end is not None and firing.end <= start:
            continue
        out.append(Interval(max(firing.start, start), firing.end, flapping))
        pages += firing.start >= start
        seconds += (end if firing.end is None else firing.end) - max(firing.start, start)
    return out, pages, seconds


@dataclass
class Replay:
    """Per alert series (labels), its firing intervals in time order; NoData and Error evaluations counted."""

    firing: dict[Labels, list[Firing]] = field(default_factory=dict)
    no_data: int = 0
    errors: int = 0

    def open(self, labels: Labels, t: float, active_at: float) -> None:
        self.firing.setdefault(labels, []).append(Firing(t, None, active_at))

    def close(self, labels: Labels, t: float) -> None:
        self.firing[labels][-1].end = t


# ---- Prometheus --------------------------------------------------------------------------------------------------
def prometheus_replay(times: Sequence[float], present: Sequence[Sequence[Labels] | None], pending: float,
                      keep_firing_for: float, count_from: float = float("-inf")) -> Replay:
    """`present[i]`: the alert label sets the expression returned at `times[i]`; None when that evaluation failed
    (Prometheus refuses a result with two series of the same alert labels; nothing changes then)."""
    replay = Replay()
    # labels -> [firing?, active_at, keep_firing_since or None]
    active: dict[Labels, list] = {}
    for t, result in zip(times, present, strict=True):
        if result is None:
            if t >= count_from:
                replay.errors += 1
            continue
        if not result and not active:
            continue
        for labels in result:
            alert = active.get(labels)
            if alert is None:
                alert = active[labels] = [False, t, None]
            alert[2] = None
        if len(result) != len(active):
            held = set(result)
            for labels in [k for k in active if k not in held]:
                alert = active[labels]
                if alert[0] and keep_firing_for > 0:
                    if alert[2] is None:
                        alert[2] = t
                    if t - alert[2] < keep_firing_for:
                        continue
                if alert[0]:
                    replay.close(labels, t)
                del active[labels]
        for labels, alert in active.items():
            if not alert[0] and t - alert[1] >= pending:
                alert[0] = True
                replay.open(labels, t, alert[1])
    return replay


# ---- Grafana -----------------------------------------------------------------------------------------------------
NORMAL, PENDING, ALERTING, RECOVERING, NODATA, ERROR = range(6)
FIRING_STATES = (ALERTING, RECOVERING)


@dataclass(frozen=True)
class GrafanaRuleStates:
    """What of a Grafana rule decides its alert states."""

    interval: float
    pending: float
    keep_firing_for: float = 0.0
    no_data_state: str = "NoData"  # Alerting | NoData | OK | KeepLast
    exec_err_state: str = "Error"  # Alerting | Error | OK | KeepLast
    missing_series_evals: int = 2


@dataclass(frozen=True)
class Whole:
    """An evaluation whose result is NoData or Error as a whole (not per series): `labels` are the instance labels
    Grafana gives it (datasource_uid and ref_id of the queries without data) merged with the rule's."""

    state: int  # NODATA or ERROR
    labels: Labels = ()


class _State:
    __slots__ = ("active_at", "last", "since", "state")

    def __init__(self) -> None:
        self.state = NORMAL
        self.since = 0.0  # StartsAt of the current state
        self.last = 0.0  # LastEvaluationTime
        self.active_at = 0.0  # when Pending began (for flapping)


class GrafanaMachine:
    """One rule's alert series, evaluation after evaluation: `step(t, results)` or `step_whole(t, whole)`."""

    def __init__(self, rule: GrafanaRuleStates, count_from: float = float("-inf")) -> None:
        self.rule = rule
        self.count_from = count_from
        self.states: dict[Labels, _State] = {}
        self.replay = Replay()

    def step(self, t: float, results: Sequence[tuple[Labels, float]]) -> None:
        """`results`: (alert labels, condition value) of each series the condition returned."""
        states = self.states
        for labels, value in results:
            st = states.get(labels)
            if st is not None:
                if (st.state == NORMAL and value == 0) or (st.state == ALERTING and value != 0):
                    st.last = t  # nothing changes: the common case, kept cheap
                    continue
            else:
                st = states[labels] = _State()
            self._transition(labels, st, t, NORMAL if value == 0 else ALERTING)
            st.last = t
        if len(states) > len(results):
            self._missing(t)

    def step_whole(self, t: float, whole: Whole) -> None:
        if t >= self.count_from:
            if whole.state == NODATA:
                self.replay.no_data += 1
            else:
                self.replay.errors += 1
        mapped = self.rule.no_data_state if whole.state == NODATA else self.rule.exec_err_state
        if mapped in ("Alerting", "OK", "KeepLast") and self.states:  # applies to every existing series
            for labels, st in self.states.items():
                self._transition(labels, st, t, whole.state)
                st.last = t
            return
        st = self.states.get(whole.labels)
        if st is None:
            st = self.states[whole.labels] = _State()
        self._transition(whole.labels, st, t, whole.state)
        st.last = t
        self._missing(t)

    def finish(self) -> Replay:
        return self.replay

    def settled(self, t: float) -> bool:
        """Whether the same input at the next evaluations changes nothing but when each series was last evaluated:
        every series evaluated at `t`, none Pending or Recovering (which time alone moves on)."""
        return all(st.last == t and st.state not in (PENDING, RECOVERING) for st in self.states.values())

    def skip(self, t: float, no_data: int = 0, errors: int = 0) -> None:
        """Account for evaluations up to `t` that repeated the input of a settled one (see `settled`)."""
        for st in self.states.values():
            st.last = t
        self.replay.no_data += no_data
        self.replay.errors += errors

    # -- state.go: resultNormal, resultAlerting, resultNoData, resultError, resultKeepLast
    def _transition(self, labels: Labels, st: _State, t: float, result: int) -> None:
        if result == NORMAL:
            self._normal(labels, st, t)
        elif result == ALERTING:
            self._alerting(labels, st, t)
        else:
            mapped = self.rule.no_data_state if result == NODATA else self.rule.exec_err_state
            if mapped == "Alerting":
                self._alerting(labels, st, t)
            elif mapped == "OK":
                self._normal(labels, st, t)
            elif mapped == "KeepLast":
                self._keep_last(labels, st, t)
            elif st.state != result:  # NoData / Error: Grafana's own alert, the rule's alert resolves
                self._set(labels, st, result, t)

    def _normal(self, labels: Labels, st: _State, t: float) -> None:
        if st.state == NORMAL:
            return
        if st.state == RECOVERING:
            if t - st.since >= self.rule.keep_firing_for:
                self._set(labels, st, NORMAL, t)
        elif st.state == ALERTING and self.rule.keep_firing_for > 0:
            self._set(labels, st, RECOVERING, t)
        else:
            self._set(labels, st, NORMAL, t)

    def _alerting(self, labels: Labels, st: _State, t: float) -> None:
        if st.state == ALERTING:
            return
        if st.state == PENDING:
            if t - st.since >= self.rule.pending:
                self._set(labels, st, ALERTING, t)
        elif st.state != RECOVERING and self.rule.pending > 0:
            self._set(labels, st, PENDING, t)
        else:
            self._set(labels, st, ALERTING, t)

    def _keep_last(self, labels: Labels, st: _State, t: float) -> None:
        if st.state == ALERTING:
            return
        if st.state == PENDING:
            if t - st.since >= self.rule.pending:
                self._alerting(labels, st, t)
        else:
            self._normal(labels, st, t)

    def _set(self, labels: Labels, st: _State, state: int, t: float) -> None:
        was_firing = st.state in FIRING_STATES
        if state == PENDING:
            st.active_at = t
        elif state == ALERTING and not was_firing:
            active_at = st.active_at if st.state == PENDING else t
            self.replay.open(labels, t, active_at)
        if was_firing and state not in FIRING_STATES:
            self.replay.close(labels, t)
        st.since = t  # Recovering -> Alerting starts a state, not a firing interval: that one goes on
        st.state = state

    # -- manager.go: processMissingSeriesStates
    def _missing(self, t: float) -> None:
        interval = self.rule.interval
        for labels in [k for k, st in self.states.items() if st.last != t]:
            st = self.states[labels]
            evals = 1 if st.state in (NODATA, ERROR) else self.rule.missing_series_evals
            if t - st.last >= evals * interval:
                if st.state in FIRING_STATES:
                    self.replay.close(labels, t)
                del self.states[labels]


def grafana_replay(times: Sequence[float], series: Sequence[tuple[Labels, Sequence[float | None]]],
                   whole: Sequence[Whole | None], rule: GrafanaRuleStates, no_series: Whole,
                   count_from: float = float("-inf")) -> Replay:
    """A Grafana rule's alert series over `times`: `series` are the condition's (alert labels, value at each
    evaluation, None where absent); `whole[i]` a NoData/Error of the whole evaluation; `no_series` what an evaluation
    where the condition returned no series is. Stretches of evaluations with the same input (the same series
    present, each zero or not, the same whole result) are stepped only until the states settle."""
    machine = GrafanaMachine(rule, count_from)
    cuts = {0, len(times), *runs(list(whole))}
    for _, values in series:
        cuts.update(runs([None if v is None else v != 0 for v in values]))
    first_counted = bisect.bisect_left(times, count_from)
    for begin, stop in itertools.pairwise(sorted(cuts)):
        i = begin
        while i < stop:
            t, lacking = times[i], whole[i]
            results: list[tuple[Labels, float]] = []
            if lacking is None:
                results = [(k, v[i]) for k, v in series if v[i] is not None]  # type: ignore[misc]
                lacking = None if results else no_series
            if lacking is None:
                machine.step(t, results)
            else:
                machine.step_whole(t, lacking)
            i += 1
            if i < stop and machine.settled(t):  # the rest of the stretch changes nothing: count it, skip it
                counted = stop - max(i, first_counted) if stop > first_counted else 0
                machine.skip(times[stop - 1], no_data=counted if lacking is not None and lacking.state == NODATA
                             else 0, errors=counted if lacking is not None and lacking.state == ERROR else 0)
                i = stop
    return machine.finish()
