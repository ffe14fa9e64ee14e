"""A local Grafana-API-compatible server (dashboards, folders and their permissions, search, datasources, library
elements, teams, alerting provisioning, and on 12/13 the app-platform APIs) for tests and demos."""

from dashkit.emulator.config import EmulatorConfig, load_datasources
from dashkit.emulator.emulator import Emulator
from dashkit.emulator.faults import FAULT_KINDS, parse_fault_spec

__all__ = ["FAULT_KINDS", "Emulator", "EmulatorConfig", "load_datasources", "parse_fault_spec"]
