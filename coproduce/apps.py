"""App configuration for coproduce."""

from django.apps import AppConfig


class CoproduceConfig(AppConfig):
    name = "coproduce"
    default_auto_field = "django.db.models.BigAutoField"
