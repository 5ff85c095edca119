""" "You said, we did": service changes as Wagtail pages, with a dated timeline, the offers
they touched, the feedback and panel recommendations behind them, and the panel that
co-produced them."""

from django import forms
from django.db import models
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin
from wagtail.fields import RichTextField
from wagtail.forms import TaskStateCommentForm
from wagtail.models import Orderable, Page, Task, TaskState, Workflow
from wagtail.search import index

from cms.sanitise import ALLOWED_RICHTEXT_FEATURES

from ..choices import CoproductionLevel


class ServiceChangeIndexPage(RoutablePageMixin, Page):
    """The list of service changes with filters, and its Atom feed (routes in the views)."""

    intro = models.TextField(blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    parent_page_types = ["cms.HomePage"]
    subpage_types = ["coproduce.ServiceChangePage"]
    max_count = 1

    class Meta:
        verbose_name = "'You said, we did' index"


class ServiceChangePage(Page):
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

    content_panels = [
        *Page.content_panels,
        FieldPanel("status"),
        FieldPanel("what_people_said"),
        InlinePanel("recommendations", label="Panel recommendations"),
        FieldPanel("what_changed"),
        InlinePanel("updates", label="Timeline", min_num=1),
        MultiFieldPanel(
            [FieldPanel("panel"), FieldPanel("coproduction_level")], heading="Co-production"
        ),
        FieldPanel("offers"),
        FieldPanel("themes"),
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
        sign_off = Workflow.objects.filter(name=SIGN_OFF_WORKFLOW_NAME, active=True).first()
        return sign_off or super().get_workflow()


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


SIGN_OFF_WORKFLOW_NAME = "Service change sign-off"


class PanelSignOffForm(TaskStateCommentForm):
    panel_has_seen = forms.BooleanField(
        label="The panel has seen this change as it will be published",
        required=True,
        error_messages={"required": "Confirm that the panel has seen this change"},
    )


class PanelSignOffTask(Task):
    """A service change co-produced by a panel is approved by that panel's facilitator,
    after the panel has seen it, before it is published. Changes no panel worked on are
    approved by editors instead."""

    admin_form_fields = Task.admin_form_fields

    def _may_approve(self, obj, user) -> bool:
        if user.is_superuser:
            return True
        page = obj.specific if hasattr(obj, "specific") else obj
        panel_id = getattr(page, "panel_id", None)
        if panel_id is None:
            return user.groups.filter(name="Editors").exists()
        return page.panel.facilitators.filter(pk=user.pk).exists()

    def user_can_access_editor(self, obj, user):
        return self._may_approve(obj, user)

    def locked_for_user(self, obj, user):
        return not self._may_approve(obj, user)

    def get_actions(self, obj, user):
        if not self._may_approve(obj, user):
            return []
        return [
            ("reject", "Ask for changes", True),
            ("approve", "Sign off for the panel", True),
        ]

    def get_form_for_action(self, action):
        return PanelSignOffForm if action == "approve" else TaskStateCommentForm

    def on_action(self, task_state, user, action_name, **kwargs):
        if action_name == "approve":
            kwargs.pop("panel_has_seen", None)
            comment = kwargs.pop("comment", "")
            kwargs["comment"] = "The panel has seen this change." + (
                f" {comment}" if comment else ""
            )
        return super().on_action(task_state, user, action_name, **kwargs)

    def get_task_states_user_can_moderate(self, user, **kwargs):
        states = self.task_states.filter(status=TaskState.STATUS_IN_PROGRESS)
        if user.is_superuser:
            return states
        facilitated = ServiceChangePage.objects.filter(panel__facilitators=user).values("pk")
        allowed = models.Q(
            workflow_state__object_id__in=[
                str(pk) for pk in facilitated.values_list("pk", flat=True)
            ]
        )
        if user.groups.filter(name="Editors").exists():
            no_panel = ServiceChangePage.objects.filter(panel__isnull=True).values_list(
                "pk", flat=True
            )
            allowed |= models.Q(workflow_state__object_id__in=[str(pk) for pk in no_panel])
        return states.filter(allowed)

    @classmethod
    def get_description(cls):
        return "The facilitator of the panel that co-produced the change signs it off"

    class Meta:
        verbose_name = "panel sign-off task"
