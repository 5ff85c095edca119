"""The draft of a "You said, we did" change, for the members of the panel that co-produced
it to read and answer (agree, or ask for changes), outside the Wagtail admin they cannot use.

Only the panel's members, its facilitators and the staff of the organisation that runs it
may read a draft; for anyone else (or a guessed id) the page does not exist. Pages here need
a signed-in person, so the page cache never keeps them.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import path
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from ..forms.sign_off import SignOffAnswerForm
from ..models import PanelMemberSignOff, ServiceChangePage
from ..services import Refused
from ..services import sign_off as services
from .changes import STATUS_TAGS

THANKS = {
    PanelMemberSignOff.Decision.AGREE: "Thank you. We have recorded that you agree with this "
    "change.",
    PanelMemberSignOff.Decision.CHANGES: "Thank you. We have sent your comments to the "
    "panel's facilitator, who will ask for the change to be put right.",
}


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def sign_off_draft(request, page_id: int):
    draft = services.sign_off_draft(request.user, page_id)
    form = None
    if draft.waiting and draft.may_answer:
        initial = {"revision": draft.revision.pk}
        if draft.answer is not None:
            initial.update(decision=draft.answer.decision, comment=draft.answer.comment)
        if request.method == "POST":
            form = SignOffAnswerForm(request.POST, initial=initial)
            if form.is_valid():
                try:
                    answer = services.sign_off_answer(
                        page=draft.page,
                        member=request.user,
                        revision_id=form.cleaned_data["revision"],
                        decision=form.cleaned_data["decision"],
                        comment=form.cleaned_data["comment"],
                    )
                except Refused as refusal:
                    if refusal.field == "revision":
                        # Show the new version, keeping what they typed, for them to read.
                        data = request.POST.copy()
                        data["revision"] = str(draft.revision.pk)
                        form = SignOffAnswerForm(data, initial=initial)
                        form.is_valid()
                    field = refusal.field if refusal.field in ("decision", "comment") else None
                    form.add_error(field, refusal.message)
                else:
                    messages.success(request, THANKS[answer.decision])
                    return redirect(services.draft_url(draft.page))
            elif "revision" in form.errors:
                form.add_error(
                    None, "Something went wrong with this form. Read the draft, then answer again."
                )
        else:
            form = SignOffAnswerForm(initial=initial)
    elif request.method == "POST":
        messages.info(request, _why_no_answer(draft))
        return redirect(services.draft_url(draft.page))
    return render(
        request,
        "coproduce/sign_off/draft.html",
        {
            "draft": draft,
            "content": draft.content,
            "progress": draft.progress,
            "form": form,
            "recommendations": list(draft.content.recommendations.all()) if draft.content else [],
            "timeline": (
                sorted(draft.content.updates.all(), key=lambda s: (s.date, s.sort_order or 0))
                if draft.content
                else []
            ),
            "public_url": draft.page.url if draft.page.live else "",
            "status_tag": STATUS_TAGS.get(draft.content.status, "") if draft.content else "",
        },
    )


def _why_no_answer(draft) -> str:
    if not draft.waiting:
        return "This change is not waiting for the panel's sign-off any more."
    return "Only members of the panel can answer. You can read the draft."


urlpatterns = [
    path("panels/sign-off/<int:page_id>/", sign_off_draft, name="sign_off_draft"),
]


# --- The Wagtail page editor (hooks registered in wagtail_hooks.py) ---------------------------


def editor_sign_off_message(request, page):
    """``before_edit_page``: whoever opens a change waiting for its panel's sign-off sees
    where the panel's answers stand, and what members asked to change, above the editor."""
    if request.method != "GET" or not isinstance(page.specific, ServiceChangePage):
        return None
    page = page.specific
    if not services.in_sign_off(page):
        return None
    progress = services.sign_off_progress(page)
    if progress.panel is None:
        return None
    if progress.ready:
        messages.success(
            request,
            f"{progress.panel.title} agreed this version: {progress.agreed} of "
            f"{progress.needed} members needed agreed. The facilitator can sign it off.",
        )
    else:
        messages.warning(request, progress.waiting_words)
    for answer in progress.changes_asked:
        name = answer.member.get_full_name() or answer.member.email
        messages.warning(request, f"{name} asked for changes: “{answer.comment}”")
    return None


def draft_edited(request, page):
    """``after_edit_page``: members who answered the version this edit replaced are asked
    to look again."""
    if isinstance(page.specific, ServiceChangePage):
        services.sign_off_draft_changed(page=page.specific)
    return None
