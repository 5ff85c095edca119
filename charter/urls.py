"""Front-end URLs of the charter, added to the site by the ``register_site_urls`` hook."""

from .views import app_name, urlpatterns  # noqa: F401
