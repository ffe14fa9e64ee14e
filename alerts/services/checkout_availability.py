"""An alert group written with grafanalib's Grafana 9+ alert classes, as a team that already has them keeps them:
dashkit syncs it like its own groups (CheckoutAvailabilityLow: under 99% of requests without a 5xx for 10m)."""

from grafanalib.core import (
    ALERTRULE_STATE_DATA_ERROR,
    ALERTRULE_STATE_DATA_NODATA,
    EXP_REDUCER_FUNC_LAST,
    EXP_TYPE_MATH,
    EXP_TYPE_REDUCE,
    AlertExpression,
    AlertGroup,
    AlertRulev9,
    Target,
)

CHECKOUT = 'service="checkout"'

alert_group = AlertGroup(
    name="checkout-availability",
    folder="services/checkout",
    evaluateInterval="1m",
    rules=[
        AlertRulev9(
            title="CheckoutAvailabilityLow",
            triggers=[
                Target(
                    refId="A",
                    datasource="@prometheus",
                    expr=f'sum(rate(http_requests_total{{{CHECKOUT},status_code!~"5.."}}[5m]))'
                         f" / sum(rate(http_requests_total{{{CHECKOUT}}}[5m]))",
                    instant=True,
                ),
                AlertExpression(refId="B", expression="A", expressionType=EXP_TYPE_REDUCE,
                                reduceFunction=EXP_REDUCER_FUNC_LAST),
                AlertExpression(refId="C", expression="$B < 0.99", expressionType=EXP_TYPE_MATH),
            ],
            condition="C",
            evaluateFor="10m",
            noDataAlertState=ALERTRULE_STATE_DATA_NODATA,
            errorAlertState=ALERTRULE_STATE_DATA_ERROR,
            labels={"severity": "warning", "team": "platform", "service": "checkout"},
            annotations={
                "summary": "Checkout answers fewer than 99% of requests without a server error",
                "description": "{{ humanizePercentage $values.B.Value }} of checkout requests succeeded over 5m.",
            },
        ),
    ],
)
