"""Staff accounts: an administrator adds a person, who is emailed a link to choose their own
password (then, holding a staff role, sets up an authenticator app); the invitation can be
sent again; and an administrator can reset someone else's authenticator, with a reason, an
audit entry and an email to the person.
"""

import re
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
import time_machine
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from bs4 import BeautifulSoup
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.models import Group
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from wagtail.models import ModelLogEntry

from cms.audit import CHANGE
from cms.models import User
from cms.roles import Role
from tests.conftest import ROLE_NAMES, sign_in
from tests.factories import OrganisationFactory, UserFactory
from tests.forms_as_sent import as_sent

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "quiet-harbour-lantern-47"
ADD_URL = reverse("wagtailusers_users:add")
MY_SPACE_URL = reverse("my_space")
MFA_SETUP_URL = reverse("mfa_activate_totp")
LOGIN_URL = reverse("account_login")
# Where someone who may not do this is sent: to sign in, or Wagtail's "no permission".
REFUSED_TO = {LOGIN_URL, "/admin/login/", reverse("wagtailadmin_home")}
LINK = re.compile(r"http://testserver(/accounts/password/reset/key/\S+/)")


def edit_url(person) -> str:
    return reverse("wagtailusers_users:edit", args=[person.pk])


def invite_url(person_or_pk) -> str:
    pk = getattr(person_or_pk, "pk", person_or_pk)
    return reverse("wagtailusers_users:send_invitation", args=[pk])


def reset_url(person_or_pk) -> str:
    pk = getattr(person_or_pk, "pk", person_or_pk)
    return reverse("wagtailusers_users:reset_authenticator", args=[pk])


def main_text(response) -> str:
    main = BeautifulSoup(response.content, "html.parser").find("main")
    assert main is not None, "The page has no <main> element."
    return " ".join(main.get_text(" ").split())


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def link_in(message) -> str:
    match = LINK.search(message.body)
    assert match, f"No link to choose a password in the email:\n{message.body}"
    return match.group(1)


def is_signed_in(client) -> bool:
    return SESSION_KEY in client.session


def choose_password(client, link, password=NEW_PASSWORD):
    """Follow the emailed link and choose a password, as the person would."""
    page = client.get(link, follow=True)
    assert page.status_code == 200
    form_url = page.redirect_chain[-1][0]
    return client.post(form_url, {"password1": password, "password2": password})


def log_in(client, email, password=NEW_PASSWORD):
    return client.post(LOGIN_URL, {"login": email, "password": password})


def sent_to_mfa_setup(response, path) -> bool:
    target = urlsplit(response.get("Location", ""))
    return (
        response.status_code == 302
        and target.path == MFA_SETUP_URL
        and parse_qs(target.query).get("next") == [path]
    )


def audit_entries(person):
    return list(ModelLogEntry.objects.for_instance(person).filter(action=CHANGE))


@pytest.fixture
def admin(make_person):
    return make_person("admin", first_name="Alex", last_name="Morgan")


@pytest.fixture
def admin_client(client, admin):
    return sign_in(client, admin)


def add_person(admin_client, organisation, *, email="robin.shaw@example.org", role=Role.HR):
    """Fill in Users → Add as an administrator would, from the page as rendered."""
    data = as_sent(admin_client.get(ADD_URL).content.decode())
    data.update(
        email=[email],
        first_name=["Robin"],
        last_name=["Shaw"],
        organisation=[str(organisation.pk)],
        groups=[str(Group.objects.get(name=role.value).pk)],
    )
    response = admin_client.post(ADD_URL, data)
    assert response.status_code == 302, main_text(response)
    return User.objects.get(email=email)


@pytest.fixture
def invited(admin_client, organisation):
    """An HR lead just added by an administrator, and their invitation."""
    mail.outbox.clear()
    person = add_person(admin_client, organisation)
    assert len(mail.outbox) == 1
    return person, mail.outbox[0]


# --- Invitations -------------------------------------------------------------------------------


def test_adding_a_person_emails_them_one_kind_invitation_and_sets_no_password(
    admin_client, organisation
):
    response = admin_client.get(ADD_URL)
    assert "emailed a link to choose their own password" in main_text(response)
    assert "password1" not in as_sent(response.content.decode())

    person = add_person(admin_client, organisation)

    assert not person.has_usable_password()
    assert person.organisation == organisation
    assert [message.to for message in mail.outbox] == [[person.email]]
    message = mail.outbox[0]
    assert message.subject == "You are invited to the Lived Experience Platform"
    assert "Hello Robin," in message.body
    assert f"Alex Morgan has invited you to join {organisation.name}" in message.body
    assert "HR or charter lead" in message.body
    assert "set up an authenticator app" in message.body
    assert link_in(message)
    days = settings.PASSWORD_RESET_TIMEOUT // 86400
    assert f"The link works once, for {days} days." in message.body
    # Nothing is confirmed until the link is used.
    assert not EmailAddress.objects.filter(user=person, verified=True).exists()
    stranger = Client()
    assert log_in(stranger, person.email, "").status_code == 200
    assert not is_signed_in(stranger)


def test_the_invitation_link_sets_a_password_confirms_the_email_then_asks_for_mfa(client, invited):
    person, message = invited
    client.logout()

    response = choose_password(client, link_in(message))

    assert response.status_code == 302
    assert response.url == reverse("account_reset_password_from_key_done")
    person.refresh_from_db()
    assert person.check_password(NEW_PASSWORD)
    address = EmailAddress.objects.get(user=person)
    assert (address.email, address.verified, address.primary) == (person.email, True, True)

    # Signing in goes straight in (no second email to confirm the address), and the staff
    # role sends them to set up their authenticator app before anything else.
    response = log_in(client, person.email)
    assert response.status_code == 302
    assert response.url == MY_SPACE_URL
    assert is_signed_in(client)
    assert sent_to_mfa_setup(client.get(MY_SPACE_URL), MY_SPACE_URL)
    assert sent_to_mfa_setup(client.get("/admin/"), "/admin/")


def test_a_member_is_invited_without_talk_of_an_authenticator(admin_client, organisation):
    person = add_person(admin_client, organisation, role=Role.MEMBER)

    (message,) = mail.outbox
    assert message.to == [person.email]
    assert "(Member (expert by experience))" in message.body
    assert "authenticator" not in message.body


def test_any_password_chosen_through_an_emailed_link_confirms_the_address(client):
    """The same rule as the invitation's, for a forgotten password: the link reached them."""
    person = UserFactory(email="kit.lowe@example.org", verified=False)
    client.post(reverse("account_reset_password"), {"email": person.email})
    (message,) = mail.outbox

    assert choose_password(client, link_in(message)).status_code == 302

    assert EmailAddress.objects.get(user=person).verified
    assert log_in(Client(), person.email).url == MY_SPACE_URL


def test_an_invitation_link_works_only_once(client, invited):
    person, message = invited
    link = link_in(message)
    client.logout()
    assert choose_password(client, link).status_code == 302

    again = Client()
    page = again.get(link, follow=True)
    assert "This link no longer works" in main_text(page)
    again.post(link, {"password1": "someone-elses-choice-88", "password2": "x"})
    person.refresh_from_db()
    assert person.check_password(NEW_PASSWORD)


def test_an_invitation_link_expires_like_a_password_reset_link(invited):
    person, message = invited
    later = timezone.now() + timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT + 60)

    with time_machine.travel(later, tick=False):
        client = Client()
        page = client.get(link_in(message), follow=True)
        assert "This link no longer works" in main_text(page)

    person.refresh_from_db()
    assert not person.has_usable_password()


def test_an_administrator_sends_the_invitation_again_and_only_the_new_link_works(
    admin_client, invited
):
    person, first = invited
    page = admin_client.get(edit_url(person))
    assert "has not chosen a password yet" in main_text(page)
    assert "Send the invitation again" in main_text(page)
    # The button's own little form comes after the person's form, which is sent unchanged.
    resend_form = BeautifulSoup(page.content, "html.parser").find("form", id="send-invitation")
    assert resend_form["action"] == invite_url(person)
    mail.outbox.clear()

    response = admin_client.post(invite_url(person), follow=True)

    assert response.redirect_chain[-1][0] == edit_url(person)
    assert f"A new invitation has been emailed to {person.email}." in messages_of(response)[0]
    assert [message.to for message in mail.outbox] == [[person.email]]
    second = mail.outbox[0]
    assert link_in(second) != link_in(first)
    reasons = [entry.data["reason"] for entry in audit_entries(person)]
    assert len(reasons) == 2  # on being added, and again now
    assert all("invitation" in reason for reason in reasons)
    assert {entry.user_id for entry in audit_entries(person)} == {response.wsgi_request.user.pk}

    stranger = Client()
    assert "This link no longer works" in main_text(stranger.get(link_in(first), follow=True))
    assert choose_password(Client(), link_in(second)).status_code == 302
    person.refresh_from_db()
    assert person.check_password(NEW_PASSWORD)


def test_nobody_is_sent_an_invitation_once_they_have_a_password(admin_client, make_person):
    person = make_person("engagement_lead")
    page = admin_client.get(edit_url(person))
    assert "has chosen a password" in main_text(page)
    assert "Send the invitation again" not in main_text(page)

    response = admin_client.post(invite_url(person), follow=True)

    assert "has already chosen a password" in messages_of(response)[0]
    assert mail.outbox == []
    assert audit_entries(person) == []
    person.refresh_from_db()
    assert person.check_password("lived-experience-demo")


def test_sending_an_invitation_is_a_form_only(admin_client, invited):
    person, _ = invited
    mail.outbox.clear()
    assert admin_client.get(invite_url(person)).status_code == 405
    assert mail.outbox == []


def test_an_administrator_made_without_an_inviter_is_not_told_they_invited_themselves(
    organisation,
):
    """The first administrator is invited by the first-run command, in their own name."""
    from cms import staff_accounts

    first = User.objects.create_user(
        "ada.admin@example.org", first_name="Ada", organisation=organisation, is_superuser=True
    )

    staff_accounts.person_invite(person=first, by=first)

    (message,) = mail.outbox
    assert f"An account has been made for you at {organisation.name}" in message.body
    assert "(Administrator)" in message.body
    assert "ask " not in message.body
    assert link_in(message)


def test_a_person_copied_from_another_is_invited_too(admin_client, organisation):
    original = add_person(admin_client, organisation)
    copy_url = reverse("wagtailusers_users:copy", args=[original.pk])
    data = as_sent(admin_client.get(copy_url).content.decode())
    data.update(email=["kit.shaw@example.org"], first_name=["Kit"])
    mail.outbox.clear()

    response = admin_client.post(copy_url, data)

    assert response.status_code == 302, main_text(response)
    copied = User.objects.get(email="kit.shaw@example.org")
    assert not copied.has_usable_password()
    assert [message.to for message in mail.outbox] == [[copied.email]]
    assert "Hello Kit," in mail.outbox[0].body


# --- Resetting an authenticator -----------------------------------------------------------------


@pytest.fixture
def lead(make_person):
    """An engagement lead with an authenticator app and recovery codes."""
    person = make_person("engagement_lead", first_name="Sam", last_name="Okafor")
    RecoveryCodes.activate(person)
    assert set(Authenticator.objects.filter(user=person).values_list("type", flat=True)) == {
        Authenticator.Type.TOTP,
        Authenticator.Type.RECOVERY_CODES,
    }
    return person


def test_an_administrator_resets_someones_authenticator_with_a_reason(
    admin_client, lead, organisation
):
    page = admin_client.get(edit_url(lead))
    assert "Reset their authenticator" in main_text(page)

    page = admin_client.get(reset_url(lead))
    assert page.status_code == 200
    assert "This removes Sam Okafor’s authenticator app and recovery codes" in main_text(page)
    assert Authenticator.objects.filter(user=lead).count() == 2

    response = admin_client.post(
        reset_url(lead), {"reason": "Lost their phone; confirmed by a call to their desk"}
    )

    assert response.status_code == 302
    assert response.url == edit_url(lead)
    assert not Authenticator.objects.filter(user=lead).exists()
    (entry,) = audit_entries(lead)
    assert entry.data["reason"] == (
        "Reset their authenticator: Lost their phone; confirmed by a call to their desk"
    )
    assert entry.data["fields"] == ["authenticators"]
    assert [message.to for message in mail.outbox] == [[lead.email]]
    message = mail.outbox[0]
    assert message.subject == "Your authenticator app was reset"
    today = timezone.localdate().strftime("%A %-d %B %Y")
    assert f"were reset by an administrator of {organisation.name}" in message.body
    assert f"on {today} at" in message.body
    assert "you will use your password as usual and then set up an authenticator app" in (
        message.body
    )
    assert "If you did not ask for this, contact Alex Morgan at" in message.body
    assert "Lost their phone" not in message.body
    page = admin_client.get(edit_url(lead))
    assert "Sam Okafor’s authenticator has been reset" in " ".join(messages_of(page))
    assert "has not set up an authenticator app" in main_text(page)


@pytest.mark.parametrize(
    ("organisation_name", "named"),
    [("Eastbrook Mind", "Eastbrook Mind"), (None, "the Lived Experience Platform")],
)
def test_the_email_names_the_administrators_organisation(
    client, make_person, lead, organisation_name, named
):
    other = OrganisationFactory(name=organisation_name) if organisation_name else None
    sign_in(client, make_person("admin", organisation=other))

    client.post(reset_url(lead), {"reason": "New phone"})

    assert f"an administrator of {named} on" in mail.outbox[0].body


def test_after_a_reset_the_person_is_signed_out_and_holds_no_staff_role_until_mfa_again(
    admin_client, lead, password
):
    theirs = sign_in(Client(), lead)
    assert theirs.get(MY_SPACE_URL).status_code == 200
    assert theirs.get("/admin/").status_code == 200

    admin_client.post(reset_url(lead), {"reason": "Lost their phone"})

    assert theirs.get(MY_SPACE_URL).status_code == 302
    assert not is_signed_in(theirs)
    # Signing in again with their password, they are sent to set up a new authenticator
    # before any staff page; public pages show them only what a visitor sees.
    response = log_in(theirs, lead.email, password)
    assert response.status_code == 302
    assert sent_to_mfa_setup(theirs.get(MY_SPACE_URL), MY_SPACE_URL)
    assert sent_to_mfa_setup(theirs.get("/admin/"), "/admin/")
    assert sent_to_mfa_setup(theirs.get("/admin/meetings/"), "/admin/meetings/")


def test_a_reset_needs_a_reason(admin_client, lead):
    for reason in ["", "   "]:
        response = admin_client.post(reset_url(lead), {"reason": reason})

        assert response.status_code == 400
        assert "Enter why you are resetting this authenticator" in main_text(response)
    assert Authenticator.objects.filter(user=lead).count() == 2
    assert audit_entries(lead) == []
    assert mail.outbox == []


def test_a_reason_longer_than_the_limit_is_refused(admin_client, lead):
    response = admin_client.post(reset_url(lead), {"reason": "x" * 1001})

    assert response.status_code == 400
    assert "The reason must be 1,000 characters or fewer" in main_text(response)
    assert Authenticator.objects.filter(user=lead).count() == 2


def test_an_administrator_cannot_reset_their_own_authenticator_here(admin_client, admin):
    page = admin_client.get(edit_url(admin))
    assert "Reset their authenticator" not in main_text(page)
    assert "To change your own authenticator app, go to Two-step sign in" in main_text(page)

    for response in [
        admin_client.get(reset_url(admin), follow=True),
        admin_client.post(reset_url(admin), {"reason": "Testing"}, follow=True),
    ]:
        assert response.redirect_chain[-1][0] == edit_url(admin)
        assert "You cannot reset your own authenticator here" in messages_of(response)[0]
    assert Authenticator.objects.filter(user=admin).exists()
    assert audit_entries(admin) == []
    assert mail.outbox == []


def test_a_person_without_an_authenticator_has_nothing_to_reset(admin_client, make_person):
    person = make_person("engagement_lead", mfa=False)
    page = admin_client.get(edit_url(person))
    assert "Reset their authenticator" not in main_text(page)

    response = admin_client.post(reset_url(person), {"reason": "Lost phone"}, follow=True)

    assert (
        "has not set up an authenticator, so there is nothing to reset"
        in (messages_of(response)[0])
    )
    assert mail.outbox == []


def test_an_unknown_person_is_not_found(admin_client):
    missing = User.objects.order_by("-pk").first().pk + 1000
    assert admin_client.get(reset_url(missing)).status_code == 404
    assert admin_client.post(reset_url(missing), {"reason": "Lost phone"}).status_code == 404
    assert admin_client.post(invite_url(missing)).status_code == 404
    assert mail.outbox == []


@pytest.mark.parametrize("role_name", [name for name in ROLE_NAMES if name != "admin"])
def test_nobody_but_an_administrator_may_reset_or_invite(client_as, lead, role_name):
    invitee = UserFactory(email="not.yet@example.org")
    invitee.set_unusable_password()
    invitee.save()
    client = client_as(role_name)

    answers = [
        client.get(reset_url(lead)),
        client.post(reset_url(lead), {"reason": "Lost their phone"}),
        client.post(invite_url(invitee)),
    ]

    for response in answers:
        assert response.status_code in (302, 403), response.status_code
        if response.status_code == 302:
            assert urlsplit(response.url).path in REFUSED_TO
    assert Authenticator.objects.filter(user=lead).count() == 2
    assert mail.outbox == []
    assert audit_entries(lead) == audit_entries(invitee) == []
