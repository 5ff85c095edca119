"""Front-end URLs of peer work, added to the site by the ``register_site_urls`` hook.

Each topic's views module lists its own patterns; they share the ``peers`` namespace.
"""

from .views import induction as induction_views
from .views import pathway as pathway_views
from .views import safeguarding as safeguarding_views
from .views import sessions as session_views
from .views import summary
from .views import supervision as supervision_views
from .views import vacancies as vacancy_views
from .views import wellbeing as wellbeing_views

app_name = "peers"

urlpatterns: list = [
    *pathway_views.urlpatterns,
    *induction_views.urlpatterns,
    *session_views.urlpatterns,
    *safeguarding_views.urlpatterns,
    *summary.urlpatterns,
    *supervision_views.urlpatterns,
    *vacancy_views.urlpatterns,
    *wellbeing_views.urlpatterns,
]
