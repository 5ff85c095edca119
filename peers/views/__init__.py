"""Front-end views of peer work (NHS.UK styled): case records never appear in the Wagtail
admin. Each topic's module lists its own ``urlpatterns``."""
