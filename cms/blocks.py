"""StreamField blocks for content pages: the NHS.UK components from wagtail-nhsuk-frontend."""

from wagtail import blocks
from wagtailnhsukfrontend import blocks as nhsuk

from .sanitise import ALLOWED_RICHTEXT_FEATURES


class ContentStreamBlock(blocks.StreamBlock):
    """What editors can put in the body of a home or content page."""

    heading = blocks.CharBlock(
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
