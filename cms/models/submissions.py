"""One row per form sent, keyed by the token the form carried, so that sending the same
form twice (a double click, a slow network, a retry) makes one record, not two.

The unique token is the whole mechanism: the first post to insert it wins, and a second
post with the same token fails on the constraint and is sent to what the first one made
(see ``cms.submissions``). Rows are only needed while a repeat is still likely, so they are
purged after a week.
"""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models


class FormSubmission(models.Model):
    token = models.UUIDField(unique=True, editable=False)
    # Kept only to check that a repeat comes from the same person; anonymous forms
    # (feedback without an account) leave it empty.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    form_key = models.CharField(max_length=100)
    # A hash of what was sent: a repeat that differs (the person went back, changed the
    # form and sent it again) is new work and is saved, not taken for the first post.
    fingerprint = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    # What the first post made, so a repeat can be sent to the same place.
    content_type = models.ForeignKey(
        ContentType, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    object_id = models.CharField(max_length=64, blank=True)
    created_object = GenericForeignKey("content_type", "object_id")

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.form_key} sent {self.created_at:%Y-%m-%d %H:%M}"
