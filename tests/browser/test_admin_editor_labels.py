"""The page editor's rich text boxes have names (issue 21).

Wagtail's rich text editor (Draftail) points the field's label at a hidden input, so axe
found a text box with no name ("serious": a screen reader says only "edit text"). A script
the page editor loads (``cms/static/cms/js/admin-rich-text-labels.js``) names each box
after its field's label, or after its block in a StreamField. Checked in Chromium with axe,
on a "You said, we did" page (two rich text fields) and on a content page whose body holds
a text block.
"""

import re

import pytest
from playwright.sync_api import expect

from cms.factories import ContentPageFactory, UserFactory
from cms.roles import Role
from coproduce.factories import ServiceChangePageFactory
from tests.browser.conftest import assert_no_console_errors
from tests.browser.test_panels_journey import LEAD_SECRET, sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

# axe's rules about naming form fields, each with every impact.
NAMING_RULES = ["aria-input-field-name", "label", "aria-command-name"]


def unnamed_fields(page) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, options={"runOnly": {"type": "rule", "values": NAMING_RULES}})
    return [
        f"{violation['id']} at {', '.join(map(str, node['target']))}"
        for violation in results.response["violations"]
        for node in violation["nodes"]
    ]


@pytest.fixture
def editor(live_server, page, settings):
    settings.MFA_TOTP_TOLERANCE = 1
    person = UserFactory(roles=[Role.EDITOR], email="editor@example.org", mfa=LEAD_SECRET)
    sign_in(page, live_server.url, person.email, totp_secret=LEAD_SECRET)
    return person


def open_editor(page, live_server, page_id: int) -> None:
    page.goto(f"{live_server.url}/admin/pages/{page_id}/edit/")
    expect(page.locator(".public-DraftEditor-content").first).to_be_visible()


def test_each_rich_text_field_of_a_page_is_named_after_its_label(
    editor, live_server, page, screenshot
):
    change = ServiceChangePageFactory(title="Clearer signs to the crisis café")
    open_editor(page, live_server, change.pk)
    screenshot(page, "service-change-editor")

    expect(page.get_by_role("textbox", name="What people said")).to_have_count(1)
    expect(page.get_by_role("textbox", name="What changed")).to_have_count(1)
    assert unnamed_fields(page) == []
    assert_no_console_errors(page)


def test_a_text_block_in_a_content_pages_body_is_named(editor, live_server, page, screenshot):
    about = ContentPageFactory(
        title="About the partnership",
        body=[("text", "<p>Whichever door you knock on, you get help.</p>")],
    )
    open_editor(page, live_server, about.pk)
    screenshot(page, "content-page-editor")

    boxes = page.locator('.Draftail-Editor [role="textbox"]')
    expect(boxes).to_have_count(1)
    # Named by the block's heading, "Text" (Wagtail gives blocks ids of their own).
    expect(boxes.first).to_have_attribute("aria-labelledby", re.compile(r"^block-.+-heading$"))
    expect(boxes.first).to_have_accessible_name(re.compile(r"^Text\b"))
    assert unnamed_fields(page) == []


def test_a_text_block_added_while_editing_is_named_too(editor, live_server, page):
    about = ContentPageFactory(
        title="About the partnership",
        body=[("text", "<p>Whichever door you knock on, you get help.</p>")],
    )
    open_editor(page, live_server, about.pk)
    page.get_by_role("button", name="Insert a block").last.click()
    page.get_by_role("option", name="Text").first.click()

    boxes = page.locator('.Draftail-Editor [role="textbox"]')
    expect(boxes).to_have_count(2)
    for index in range(2):
        expect(boxes.nth(index)).to_have_accessible_name(re.compile(r"^Text\b"))
    assert unnamed_fields(page) == []
