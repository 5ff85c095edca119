"""Front-end URLs of the partnership's outcomes, added by the ``register_site_urls`` hook."""

from .views_outcomes import app_name, urlpatterns  # noqa: F401
