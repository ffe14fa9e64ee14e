"""Platform logs: a plain dict of Grafana dashboard JSON, as hand-written or exported from Grafana."""

dashboard = {
    "title": "Platform logs",
    "tags": ["platform"],
    "schemaVersion": 39,
    "editable": False,
    "time": {"from": "now-1h", "to": "now"},
    "panels": [
        {
            "type": "logs",
            "title": "Error logs",
            "description": "Log lines at level error across the platform namespace.",
            "datasource": {"uid": "@loki"},
            "gridPos": {"h": 12, "w": 24, "x": 0, "y": 0},
            "targets": [{"refId": "A", "expr": '{namespace="platform"} |= "level=error"'}],
        },
        {
            "type": "timeseries",
            "title": "Log volume",
            "description": "Log lines per second by level.",
            "datasource": "@loki",
            "gridPos": {"h": 8, "w": 24, "x": 0, "y": 12},
            "fieldConfig": {"defaults": {"unit": "short"}, "overrides": []},
            "targets": [{"refId": "A", "expr": 'sum by (level) (rate({namespace="platform"}[$__interval]))'}],
        },
    ],
}
