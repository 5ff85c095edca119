"""Front-end URLs of co-production, added to the site by the ``register_site_urls`` hook.

Each topic's views module lists its own patterns; they share the ``coproduce`` namespace.
"""

from .views import claims, feedback, meetings, panels, profiles

app_name = "coproduce"

urlpatterns = [
    *profiles.urlpatterns,
    # Before panels: "panels/<slug>/" would otherwise take "panels/meetings/".
    *meetings.urlpatterns,
    *panels.urlpatterns,
    *claims.urlpatterns,
    *feedback.urlpatterns,
]
