"""StreamField blocks for content pages: the NHS.UK components from wagtail-nhsuk-frontend,
and two blocks whose content comes from the code (the register of personal data, the list of
cookies) so the privacy notice and the cookies page cannot drift from what the site does."""

from wagtail import blocks
from wagtailnhsukfrontend import blocks as nhsuk

from .sanitise import ALLOWED_RICHTEXT_FEATURES


class HeadingBlock(blocks.CharBlock):
    """A section heading. Wagtail shows a stream's one-field blocks under the block's name
    but gives their text box no label, so screen readers met a text box with no name in the
    page editor: the box is named after the block."""

    def set_name(self, name):
        super().set_name(name)
        self.field.widget.attrs["aria-label"] = str(self.label)

    def deconstruct(self):
        # Only the editor's text box differs: stored pages and migrations see a CharBlock.
        _path, args, kwargs = super().deconstruct()
        return "wagtail.blocks.CharBlock", args, kwargs


class ContentStreamBlock(blocks.StreamBlock):
    """What editors can put in the body of a home or content page."""

    heading = HeadingBlock(
        form_classname="title",
        template="components/blocks/heading.html",
        help_text="A section heading (shown as a level 2 heading).",
    )
    text = blocks.RichTextBlock(features=ALLOWED_RICHTEXT_FEATURES)
    action_link = nhsuk.ActionLinkBlock()
    inset_text = nhsuk.InsetTextBlock()
    warning_callout = nhsuk.WarningCalloutBlock()
    care_card = nhsuk.CareCardBlock()
    details = nhsuk.DetailsBlock()
    expander = nhsuk.ExpanderBlock()
    do_list = nhsuk.DoBlock()
    dont_list = nhsuk.DontBlock()
    summary_list = nhsuk.SummaryListBlock()
    card_group = nhsuk.CardGroupBlock()
    image = nhsuk.ImageBlock()
    table = nhsuk.TableBlock()

    class Meta:
        block_counts = {}


class PersonalDataRegisterBlock(blocks.StaticBlock):
    """The personal data we hold, per data class, read from ``cms.data_registry``."""

    def get_context(self, value, parent_context=None):
        from .privacy_notice import register_sections

        context = super().get_context(value, parent_context=parent_context)
        context["sections"] = register_sections()
        return context

    class Meta:
        label = "Personal data we hold (from the register)"
        admin_text = (
            "Shows what we hold about people, why, the lawful basis and how long we keep it, "
            "straight from the site's register of personal data. Nothing to fill in."
        )
        icon = "list-ul"
        template = "cms/blocks/personal_data_register.html"


class CookieListBlock(blocks.StaticBlock):
    """The cookies the site sets, from ``cms.cookies``."""

    def get_context(self, value, parent_context=None):
        from .cookies import site_cookies

        context = super().get_context(value, parent_context=parent_context)
        context["cookies"] = site_cookies()
        return context

    class Meta:
        label = "Cookies this site sets (from the site's settings)"
        admin_text = (
            "Shows each cookie the site sets, what it is for and how long it lasts, straight "
            "from the site's settings. Nothing to fill in."
        )
        icon = "table"
        template = "cms/blocks/cookie_list.html"


class ContentPageStreamBlock(ContentStreamBlock):
    """A content page's body: the ordinary components, plus the generated lists the
    privacy notice and the cookies page need."""

    personal_data_register = PersonalDataRegisterBlock()
    cookie_list = CookieListBlock()
