"""App configuration for charter."""

from django.apps import AppConfig


class CharterConfig(AppConfig):
    name = "charter"
    verbose_name = "Lived Experience Charter"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # Only what is not Wagtail's (rules, schedules, signals, registries): Wagtail hooks,
        # viewsets and snippets are registered in wagtail_hooks.py, which Wagtail imports.
        from cms import schedules

        from . import rules

        rules.register_charter_visibility()

        from . import dashboard

        dashboard.connect_signals()

        # Here, not in wagtail_hooks: the worker must know the report kind before any task.
        from .services import register_board_report

        register_board_report()

        # Readings are taken once per period however often this runs; a run missed while
        # the worker was down is made up by the next (it fills every period not yet read).
        schedules.register(
            name="Charter readings", func="charter.tasks.take_charter_readings", minutes=6 * 60
        )
        schedules.register(
            name="Charter review reminders",
            func="charter.tasks.send_review_reminders",
            minutes=60,
        )
