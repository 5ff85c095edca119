"""factory_boy factories for the site shell: organisations, people with roles, pages.

They live in the app, not under ``tests/``, because three things build data with them: the
tests, the demo (``load_demo``) and the benchmark generator (``cms.bench``). What the other
apps' factories share lives here too: the demo password, a tiny valid PDF, ``add_page`` and
``home_page``.
"""

import factory
from allauth.account.models import EmailAddress
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.contrib.auth.models import Group
from wagtail.models import Page

from cms.auth_backends import forget_groups
from cms.models import (
    Area,
    ContentPage,
    HomePage,
    Need,
    OfferPage,
    OffersIndexPage,
    OpeningTime,
    Organisation,
    OutboundText,
    User,
)
from cms.roles import Role

# Used by tests and by the demo (which refuses to run with DEBUG off).
DEMO_PASSWORD = "lived-experience-demo"  # noqa: S105

# The smallest valid PDF: receipts, papers and evidence in tests and the demo are real (if
# empty) PDF files.
TINY_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Count 0/Kids[]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Organisation {n}")
    kind = Organisation.Kind.VCSE
    area = "Kirklees"
    website = factory.LazyAttribute(
        lambda o: f"https://{o.name.lower().replace(' ', '-')}.example.org"
    )

    class Params:
        nhs_trust = factory.Trait(kind=Organisation.Kind.NHS_TRUST)
        local_authority = factory.Trait(kind=Organisation.Kind.LOCAL_AUTHORITY)


class UserFactory(factory.django.DjangoModelFactory):
    """A person with a verified email; ``roles=[Role.X]`` adds groups, ``mfa=True`` a TOTP."""

    class Meta:
        model = User
        django_get_or_create = ("email",)
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    first_name = factory.Faker("first_name", locale="en_GB")
    last_name = factory.Faker("last_name", locale="en_GB")
    password = factory.PostGenerationMethodCall("set_password", DEMO_PASSWORD)

    @factory.post_generation
    def verified(self, create, extracted, **kwargs):
        if create and extracted is not False:
            EmailAddress.objects.update_or_create(
                user=self, email=self.email, defaults={"verified": True, "primary": True}
            )

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        if create and extracted:
            grant_roles(self, extracted)

    @factory.post_generation
    def mfa(self, create, extracted, **kwargs):
        """``mfa=True`` gives a random secret; ``mfa="SECRET"`` a known one."""
        if create and extracted:
            secret = extracted if isinstance(extracted, str) else generate_totp_secret()
            TOTP.activate(self, secret)

    @classmethod
    def _after_postgeneration(cls, instance, create, results=None):
        if create:
            instance.save()


def grant_roles(user: User, roles) -> None:
    """Put ``user`` in each role's group (admin: the superuser flag)."""
    for role in roles:
        if role is Role.ADMIN:
            user.is_superuser = True
            user.is_staff = True
        else:
            user.groups.add(Group.objects.get(name=role.value))
    user.save()
    forget_groups(user)


def home_page() -> HomePage:
    return HomePage.objects.get(depth=2)


def add_page(parent: Page, page: Page) -> Page:
    """Add ``page`` under ``parent`` and publish it."""
    parent.add_child(instance=page)
    page.save_revision().publish()
    return page


class ContentPageFactory(factory.Factory):
    """Build a ContentPage; pass ``parent`` to add and publish it."""

    class Meta:
        model = ContentPage

    title = factory.Sequence(lambda n: f"Content page {n}")
    slug = factory.LazyAttribute(lambda o: o.title.lower().replace(" ", "-"))
    intro = "A page of plain information."

    @classmethod
    def _create(cls, model_class, *args, parent=None, **kwargs):
        page = model_class(*args, **kwargs)
        return add_page(parent or home_page(), page)


def offers_index() -> OffersIndexPage:
    """The directory page, created under the home page the first time it is asked for."""
    index = OffersIndexPage.objects.first()
    if index is None:
        index = add_page(
            home_page(),
            OffersIndexPage(
                title="Find support",
                slug="find-support",
                intro="Support for your mental health from the NHS, the council and local "
                "charities, whichever door you come in by.",
            ),
        )
    return index


class NeedFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Need
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Need {n}")
    slug = factory.LazyAttribute(lambda o: o.name.lower().replace(" ", "-"))


class AreaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Area
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Area {n}")
    slug = factory.LazyAttribute(lambda o: o.name.lower().replace(" ", "-"))


class OfferPageFactory(factory.Factory):
    """Build an offer; creating one adds and publishes it in the directory.

    ``needs=[...]``, ``areas=[...]`` and ``opening_times=[(weekday, "09:00", "17:00")]``
    set its relations.
    """

    class Meta:
        model = OfferPage

    title = factory.Sequence(lambda n: f"Offer {n}")
    slug = factory.LazyAttribute(lambda o: o.title.lower().replace(" ", "-"))
    provider = factory.SubFactory(OrganisationFactory)
    summary = "Friendly support for people who are struggling."
    easy_read_summary = "We help people who feel sad or worried."

    @classmethod
    def _create(cls, model_class, *args, needs=(), areas=(), opening_times=(), **kwargs):
        from datetime import time as clock

        page = model_class(*args, **kwargs)
        page.needs = list(needs)
        page.areas = list(areas)
        page.opening_times = [
            OpeningTime(
                weekday=weekday,
                opens=clock.fromisoformat(opens),
                closes=clock.fromisoformat(closes),
            )
            for weekday, opens, closes in opening_times
        ]
        return add_page(offers_index(), page)


class OutboundTextFactory(factory.django.DjangoModelFactory):
    """A text message waiting to be sent (``cms.texts`` queues real ones)."""

    class Meta:
        model = OutboundText

    recipient = factory.SubFactory(UserFactory)
    phone_number = "07700 900123"
    body = "You have a new message. See it at http://testserver/messages/"
