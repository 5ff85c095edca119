"""Slugs: the last part of a page's web address, made from a title or a name.

``unique_slug`` is the one rule every model follows: take the slugified text; if another
row already has it, add ``-2``, ``-3`` and so on. Some addresses belong to fixed pages (for
example ``/panels/meetings/``), so a model can list them as ``reserved``: a title that would
take one gets a word added instead (``meetings`` becomes ``meetings-panel``).
``refuse_reserved`` is the matching check for a model's ``clean()``.
"""

from collections.abc import Collection, Iterable

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.text import slugify


def unique_slug(
    model_or_queryset,
    text: str,
    *,
    reserved: Collection[str] = (),
    max_length: int = 50,
    fallback: str = "item",
    reserved_suffix: str | None = None,
    taken: Iterable[str] = (),
    field: str = "slug",
) -> str:
    """A slug for ``text`` that no row of ``model_or_queryset`` has yet.

    - ``max_length``: the slugified text is cut to this many characters before any number.
    - ``fallback``: the slug when the text has no letters or digits.
    - ``reserved``: words the slug must never be; one that would be gets ``-reserved_suffix``
      added (the fallback when no suffix is given).
    - ``taken``: slugs already promised elsewhere but not yet saved (an import in progress).
    - ``field``: the model field holding the slug.

    Passing a queryset rather than a model narrows what counts as taken, for example
    ``Panel.objects.exclude(pk=panel.pk)`` or ``index_page.get_children()``.
    It asks the database once, whatever the number of clashes.
    """
    base = slugify(text)[:max_length] or fallback
    if base in reserved:
        base = f"{base}-{reserved_suffix or fallback}"
    in_use = set(taken) | _slugs_starting_with(model_or_queryset, field, base)
    slug, number = base, 2
    while slug in in_use or slug in reserved:
        slug = f"{base}-{number}"
        number += 1
    return slug


def refuse_reserved(slug: str, reserved: Collection[str], *, address: str) -> None:
    """Raise a ``ValidationError`` when ``slug`` is one of the ``reserved`` words.

    ``address`` is where the slug goes, for example ``"/panels/"``; the message names it.
    """
    if slug in reserved:
        raise ValidationError(
            f"The address {address}{slug}/ belongs to another page on this site, so it "
            "cannot be used here. Choose a different address."
        )


def _slugs_starting_with(model_or_queryset, field: str, base: str) -> set[str]:
    if isinstance(model_or_queryset, models.QuerySet):
        queryset = model_or_queryset
    else:
        queryset = model_or_queryset._default_manager.all()
    return set(queryset.filter(**{f"{field}__startswith": base}).values_list(field, flat=True))
