"""Tests for the bundled Grafana-API emulator."""
