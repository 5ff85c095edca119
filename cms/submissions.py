"""Create once per form sent: the one place that turns a form's token into "this post
already made its record".

The token row is inserted first, inside the same transaction as the record it guards.
Two posts of the same form race for the unique token: the loser's insert fails (on
PostgreSQL it waits for the winner to commit; on SQLite the IMMEDIATE transaction makes
it wait for the write lock) and it is handed what the winner made instead of making a
second one. If the winner is refused or fails, its transaction, token included, is rolled
back, so the retry is treated as new.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, models, transaction
from django.utils import timezone

from .forms import submitted_fingerprint, submitted_token
from .models import FormSubmission

KEEP_TOKENS_FOR = timedelta(days=7)


@dataclass(frozen=True)
class Submitted:
    """What a form's post made, and whether this post was a repeat of an earlier one.

    For a repeat, ``record`` is what the first post made (None if it has since been
    deleted): the view sends the person on exactly as after the first post, and nothing
    new is saved.
    """

    record: Any
    repeated: bool


def _same_post(earlier: FormSubmission, *, sender, key: str, fingerprint: str) -> bool:
    return (
        earlier.user_id == (sender.pk if sender is not None else None)
        and earlier.form_key == key
        and earlier.fingerprint == fingerprint
    )


def submit_once(*, form, user, create: Callable[[], Any], key: str = "") -> Submitted:
    """Run ``create`` (one service call that returns the record it made) unless the token
    ``form`` was sent with has already been used; then return that earlier record.

    ``form`` is a ``cms.forms.OnceOnlyForm`` (or any form given the field by
    ``add_once_only_field``, with its ``key``). A form sent without a usable token (an
    old page, a hand-made post) is created as usual, without the check, rather than
    refused.
    """
    token = submitted_token(form)
    if token is None:
        return Submitted(record=create(), repeated=False)
    key = key or form.once_only_key
    sender = user if user is not None and user.is_authenticated else None
    fingerprint = submitted_fingerprint(form)
    with transaction.atomic():
        try:
            with transaction.atomic():
                submission = FormSubmission.objects.create(
                    token=token, user=sender, form_key=key, fingerprint=fingerprint
                )
        except IntegrityError:
            earlier = FormSubmission.objects.filter(token=token).first()
            if earlier is None or not _same_post(
                earlier, sender=sender, key=key, fingerprint=fingerprint
            ):
                # The same page changed and sent again, or a token that is not this
                # person's: new work, so it is saved (without the check).
                return Submitted(record=create(), repeated=False)
            return Submitted(record=earlier.created_object, repeated=True)
        record = create()
        if isinstance(record, models.Model) and record.pk is not None:
            submission.content_type = ContentType.objects.get_for_model(record)
            submission.object_id = str(record.pk)
            submission.save(update_fields=["content_type", "object_id"])
        return Submitted(record=record, repeated=False)


def repeat_of(*, form, user, key: str = "") -> Submitted | None:
    """If this very post (same token, person and contents) was already saved, what it
    made. For a view whose checks ran before ``submit_once`` and refused the second post
    only because the first one's record now exists (a name already taken): it sends the
    person on as after the first post instead of showing that error."""
    token = submitted_token(form)
    if token is None:
        return None
    earlier = FormSubmission.objects.filter(token=token).first()
    sender = user if user is not None and user.is_authenticated else None
    key = key or form.once_only_key
    if earlier is None or not _same_post(
        earlier, sender=sender, key=key, fingerprint=submitted_fingerprint(form)
    ):
        return None
    return Submitted(record=earlier.created_object, repeated=True)


def submissions_purge(*, now=None) -> int:
    """Forget tokens older than a week: by then nobody is still double-clicking."""
    cutoff = (now or timezone.now()) - KEEP_TOKENS_FOR
    deleted, _ = FormSubmission.objects.filter(created_at__lt=cutoff).delete()
    return deleted
