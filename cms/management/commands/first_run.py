"""Make a new site ready for real content: pages, menus, the organisation and the first
administrator, who is emailed an invitation. No demo data. Safe to run again."""

from django.core.management.base import BaseCommand, CommandError

from cms.first_run import site_first_run
from cms.models import Organisation
from cms.refusals import Refused


class Command(BaseCommand):
    help = (
        "Set up a new site: its pages (home, Find support, You said we did, privacy, "
        "accessibility, contact), the organisation that runs it, and the first administrator, "
        "who is emailed a link to choose a password. Needs the worker running to send it."
    )

    def add_arguments(self, parser):
        parser.add_argument("--organisation", required=True, help="Who runs the site.")
        parser.add_argument(
            "--kind",
            default=Organisation.Kind.NHS_TRUST,
            choices=Organisation.Kind.values,
            help="What kind of organisation (default: nhs_trust).",
        )
        parser.add_argument("--admin-email", required=True)
        parser.add_argument("--admin-first-name", required=True)
        parser.add_argument("--admin-last-name", required=True)
        parser.add_argument(
            "--contact-email",
            required=True,
            help="The address the public pages give for questions and complaints.",
        )
        parser.add_argument("--contact-phone", default="", help="A phone number for the public.")
        parser.add_argument(
            "--postal-address", default="", help="Where people can write to (one line)."
        )
        parser.add_argument(
            "--dpo-email",
            default="",
            help="The data protection officer's address (default: the contact email).",
        )

    def handle(self, *args, **options):
        try:
            result = site_first_run(
                organisation_name=options["organisation"],
                organisation_kind=options["kind"],
                admin_email=options["admin_email"],
                admin_first_name=options["admin_first_name"],
                admin_last_name=options["admin_last_name"],
                contact_email=options["contact_email"],
                contact_phone=options["contact_phone"],
                postal_address=options["postal_address"],
                dpo_email=options["dpo_email"],
            )
        except Refused as refusal:
            raise CommandError(str(refusal)) from refusal
        created = ", ".join(result.pages_created) or "none (they were there already)"
        self.stdout.write(f"Organisation: {result.organisation.name}")
        self.stdout.write(f"Pages created: {created}")
        self.stdout.write(f"Needs in the directory's taxonomy: {result.needs}")
        if result.invited:
            self.stdout.write(
                f"Invitation emailed to {result.admin.email}. It goes out when the worker "
                "runs (python manage.py worker); the link lets them choose a password, then "
                "set up an authenticator app."
            )
        else:
            self.stdout.write(f"{result.admin.email} has already chosen a password.")
