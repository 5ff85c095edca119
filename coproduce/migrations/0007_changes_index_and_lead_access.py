"""Make the "You said, we did" index under the home page (on a fresh site), let engagement
leads draft service changes under it, and send every change there through the "Service
change sign-off" workflow.

Leads draft, facilitators sign off, editors publish: leads get Wagtail's "add" and "edit"
page permissions on the index only (never "publish"); editors already publish from the
root (cms 0008). Page permissions in Wagtail belong to a page, so the index is made here,
where the grant is made. If editors ever delete the index and make a new one, give the
Engagement leads group "Add" and "Edit" on it in Settings → Groups.
"""

from django.db import migrations
from django.utils import timezone

SLUG = "you-said-we-did"
TITLE = "You said, we did"
INTRO = "What changed because people told us what they thought."
LEADS = "Engagement leads"
LEAD_PAGE_PERMISSIONS = ["add_page", "change_page"]
WORKFLOW_NAME = "Service change sign-off"
# django-treebeard's materialised path, as Wagtail's Page uses it.
STEP_LENGTH = 4
ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def _segment(number: int) -> str:
    digits = ""
    while number:
        number, remainder = divmod(number, len(ALPHABET))
        digits = ALPHABET[remainder] + digits
    return digits.rjust(STEP_LENGTH, "0")


def _make_index(apps, home):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Page = apps.get_model("wagtailcore", "Page")
    ServiceChangeIndexPage = apps.get_model("coproduce", "ServiceChangeIndexPage")
    children = Page.objects.filter(path__startswith=home.path, depth=home.depth + 1)
    if children.filter(slug=SLUG).exists():
        return None  # the address is taken: editors make the index themselves
    last = children.order_by("-path").values_list("path", flat=True).first()
    number = int(last[-STEP_LENGTH:], len(ALPHABET)) + 1 if last else 1
    content_type, _ = ContentType.objects.get_or_create(
        app_label="coproduce", model="servicechangeindexpage"
    )
    now = timezone.now()
    index = ServiceChangeIndexPage.objects.create(
        title=TITLE,
        draft_title=TITLE,
        slug=SLUG,
        content_type=content_type,
        path=home.path + _segment(number),
        depth=home.depth + 1,
        numchild=0,
        url_path=f"{home.url_path}{SLUG}/",
        live=True,
        locale_id=home.locale_id,
        first_published_at=now,
        last_published_at=now,
        intro=INTRO,
    )
    Page.objects.filter(pk=home.pk).update(numchild=children.count())
    return index


def forwards(apps, schema_editor):
    HomePage = apps.get_model("cms", "HomePage")
    ServiceChangeIndexPage = apps.get_model("coproduce", "ServiceChangeIndexPage")
    index = ServiceChangeIndexPage.objects.order_by("path").first()
    if index is None:
        home = HomePage.objects.order_by("path").first()
        if home is None:
            return
        index = _make_index(apps, home)
        if index is None:
            return

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    GroupPagePermission = apps.get_model("wagtailcore", "GroupPagePermission")
    leads = Group.objects.filter(name=LEADS).first()
    if leads is not None:
        for permission in Permission.objects.filter(
            content_type__app_label="wagtailcore", codename__in=LEAD_PAGE_PERMISSIONS
        ):
            GroupPagePermission.objects.get_or_create(
                group=leads, page_id=index.pk, permission=permission
            )

    Workflow = apps.get_model("wagtailcore", "Workflow")
    WorkflowPage = apps.get_model("wagtailcore", "WorkflowPage")
    workflow = Workflow.objects.filter(name=WORKFLOW_NAME).first()
    if workflow is not None:
        WorkflowPage.objects.get_or_create(page_id=index.pk, defaults={"workflow": workflow})


def backwards(apps, schema_editor):
    Page = apps.get_model("wagtailcore", "Page")
    GroupPagePermission = apps.get_model("wagtailcore", "GroupPagePermission")
    WorkflowPage = apps.get_model("wagtailcore", "WorkflowPage")
    ServiceChangeIndexPage = apps.get_model("coproduce", "ServiceChangeIndexPage")
    for index in ServiceChangeIndexPage.objects.all():
        GroupPagePermission.objects.filter(
            group__name=LEADS,
            page_id=index.pk,
            permission__codename__in=LEAD_PAGE_PERMISSIONS,
        ).delete()
        WorkflowPage.objects.filter(page_id=index.pk, workflow__name=WORKFLOW_NAME).delete()
        # Only the empty index this migration made goes: service changes are never lost.
        if index.slug == SLUG and index.numchild == 0:
            parent_path = index.path[:-STEP_LENGTH]
            index.delete()
            parent = Page.objects.filter(path=parent_path).first()
            if parent is not None:
                Page.objects.filter(pk=parent.pk).update(
                    numchild=Page.objects.filter(
                        path__startswith=parent.path, depth=parent.depth + 1
                    ).count()
                )


class Migration(migrations.Migration):
    dependencies = [
        ("coproduce", "0006_service_change_notices"),
        ("cms", "0008_editors_publish_pages"),
        ("wagtailcore", "0098_apitoken"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
