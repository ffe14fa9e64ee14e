"""Who may see and change the services folder: every service team edits it, the platform team administers it.

The teams are defined here too (any dashboards/ or alerts/ module may export `teams`); dashkit creates them by name
and never touches their members. See docs/permissions.md."""

from _services import SERVICES

from dashkit.builders import permissions, team

platform = team("platform-observability", email="platform-observability@example.com")
service_teams = [team(f"{service}-team", email=f"{service}-team@example.com") for service in SERVICES]

teams = [platform, *service_teams]
folder_permissions = permissions(view=["Viewer"], edit=["Editor", *service_teams], admin=[platform])
