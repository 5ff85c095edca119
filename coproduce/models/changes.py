""" "You said, we did": service changes as Wagtail pages, with a dated timeline, the offers
they touched, the feedback and panel recommendations behind them, and the panel that
co-produced them.

Leads draft changes and submit them to the "Service change sign-off" workflow; the members
of the panel that co-produced a change read the draft and agree it or ask for changes
(``coproduce/services/sign_off.py``), and once enough agreed, the panel's facilitator signs
it off, which publishes it. A change no panel worked on is approved by an editor.
"""

from contextvars import ContextVar
from html import unescape

from django import forms
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.text import Truncator
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from wagtail.admin.forms import WagtailAdminPageForm
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import RichTextField
from wagtail.forms import TaskStateCommentForm
from wagtail.models import Orderable, Page, PagePermissionTester, Task, TaskState, Workflow
from wagtail.search import index

from cms.admin_dates import page_settings_panels
from cms.models.mixins import ViewRestrictionsFromMemory
from cms.sanitise import ALLOWED_RICHTEXT_FEATURES

from ..choices import CoproductionLevel

SIGN_OFF_WORKFLOW_NAME = "Service change sign-off"
SUMMARY_WORDS = 40

# The page whose sign-off is being approved in this request. Approving the last step of a
# workflow publishes the page as the person approving; a facilitator may not publish
# directly, so while their sign-off is approved, that one page counts as theirs to publish.
_signing_off: ContextVar[int | None] = ContextVar("service_change_signing_off", default=None)


class ServiceChangeIndexPage(ViewRestrictionsFromMemory, RoutablePageMixin, Page):
    """The list of service changes with filters, and its Atom feed (views in
    coproduce/views/changes.py)."""

    intro = models.TextField(blank=True)

    settings_panels = page_settings_panels()
    content_panels = [*Page.content_panels, FieldPanel("intro")]
    parent_page_types = ["cms.HomePage"]
    subpage_types = ["coproduce.ServiceChangePage"]
    max_count = 1

    class Meta:
        verbose_name = "'You said, we did' index"

    @path("")
    def changes(self, request):
        from ..views.changes import index_view

        return index_view(request, index_page=self)

    @path("feed/", name="feed")
    def feed(self, request):
        from ..views.changes import feed_view

        return feed_view(request, index_page=self)


class ServiceChangePermissionTester(PagePermissionTester):
    """Wagtail's page permissions, except that a change a panel co-produced is published
    only by its sign-off: editors may not publish it directly, around the panel."""

    def can_publish(self):
        if _signing_off.get() == self.page.pk:
            return self.user.is_active
        if not super().can_publish():
            return False
        from cms.permissions import can

        return can(self.user, "coproduce.publish_service_change_directly", self.page.panel)


class ServiceChangePageForm(WagtailAdminPageForm):
    """The page editor's checks: a timeline that does not claim the future is done, the
    co-production level taken from the panel when none is given, panels offered from those
    the person may see, and no "Publish" around the panel's sign-off."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from cms.permissions import visible_to

        from .panels import Panel

        field = self.fields.get("panel")
        if field is not None and self.for_user is not None:
            current = models.Q(pk=self.instance.panel_id) if self.instance.panel_id else None
            visible = models.Q(pk__in=visible_to(self.for_user, Panel).values("pk"))
            field.queryset = Panel.objects.filter(visible | current if current else visible)

    def clean(self):
        cleaned = super().clean()
        panel = cleaned.get("panel")
        if panel is not None and not cleaned.get("coproduction_level"):
            cleaned["coproduction_level"] = panel.coproduction_level
        self._check_timeline(cleaned.get("status"))
        submitting = self.data.get("action-submit") or self.data.get("action-restart-workflow")
        if submitting:
            from ..rules import submission_refusal

            refusal = submission_refusal(self.for_user, panel)
            if refusal:
                self.add_error("panel", refusal)
        if self.data.get("action-publish") and panel is not None:
            from cms.permissions import can

            if not can(self.for_user, "coproduce.publish_service_change_directly", panel):
                self.add_error(
                    "panel",
                    "A change co-produced by a panel is published when the panel's facilitator "
                    f'signs it off. Choose "Submit to {SIGN_OFF_WORKFLOW_NAME}" instead of '
                    '"Publish".',
                )
        return cleaned

    def _check_timeline(self, status: str | None) -> None:
        formset = self.formsets.get("updates")
        if formset is None or not formset.is_valid():
            return
        today = timezone.localdate()
        done = ServiceChangePage.Status.DONE
        steps = [
            form
            for form in formset.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]
        for form in steps:
            day, step_status = form.cleaned_data.get("date"), form.cleaned_data.get("status")
            if day is None or day <= today:
                continue
            if step_status == done:
                form.add_error("date", "The date a change was done must be today or in the past")
            elif status == done:
                form.add_error(
                    "date",
                    "This change is done, so the dates in its timeline must be today or in "
                    "the past",
                )
        if status == done and not any(form.cleaned_data.get("status") == done for form in steps):
            self.add_error("status", "Add a step to the timeline with the date the change was done")


class ServiceChangePage(ViewRestrictionsFromMemory, Page):
    """One change made because people spoke."""

    class Status(models.TextChoices):
        PLANNED = "planned", "Planned"
        IN_PROGRESS = "in_progress", "In progress"
        DONE = "done", "Done"

    what_people_said = RichTextField(
        features=ALLOWED_RICHTEXT_FEATURES, help_text="A summary of what people told us."
    )
    what_changed = RichTextField(features=ALLOWED_RICHTEXT_FEATURES)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PLANNED)
    offers = ParentalManyToManyField("cms.OfferPage", blank=True, related_name="service_changes")
    themes = ParentalManyToManyField("coproduce.Theme", blank=True, related_name="service_changes")
    panel = models.ForeignKey(
        "coproduce.Panel",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="service_changes",
        help_text="The panel that co-produced this change, if one did.",
    )
    coproduction_level = models.PositiveSmallIntegerField(
        choices=CoproductionLevel.choices, null=True, blank=True
    )

    base_form_class = ServiceChangePageForm
    settings_panels = page_settings_panels()
    content_panels = [
        *Page.content_panels,
        FieldPanel("status", widget=forms.RadioSelect),
        FieldPanel("what_people_said"),
        InlinePanel(
            "recommendations",
            label="Panel recommendation",
            heading="What the panel recommended",
        ),
        FieldPanel("what_changed"),
        InlinePanel(
            "updates",
            label="Step",
            heading="Timeline",
            help_text="When it was planned, started and done. Dates of a change that is done "
            "must not be in the future.",
            min_num=1,
        ),
        MultiFieldPanel(
            [
                FieldPanel("panel"),
                FieldPanel(
                    "coproduction_level",
                    help_text="Leave empty to use the panel's level on the ladder.",
                ),
            ],
            heading="Co-production",
        ),
        FieldPanel("offers"),
        FieldPanel("themes", widget=forms.CheckboxSelectMultiple),
    ]
    search_fields = [
        *Page.search_fields,
        index.SearchField("what_people_said"),
        index.SearchField("what_changed"),
        index.FilterField("status"),
    ]
    parent_page_types = ["coproduce.ServiceChangeIndexPage"]
    subpage_types: list[str] = []

    class Meta:
        verbose_name = "service change ('You said, we did')"

    def get_workflow(self):
        """Service changes always go through panel sign-off (when that workflow is active),
        whatever workflow the pages above them use."""
        if not getattr(settings, "WAGTAIL_WORKFLOW_ENABLED", True):
            return None
        sign_off = Workflow.objects.filter(name=SIGN_OFF_WORKFLOW_NAME, active=True).first()
        return sign_off or super().get_workflow()

    @property
    def has_workflow(self):
        # Wagtail's own answer looks only at workflows assigned to pages above this one.
        return self.get_workflow() is not None

    def permissions_for_user(self, user):
        return ServiceChangePermissionTester(user, self)

    @property
    def summary(self) -> str:
        """Plain text for lists and the feed: the editor's search description, or the
        start of what changed."""
        if self.search_description:
            return self.search_description
        text = unescape(strip_tags(self.what_changed)).strip()
        return Truncator(" ".join(text.split())).words(SUMMARY_WORDS)

    @property
    def what_changed_heading(self) -> str:
        """The page's heading over ``what_changed``, in the tense of the change's status:
        a planned change has not been made yet."""
        return {
            self.Status.PLANNED: "What we plan to change",
            self.Status.IN_PROGRESS: "What we are changing",
        }.get(self.status, "What we changed")

    def get_context(self, request, *args, **kwargs):
        from ..views.changes import service_change_context

        context = super().get_context(request, *args, **kwargs)
        context.update(service_change_context(self, request))
        return context


class ServiceChangeUpdate(Orderable):
    """A dated step in a change's timeline (planned on…, started on…, done on…)."""

    page = ParentalKey(ServiceChangePage, on_delete=models.CASCADE, related_name="updates")
    date = models.DateField()
    status = models.CharField(max_length=12, choices=ServiceChangePage.Status.choices)
    note = models.CharField(max_length=500, blank=True)

    panels = [FieldPanel("date"), FieldPanel("status"), FieldPanel("note")]

    class Meta(Orderable.Meta):
        ordering = ["date", "sort_order"]


class PanelRecommendation(Orderable):
    """Something the panel recommended that this change answers."""

    page = ParentalKey(ServiceChangePage, on_delete=models.CASCADE, related_name="recommendations")
    text = models.CharField(max_length=500)

    panels = [FieldPanel("text")]


class ServiceChangeNotice(models.Model):
    """That one person whose feedback is linked to a change has been told it reached one
    status, so nobody hears the same news twice, however often the page is published."""

    page = models.ForeignKey(ServiceChangePage, on_delete=models.CASCADE, related_name="notices")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="service_change_notices"
    )
    status = models.CharField(max_length=12, choices=ServiceChangePage.Status.choices)
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["page", "user", "status"], name="coproduce_service_change_notice_once"
            )
        ]

    def __str__(self):
        return f"{self.user} told {self.page} is {self.get_status_display().lower()}"


# --- Panel sign-off -------------------------------------------------------------------------


class PanelMemberSignOff(models.Model):
    """A panel member's answer to the draft of a change: they agree it says what the panel
    said, or they ask for changes and say what. An answer is about one revision: once the
    draft changes, members are asked again, and the facilitator can publish only when
    enough members agreed the version that would go live (``Panel.sign_offs_needed``)."""

    class Decision(models.TextChoices):
        AGREE = "agree", "Agreed"
        CHANGES = "changes", "Asked for changes"

    page = models.ForeignKey(
        ServiceChangePage, on_delete=models.CASCADE, related_name="member_sign_offs"
    )
    revision = models.ForeignKey("wagtailcore.Revision", on_delete=models.CASCADE, related_name="+")
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="change_sign_offs"
    )
    decision = models.CharField(max_length=10, choices=Decision.choices)
    comment = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["revision", "member"], name="coproduce_one_sign_off_per_revision"
            )
        ]

    def __str__(self):
        return f"{self.member} {self.get_decision_display().lower()} {self.page}"


class AskForChangesForm(TaskStateCommentForm):
    """Asking for changes says what to change, so the person who wrote it can fix it."""

    comment = forms.CharField(
        label="What needs to change",
        widget=forms.Textarea({"rows": 3}),
        error_messages={"required": "Say what needs to change, so the author can fix it"},
    )


SIGN_OFF = "sign_off"
APPROVE = "approve"
REJECT = "reject"


def panel_under_review(obj):
    """The panel of the version that approval would publish (the latest revision), which
    may differ from the live page's."""
    from .panels import Panel

    page = obj.specific if isinstance(obj, Page) and not isinstance(obj, ServiceChangePage) else obj
    revision = page.get_latest_revision()
    if revision is not None:
        panel_id = revision.content.get("panel")
    else:
        panel_id = getattr(page, "panel_id", None)
    if panel_id is None:
        return None
    return Panel.objects.filter(pk=panel_id).first()


class PanelSignOffTask(Task):
    """A service change co-produced by a panel is signed off by that panel's facilitator
    once enough of the panel's members agreed the version that would be published, and
    none asked for changes to it. Changes no panel worked on are approved by editors
    instead."""

    admin_form_fields = Task.admin_form_fields

    def _may_approve(self, obj, user) -> bool:
        from ..rules import sign_off_refusal

        return sign_off_refusal(user, obj, panel_under_review(obj)) is None

    def user_can_access_editor(self, obj, user):
        return self._may_approve(obj, user)

    def locked_for_user(self, obj, user):
        return not self._may_approve(obj, user)

    def get_actions(self, obj, user):
        from ..rules import sign_off_refusal
        from ..services.sign_off import sign_off_progress

        panel = panel_under_review(obj)
        if sign_off_refusal(user, obj, panel):
            return []
        if panel is None:
            return [(REJECT, "Ask for changes", True), (APPROVE, "Approve and publish", True)]
        if not sign_off_progress(obj).ready:
            # Until enough members agreed, and none asked for changes, the facilitator can
            # only send it back; the editor says what the panel is waiting for.
            return [(REJECT, "Ask for changes", True)]
        return [(REJECT, "Ask for changes", True), (SIGN_OFF, "Sign off for the panel", True)]

    def get_form_for_action(self, action):
        if action == REJECT:
            return AskForChangesForm
        return TaskStateCommentForm

    @transaction.atomic
    def on_action(self, task_state, user, action_name, **kwargs):
        # Wagtail's page editor passes the action's data without its form: check again.
        page = task_state.workflow_state.content_object.specific
        if action_name not in {name for name, _label, _modal in self.get_actions(page, user)}:
            raise PermissionDenied
        comment = str(kwargs.get("comment") or "").strip()
        if action_name == REJECT:
            if not comment:
                raise PermissionDenied("Say what needs to change, so the author can fix it")
            task_state.reject(user=user, comment=comment)
            return None
        if action_name == SIGN_OFF:
            from ..services.sign_off import sign_off_progress

            # Checked again under the page's lock: an answer may have come in since.
            ServiceChangePage.objects.select_for_update().filter(pk=page.pk).first()
            progress = sign_off_progress(page)
            if not progress.ready:
                raise PermissionDenied(progress.waiting_words)
            agreed = f"{progress.agreed} member{'s' if progress.agreed != 1 else ''}"
            comment = f"Signed off for the panel: {agreed} agreed." + (
                f" {comment}" if comment else ""
            )
        token = _signing_off.set(page.pk)
        try:
            task_state.approve(user=user, comment=comment)
        finally:
            _signing_off.reset(token)
        # Nothing to return: Wagtail would take a returned value as the address to go to.
        return None

    def get_task_states_user_can_moderate(self, user, **kwargs):
        from ..rules import sign_off_refusal
        from .panels import Panel

        states = list(
            self.task_states.filter(status=TaskState.STATUS_IN_PROGRESS).select_related(
                "workflow_state"
            )
        )
        if not states:
            return self.task_states.none()
        pages = {
            str(page.pk): page
            for page in ServiceChangePage.objects.filter(
                pk__in=[state.workflow_state.object_id for state in states]
            ).select_related("latest_revision")
        }
        panel_ids = {
            key: (page.latest_revision.content.get("panel") if page.latest_revision else None)
            for key, page in pages.items()
        }
        panels = Panel.objects.in_bulk([pk for pk in panel_ids.values() if pk])
        allowed = [
            state.pk
            for state in states
            if state.workflow_state.object_id in pages
            and not sign_off_refusal(
                user,
                pages[state.workflow_state.object_id],
                panels.get(panel_ids[state.workflow_state.object_id]),
            )
        ]
        return self.task_states.filter(pk__in=allowed)

    @classmethod
    def get_description(cls):
        return (
            "Members of the panel that co-produced the change agree it, then its "
            "facilitator signs it off"
        )

    class Meta:
        verbose_name = "panel sign-off task"
