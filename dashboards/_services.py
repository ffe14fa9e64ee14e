"""The services this platform runs (a helper module: files starting with '_' are not definitions)."""

SERVICES = ["checkout", "payments", "catalog"]
CHECKOUT_PATH = ["checkout", "payments"]  # a failure of these is a failed checkout for a customer
