"""Lint rules by area: DK0xx lint itself, DK1xx dashboards, DK2xx alert and rule files, DK3xx SLOs."""
