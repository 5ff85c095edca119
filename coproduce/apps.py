"""App configuration for coproduce: involvement profiles, panels, meetings and claims."""

from django.apps import AppConfig


class CoproduceConfig(AppConfig):
    name = "coproduce"
    verbose_name = "Co-production"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # Only what is not Wagtail's (rules, schedules, signals, registries): Wagtail hooks,
        # viewsets and snippets are registered in wagtail_hooks.py, which Wagtail imports.
        from cms import schedules

        from . import rules

        rules.register_coproduce_visibility()

        from . import signals

        signals.connect()

        # Here, not in wagtail_hooks: the worker must know the report kind before any task.
        from .services.impact import register_impact_report

        register_impact_report()

        # Often enough that a reminder goes out close to two days ahead; missed runs are
        # not replayed (catch_up off), and each meeting is reminded once whatever happens.
        schedules.register(
            name="Meeting reminders", func="coproduce.tasks.send_meeting_reminders", minutes=15
        )
