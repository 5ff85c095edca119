"""Sign-off by the panel: the members of the panel that co-produced a "You said, we did"
change read its draft and agree it, or ask for changes, before its facilitator can publish it.

An answer is about one revision of the change (``PanelMemberSignOff``). When the draft
changes, earlier answers stay as history but no longer count: members are asked again. A
revision Wagtail overwrites in place gets a new ``created_at``, so an answer counts only if
it was given after the version it answers was saved.

The facilitator may sign off for the panel once ``min(panel.sign_offs_needed, members)``
members agreed the latest revision and none asked for changes on it
(``PanelSignOffTask.get_actions`` asks ``sign_off_progress``). The public page then says
how many members signed it off, never who.
"""

from dataclasses import dataclass, field
from datetime import datetime

from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Count, F, IntegerField
from django.db.models.functions import Cast
from django.http import Http404
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from wagtail.models import Revision, TaskState

from cms import site_address
from cms.permissions import can, require

from ..models import Panel, PanelApplication, PanelMemberSignOff, ServiceChangePage
from ..models.changes import PanelSignOffTask, panel_under_review
from ..notices import notify
from . import Refused

NOTICE = "sign_off"

# What a member sees change between two versions, by the revision content's keys.
SECTIONS = (
    ("title", "Title"),
    ("status", "Status"),
    ("what_people_said", "What people said"),
    ("recommendations", "What the panel recommended"),
    ("what_changed", "What changed"),
    ("updates", "Timeline"),
)


# --- Reading where a sign-off stands -----------------------------------------------------------


def panel_members(panel: Panel | None):
    """The people who sign a change off for ``panel``: its accepted, active members."""
    users = get_user_model().objects.filter(is_active=True)
    if panel is None:
        return users.none()
    return users.filter(
        pk__in=PanelApplication.objects.filter(
            panel=panel, status=PanelApplication.Status.ACCEPTED
        ).values("applicant_id")
    )


def _counting(revision: Revision):
    """Answers that count for ``revision``: given after it was saved."""
    return PanelMemberSignOff.objects.filter(revision=revision, created_at__gte=revision.created_at)


@dataclass(frozen=True)
class SignOffProgress:
    """Where the panel's sign-off of a change's latest revision stands."""

    panel: Panel | None
    revision: Revision | None
    members: int
    needed: int
    agreed: int
    # Members' answers on this revision asking for changes, with their comments.
    changes_asked: list[PanelMemberSignOff] = field(default_factory=list)

    @property
    def ready(self) -> bool:
        """May the facilitator sign it off for the panel?"""
        return (
            self.panel is not None
            and self.needed > 0
            and self.agreed >= self.needed
            and not self.changes_asked
        )

    @property
    def waiting_words(self) -> str:
        """Why the facilitator cannot sign it off yet, in a line; empty when they can."""
        if self.panel is None or self.ready:
            return ""
        if not self.members:
            return (
                f"Nobody can sign this change off for {self.panel.title} yet: the panel has "
                "no members. Ask for changes, or wait until members join the panel."
            )
        agreed = f"{self.agreed} of {self.needed} agreed"
        if self.changes_asked:
            count = len(self.changes_asked)
            asked = f"{count} member{'s' if count != 1 else ''} asked for changes"
            return f"The panel asked for changes: {asked}, {agreed}."
        return f"Waiting for the panel: {agreed}."


def sign_off_progress(page: ServiceChangePage) -> SignOffProgress:
    """How the sign-off of the version of ``page`` that would be published stands."""
    panel = panel_under_review(page)
    revision = page.get_latest_revision()
    if panel is None or revision is None:
        return SignOffProgress(panel=panel, revision=revision, members=0, needed=0, agreed=0)
    members = panel_members(panel)
    count = members.count()
    answers = list(
        _counting(revision)
        .filter(member__in=members.values("pk"))
        .select_related("member")
        .order_by("created_at", "pk")
    )
    return SignOffProgress(
        panel=panel,
        revision=revision,
        members=count,
        needed=min(panel.sign_offs_needed, count),
        agreed=sum(answer.decision == PanelMemberSignOff.Decision.AGREE for answer in answers),
        changes_asked=[
            answer for answer in answers if answer.decision == PanelMemberSignOff.Decision.CHANGES
        ],
    )


def in_sign_off(page: ServiceChangePage) -> bool:
    """Is ``page`` waiting at the panel sign-off step now?"""
    state = page.current_workflow_state
    if state is None:
        return False
    task_state = state.current_task_state
    return (
        task_state is not None
        and task_state.status == TaskState.STATUS_IN_PROGRESS
        and isinstance(task_state.task.specific, PanelSignOffTask)
    )


def draft_url(page: ServiceChangePage) -> str:
    return reverse("coproduce:sign_off_draft", args=[page.pk])


@dataclass
class Draft:
    """A change's draft as a panel member (or staff) reads it on the front end."""

    page: ServiceChangePage
    panel: Panel | None
    waiting: bool  # at the sign-off step now
    revision: Revision | None = None
    content: ServiceChangePage | None = None  # the latest revision, as a page
    progress: SignOffProgress | None = None
    may_answer: bool = False
    answer: PanelMemberSignOff | None = None  # this member's answer to this version
    earlier: PanelMemberSignOff | None = None  # their last answer to an earlier version
    changed_since: list[str] = field(default_factory=list)
    answers: list[PanelMemberSignOff] = field(default_factory=list)  # for staff


def sign_off_draft(user, page_id: int) -> Draft:
    """The draft of change ``page_id`` for ``user``; ``Http404`` when they may not read it
    (a guessed id and a change of another panel look the same)."""
    page = ServiceChangePage.objects.filter(pk=page_id).select_related("latest_revision").first()
    if page is None:
        raise Http404
    panel = panel_under_review(page)
    if not can(user, "coproduce.view_change_draft", panel):
        raise Http404
    draft = Draft(page=page, panel=panel, waiting=in_sign_off(page))
    if not draft.waiting:
        return draft
    draft.progress = sign_off_progress(page)
    draft.revision = draft.progress.revision
    draft.content = draft.revision.as_object()
    draft.may_answer = can(user, "coproduce.answer_change_draft", panel)
    if draft.may_answer:
        mine = list(
            PanelMemberSignOff.objects.filter(page=page, member=user)
            .select_related("revision")
            .order_by("-created_at", "-pk")[:2]
        )
        for answer in mine:
            if (
                answer.revision_id == draft.revision.pk
                and answer.created_at >= draft.revision.created_at
            ):
                draft.answer = answer
            elif draft.earlier is None:
                draft.earlier = answer
                draft.changed_since = _changed_sections(answer.revision, draft.revision)
    else:
        draft.answers = list(
            _counting(draft.revision)
            .filter(member__in=panel_members(panel).values("pk"))
            .select_related("member")
            .order_by("created_at", "pk")
        )
    return draft


def _changed_sections(before: Revision, after: Revision) -> list[str]:
    if before.pk == after.pk:
        # The same revision, saved over since they answered: say so without detail.
        return ["This version was saved again"]

    def section(content: dict, key: str):
        value = content.get(key)
        if key == "recommendations":
            return [item.get("text") for item in value or []]
        if key == "updates":
            return [
                (item.get("date"), item.get("status"), item.get("note")) for item in value or []
            ]
        return value

    return [
        label
        for key, label in SECTIONS
        if section(before.content, key) != section(after.content, key)
    ]


@dataclass(frozen=True)
class SignOffRequest:
    """A change waiting for a member's answer, for My space."""

    page: ServiceChangePage
    panel: Panel
    answer: PanelMemberSignOff | None  # to this version
    answered_before: bool  # answered an earlier version

    @property
    def url(self) -> str:
        return draft_url(self.page)


def sign_off_requests_for(user, *, panels: dict[int, Panel] | None = None) -> list[SignOffRequest]:
    """The changes at the sign-off step whose panel ``user`` is a member of, those waiting
    for their answer first. A fixed number of queries, however many; one fewer when the
    caller already knows the person's accepted ``panels`` (by id)."""
    if not user.is_authenticated:
        return []
    if panels is None:
        panels = {
            application.panel_id: application.panel
            for application in PanelApplication.objects.filter(
                applicant=user, status=PanelApplication.Status.ACCEPTED
            ).select_related("panel")
        }
    if not panels:
        return []
    # Workflow states name their page by a text id.
    waiting_ids = (
        TaskState.objects.filter(
            status=TaskState.STATUS_IN_PROGRESS,
            task__in=PanelSignOffTask.objects.values("pk"),
        )
        .annotate(page_id=Cast("workflow_state__object_id", IntegerField()))
        .values("page_id")
    )
    pages = [
        page
        for page in ServiceChangePage.objects.filter(pk__in=waiting_ids).select_related(
            "latest_revision"
        )
        if page.latest_revision is not None and page.latest_revision.content.get("panel") in panels
    ]
    if not pages:
        return []
    answers: dict[int, list[PanelMemberSignOff]] = {}
    for answer in PanelMemberSignOff.objects.filter(
        member=user, page__in=[page.pk for page in pages]
    ).order_by("-created_at", "-pk"):
        answers.setdefault(answer.page_id, []).append(answer)
    requests = []
    for page in pages:
        revision = page.latest_revision
        mine = answers.get(page.pk, [])
        current = next(
            (
                a
                for a in mine
                if a.revision_id == revision.pk and a.created_at >= revision.created_at
            ),
            None,
        )
        requests.append(
            SignOffRequest(
                page=page,
                panel=panels[revision.content["panel"]],
                answer=current,
                answered_before=current is None and bool(mine),
            )
        )
    requests.sort(key=lambda r: (r.answer is not None, r.page.title.lower()))
    return requests


@dataclass(frozen=True)
class PublicSignOff:
    """What a published change says about its sign-off: how many, which panel, when."""

    members: int
    panel_title: str
    on: datetime


def public_sign_off(page: ServiceChangePage) -> PublicSignOff | None:
    """How many members of its panel signed off the version of ``page`` that is live, and
    when it was signed off; None when the live version was not signed off by the panel."""
    if not page.live_revision_id or not page.panel_id:
        return None
    agreed = (
        PanelMemberSignOff.objects.filter(
            page=page,
            revision_id=page.live_revision_id,
            decision=PanelMemberSignOff.Decision.AGREE,
            created_at__gte=F("revision__created_at"),
        )
        .values("pk")
        .count()
    )
    if not agreed:
        return None
    signed = (
        TaskState.objects.filter(
            workflow_state__object_id=str(page.pk),
            workflow_state__base_content_type=page.get_base_content_type(),
            status=TaskState.STATUS_APPROVED,
            task__in=PanelSignOffTask.objects.values("pk"),
        )
        .order_by("-finished_at")
        .values_list("finished_at", flat=True)
        .first()
    )
    if signed is None:
        return None
    panel = Panel.objects.filter(pk=page.panel_id).values_list("title", flat=True).first()
    return PublicSignOff(members=agreed, panel_title=panel or "", on=signed)


def signed_off_counts(pages) -> dict[int, int]:
    """For a list of published changes, how many panel members agreed each one's live
    version (changes nobody signed off are left out): one query for the whole list."""
    ids = [page.pk for page in pages if page.live_revision_id]
    if not ids:
        return {}
    rows = (
        PanelMemberSignOff.objects.filter(
            page_id__in=ids,
            revision_id=F("page__live_revision_id"),
            decision=PanelMemberSignOff.Decision.AGREE,
            created_at__gte=F("revision__created_at"),
        )
        .values("page_id")
        .annotate(members=Count("pk"))
    )
    return {row["page_id"]: row["members"] for row in rows}


# --- Changing it ---------------------------------------------------------------------------------


@transaction.atomic
def sign_off_answer(
    *,
    page: ServiceChangePage,
    member,
    revision_id: int,
    decision: str,
    comment: str = "",
) -> PanelMemberSignOff:
    """Record ``member``'s answer to the draft of ``page`` they read (``revision_id``): they
    agree, or ask for changes saying what. A second answer to the same version replaces
    the first. Refused when they are not on the panel, when the change is not waiting for
    the panel, or when the draft changed since they read it."""
    page = ServiceChangePage.objects.select_for_update().get(pk=page.pk)
    panel = panel_under_review(page)
    require(member, "coproduce.answer_change_draft", panel)
    if not in_sign_off(page):
        raise Refused("This change is not waiting for the panel's sign-off any more.")
    revision = page.get_latest_revision()
    if revision is None or revision.pk != revision_id:
        raise Refused(
            "The draft changed while you were reading it. Read the new version, then answer again.",
            field="revision",
        )
    if decision not in PanelMemberSignOff.Decision.values:
        raise Refused("Choose whether you agree or want changes", field="decision")
    comment = comment.strip()
    if decision == PanelMemberSignOff.Decision.CHANGES and not comment:
        raise Refused("Say what needs to change", field="comment")
    was_ready = sign_off_progress(page).ready
    values = {"page": page, "decision": decision, "comment": comment, "created_at": timezone.now()}
    answer = PanelMemberSignOff.objects.filter(revision=revision, member=member).first()
    if answer is None:
        try:
            with transaction.atomic():
                answer = PanelMemberSignOff.objects.create(
                    revision=revision, member=member, **values
                )
        except IntegrityError:  # the same member answering twice at once
            answer = PanelMemberSignOff.objects.get(revision=revision, member=member)
    for name, value in values.items():
        setattr(answer, name, value)
    answer.save()
    progress = sign_off_progress(page)
    if decision == PanelMemberSignOff.Decision.CHANGES:
        _tell_facilitators(page, progress, template="sign_off_changes_asked", answer=answer)
    elif progress.ready and not was_ready:
        _tell_facilitators(page, progress, template="sign_off_ready", answer=answer)
    return answer


def _tell_facilitators(page, progress: SignOffProgress, *, template: str, answer) -> None:
    """Staff email to the panel's facilitators (staff are not sent member notices)."""
    from ..selectors.changes import people_who_sign_off

    context = {
        "page": page,
        "title": page.get_admin_display_title(),
        "panel": progress.panel,
        "progress": progress,
        "answer": answer,
        "edit_url": site_address.absolute_url(reverse("wagtailadmin_pages:edit", args=[page.pk])),
        "draft_url": site_address.absolute_url(draft_url(page)),
    }
    subject = render_to_string(f"coproduce/sign_off/{template}_subject.txt", context).strip()
    for person in people_who_sign_off(progress.panel):
        if not person.email:
            continue
        body = render_to_string(f"coproduce/sign_off/{template}.txt", {**context, "user": person})
        send_mail(subject, body, None, [person.email])


def sign_off_ask_members(*, page: ServiceChangePage, again: bool = False) -> int:
    """Ask each member of the change's panel to read the draft and answer; returns how many
    were asked. ``again``: the draft changed after they answered."""
    panel = panel_under_review(page)
    if panel is None:
        return 0
    members = panel_members(panel)
    # Those who answered an earlier version (before it was sent back and changed) are
    # told it changed; the others are asked for the first time.
    answered = PanelMemberSignOff.objects.filter(page=page).values("member_id")
    return _ask(page, panel, members.exclude(pk__in=answered), again=again) + _ask(
        page, panel, members.filter(pk__in=answered), again=True
    )


def _ask(page, panel, members, *, again: bool) -> int:
    title = page.get_latest_revision_as_object().title
    url = site_address.absolute_url(draft_url(page))
    subject = (
        f"The draft has changed: please look again at {title}"
        if again
        else f"Please check a change {panel.title} worked on"
    )
    asked = 0
    for member in members:
        body = render_to_string(
            "coproduce/sign_off/ask_member.txt",
            {"user": member, "panel": panel, "title": title, "url": url, "again": again},
        )
        text = f"{subject}. Read it and tell us if you agree: {url}"
        if notify(member, NOTICE, subject=subject, body=body, text=text) != "none":
            asked += 1
    return asked


def sign_off_requested(*, task_state) -> int:
    """A change reached the panel sign-off step: ask its panel's members."""
    if not isinstance(task_state.task.specific, PanelSignOffTask):
        return 0
    page = task_state.workflow_state.content_object.specific
    if not isinstance(page, ServiceChangePage):
        return 0
    return sign_off_ask_members(page=page)


def sign_off_draft_changed(*, page: ServiceChangePage) -> int:
    """The draft of a change at the sign-off step was edited: the members who answered the
    version before are asked to look again (once per edit that replaced the version they
    answered, so saving twice does not ask twice)."""
    if not in_sign_off(page):
        return 0
    latest = page.get_latest_revision()
    if latest is None or page.current_workflow_task_state.revision_id == latest.pk:
        return 0  # submitted just now: members were asked as it reached the step
    before = page.revisions.filter(pk__lt=latest.pk).order_by("-pk").first()
    if before is None:
        return 0
    panel = panel_under_review(page)
    members = panel_members(panel).filter(
        pk__in=PanelMemberSignOff.objects.filter(revision=before).values("member_id")
    )
    return _ask(page, panel, members, again=True) if panel is not None else 0
