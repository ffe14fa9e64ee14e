"""Every service's golden signals at a glance, in the General folder; each panel opens the service dashboard."""

from _services import SERVICES

from dashkit.builders import overview_dashboard

dashboard = overview_dashboard(SERVICES)
