"""The services this platform runs (a helper module: files starting with '_' are not definitions)."""

SERVICES = ["checkout", "payments", "catalog"]
