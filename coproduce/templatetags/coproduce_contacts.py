"""``{% contact_block claim=claim %}`` / ``{% contact_block meeting=meeting %}``: who to
contact about a claim or a meeting (the panel's lead, and finance for a claim), with a
way to send each a message. One tag, so the claim and meeting pages (kept by several
people) each need only one line, and the people named come from one service."""

from django import template

from ..services.messages import contacts_for

register = template.Library()


@register.inclusion_tag("coproduce/messages/_contact.html", takes_context=True)
def contact_block(context, *, claim=None, meeting=None):
    request = context.get("request")
    user = getattr(request, "user", None)
    contacts = contacts_for(user=user, claim=claim, meeting=meeting)
    return {
        "request": request,
        "contacts": contacts,
        "show_messages_link": any(contact.url for contact in contacts),
    }
