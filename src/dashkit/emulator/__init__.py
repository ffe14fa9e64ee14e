"""A local Grafana-API-compatible server (dashboards, folders, search, datasources, alerting provisioning)
for tests and demos."""

from dashkit.emulator.config import EmulatorConfig, load_datasources
from dashkit.emulator.emulator import Emulator
from dashkit.emulator.faults import FAULT_KINDS, parse_fault_spec

__all__ = ["FAULT_KINDS", "Emulator", "EmulatorConfig", "load_datasources", "parse_fault_spec"]
