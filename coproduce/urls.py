"""Front-end URLs of co-production, added to the site by the ``register_site_urls`` hook.

Each topic's views module lists its own patterns; they share the ``coproduce`` namespace.
"""

from .views import claims, feedback, meetings, messages, notices, panels, payees, profiles, sign_off

app_name = "coproduce"

urlpatterns = [
    *profiles.urlpatterns,
    *payees.urlpatterns,
    *notices.urlpatterns,
    # Before panels: "panels/<slug>/" would otherwise take "panels/meetings/" and
    # "panels/sign-off/".
    *meetings.urlpatterns,
    *sign_off.urlpatterns,
    *panels.urlpatterns,
    *claims.urlpatterns,
    *feedback.urlpatterns,
    *messages.urlpatterns,
]
