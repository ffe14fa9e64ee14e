"""Where alerts go: PagerDuty for critical (and keep routing), Slack for critical and warning, e-mail otherwise.

Secrets are named by environment variable, never written here: SLACK_WEBHOOK_URL, PAGERDUTY_INTEGRATION_KEY.
"""

from dashkit.builders import (
    email,
    mute_timing,
    notification_policy,
    pagerduty,
    route,
    slack,
    template,
)

contact_points = [
    pagerduty("pagerduty-oncall", integration_key_env="PAGERDUTY_INTEGRATION_KEY",
              summary='{{ template "platform.title" . }}'),
    slack("slack-alerts", webhook_url_env="SLACK_WEBHOOK_URL", channel="#platform-alerts",
          title='{{ template "platform.title" . }}', text='{{ template "platform.text" . }}'),
    email("platform-email", ["platform-team@example.com"]),
]

templates = [
    template("platform", """\
{{ define "platform.title" }}[{{ .Status | toUpper }}] {{ .CommonLabels.alertname }}
{{- with .CommonLabels.service }} ({{ . }}){{ end }}{{ end }}
{{ define "platform.text" }}{{ range .Alerts }}{{ .Annotations.summary }}
{{ if .Annotations.runbook_url }}Runbook: {{ .Annotations.runbook_url }}{{ end }}
{{ end }}{{ end }}
"""),
]

mute_timings = [
    mute_timing("weekly-maintenance", weekdays=["sunday"], times=[("02:00", "04:00")], location="UTC"),
]

notification_policy = notification_policy(
    "platform-email",
    group_by=["alertname", "cluster", "service"],
    group_wait="10s",
    group_interval="10s",
    repeat_interval="12h",
    routes=[
        route("pagerduty-oncall", matchers={"severity": "critical"}, continue_matching=True),
        route("slack-alerts", matchers=[("severity", "=~", "critical|warning")],
              mute_timings=["weekly-maintenance"]),
    ],
)
