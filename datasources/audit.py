"""Datasources every environment gets, the same everywhere: the audit-log search. (Those that differ per environment
are under `environments.<env>.datasources` in dashkit.yaml.) Panels name it logically: datasource="audit-logs"."""

from dashkit.builders import elasticsearch

datasources = [
    elasticsearch("Platform audit logs", "http://localhost:9200", logical="audit-logs", index="[audit-]YYYY.MM.DD",
                  interval="Daily", log_message_field="message", log_level_field="level"),
]
