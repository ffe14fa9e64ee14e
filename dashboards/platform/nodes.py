"""Hosts running node_exporter: utilisation, saturation and errors (USE) of CPU, memory, disk and network."""

from dashkit.builders import node_dashboard

dashboard = node_dashboard()
