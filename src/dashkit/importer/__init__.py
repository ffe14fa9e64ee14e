"""Adopting existing dashboards: `dashkit pull` exports them, `dashkit import` turns JSON into Python definitions
that build back the same dashboard, and checks that they do."""
