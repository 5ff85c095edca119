"""App configuration for coproduce: involvement profiles, panels, meetings and claims."""

from django.apps import AppConfig


class CoproduceConfig(AppConfig):
    name = "coproduce"
    verbose_name = "Co-production"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import rules

        rules.register_coproduce_visibility()
