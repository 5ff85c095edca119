"""A date typed the UK way into the Wagtail admin is kept (issue 13).

Wagtail's date picker replaced text it could not read with today's date as the field lost
focus. Admin dates are now plain text boxes with a hint: here an HR lead types a target
date by keyboard three ways, moves on each time and sees what they typed still there,
saves, and the listing says the date in words. Axe checks the form.
"""

from datetime import date

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from charter.models import Target
from cms.roles import Role
from tests.browser.test_panels_journey import LEAD_SECRET, check_admin, sign_in
from tests.factories import (
    CharterFactory,
    CommitmentFactory,
    MeasureFactory,
    OrganisationFactory,
    UserFactory,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_a_target_date_typed_by_keyboard_is_kept_and_saved(
    live_server, new_page, screenshot, settings
):
    settings.MFA_TOTP_TOLERANCE = 1
    today = timezone.localdate()
    due = date(today.year + 1, 4, 1)
    organisation = OrganisationFactory(name="Northdale Health and Care NHS Foundation Trust")
    hr = UserFactory(roles=[Role.HR], organisation=organisation, mfa=LEAD_SECRET)
    charter = CharterFactory(
        organisation=organisation, adopted_on=date(today.year - 1, 4, 1), published=True
    )
    measure = MeasureFactory(
        commitment=CommitmentFactory(charter=charter), name="Peer workers in post"
    )

    page = new_page()
    sign_in(page, live_server.url, hr.email, totp_secret=LEAD_SECRET)
    page.goto(f"{live_server.url}/admin/charter-targets/new/")
    page.get_by_label("Measure").select_option(str(measure.pk))
    field = page.get_by_label("Target date")
    # The picker used to replace text it could not read with today's date as the field
    # lost focus: whichever way the date is written, what was typed stays.
    for typed in (due.isoformat(), "1/4/" + str(due.year), due.strftime("%d/%m/%Y")):
        field.fill("")
        field.click()
        field.press_sequentially(typed)
        field.press("Tab")
        expect(field).to_have_value(typed)
    page.get_by_label("Target value").fill("12")
    check_admin(page, screenshot, "target-typed")
    page.get_by_role("button", name="Create").click()

    expect(page.get_by_role("main")).to_contain_text(f"1 April {due.year}")
    assert Target.objects.get(measure=measure).due_on == due
    check_admin(page, screenshot, "targets-listing")
