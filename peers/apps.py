"""App configuration for peers."""

from django.apps import AppConfig


class PeersConfig(AppConfig):
    name = "peers"
    verbose_name = "Peer work"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # Only what is not Wagtail's (rules, schedules, signals, registries): Wagtail hooks,
        # viewsets and snippets are registered in wagtail_hooks.py, which Wagtail imports.
        from . import rules

        rules.register_peers_visibility()
        rules.register_recruitment_visibility()
        rules.register_pathway_visibility()
        rules.register_offer_outcomes_visibility()

        from .schedules import register_peers_schedules

        register_peers_schedules()

        from .services.activity_totals import connect_activity_totals

        connect_activity_totals()
