"""App configuration for the site shell."""

from django.apps import AppConfig
from wagtail.users.apps import WagtailUsersAppConfig


class CmsConfig(AppConfig):
    name = "cms"
    verbose_name = "Site"
    default = True
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # Only what is not Wagtail's (rules, schedules, signals, registries): Wagtail hooks,
        # viewsets and snippets are registered in wagtail_hooks.py, which Wagtail imports.
        from django.db.models.signals import post_migrate

        from . import (
            admin_dates,
            data_registry,
            offer_search,
            page_cache,
            permissions,
            schedules,
            signals,
            site_address,
            your_data,
        )

        post_migrate.connect(site_address.site_sync, sender=self)
        # Wagtail's form field overrides stay here, not in wagtail_hooks.py: they must be set
        # before any admin form class is made, and Wagtail reads the hooks only on first use.
        admin_dates.register_admin_date_fields()
        permissions.register_shell_visibility()
        signals.connect_site_shell_purges()
        page_cache.connect_signals()
        offer_search.connect_upkeep()
        data_registry.discover()
        your_data.register_your_data_report()

        schedules.register(
            name="Worker heartbeat",
            func="cms.tasks.heartbeat",
            minutes=1,
        )
        schedules.register(
            name="Purge old reports",
            func="cms.tasks.purge_old_reports",
            minutes=24 * 60,
        )
        schedules.register(
            name="Purge old form tokens",
            func="cms.tasks.purge_old_submission_tokens",
            minutes=24 * 60,
        )
        schedules.register(
            name="Retry waiting email",
            func="cms.tasks.retry_pending_email",
            minutes=1,
        )
        schedules.register(
            name="Purge old email",
            func="cms.tasks.purge_old_email",
            minutes=24 * 60,
        )
        schedules.register(
            name="Retry waiting text messages",
            func="cms.tasks.retry_pending_texts",
            minutes=1,
        )
        schedules.register(
            name="Purge old text messages",
            func="cms.tasks.purge_old_texts",
            minutes=24 * 60,
        )
        schedules.register(
            name="Clear expired sessions",
            func="cms.tasks.clear_expired_sessions",
            minutes=24 * 60,
        )
        schedules.register(
            name="Apply data retention",
            func="cms.tasks.apply_data_retention",
            minutes=24 * 60,
        )
        schedules.register(
            name="Take over stuck reports",
            func="cms.tasks.rescue_stuck_reports",
            minutes=5,
        )


class UsersAppConfig(WagtailUsersAppConfig):
    """Wagtail's user admin, with the organisation and partnership-wide access fields."""

    user_viewset = "cms.viewsets.UserViewSet"
