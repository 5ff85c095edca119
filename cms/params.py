"""Reading a page's query string (``request.GET``): the one way public pages and the Open
Referral UK feed do it, so that nothing anyone puts in a web address gives a server error.

A web address can hold anything: a NUL byte, quotes, a number with five thousand digits, a
digit from another script ("١٢", "²"), the same name twice. Each reader here turns that into
a value the page can use, or the default, or (for the feed, with ``strict=True``) a
``BadParameter`` whose message says in plain words what was wrong, which the feed answers
with a 400.

Every name read is recorded on the request (``names_read``), so the tests can find each
page's parameters by asking the page itself, and drive them with generated values.
"""

import re
import unicodedata
import uuid
from collections.abc import Iterable

from django.core.paginator import Page, Paginator
from django.http import QueryDict

TEXT_MAX_LENGTH = 200
# Far beyond any list the site has, and small enough that page x size fits any database.
PAGE_MAX = 100_000
# A whole number longer than this is not one anybody meant (and never reaches int()).
_MAX_DIGITS = 18
_READ_ATTRIBUTE = "_cms_params_read"
_WORD = re.compile(r"\w+")


class BadParameter(ValueError):
    """A query-string value a strict reader cannot use; the message says which and why."""


def _record(request, name: str) -> None:
    names = getattr(request, _READ_ATTRIBUTE, None)
    if names is None:
        names = set()
        setattr(request, _READ_ATTRIBUTE, names)
    names.add(name)


def names_read(request) -> frozenset[str]:
    """Every query-string name this request's view has read through this module."""
    return frozenset(getattr(request, _READ_ATTRIBUTE, ()))


def query_in_order(request) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """The whole query string with its names sorted (each name's values keep their order: a
    view reading a list reads them so). It is the address's identity, for a visitor's copy
    of a page (cms/page_cache.py), never a value a page shows or uses."""
    lists = sorted(request.GET.lists(), key=lambda item: item[0])
    return tuple((name, tuple(values)) for name, values in lists)


def names_given(request) -> frozenset[str]:
    """Every name in the query string, its values unread: for a strict reader (the open
    data feed) that refuses names it does not know rather than answering as if they were
    not there. Values are read through the functions below, so the tests see each one."""
    return frozenset(request.GET.keys())


def clean_text(value: str, *, max_length: int | None = TEXT_MAX_LENGTH) -> str:
    """``value`` without control characters (NUL, escapes; line breaks become spaces) and
    surrogates, trimmed and cut to ``max_length`` (None: not cut): safe to show, store or
    look up."""
    kept = []
    for char in value:
        category = unicodedata.category(char)
        if category == "Cc":
            if char in "\t\n\r":
                kept.append(" ")
        elif category != "Cs":
            kept.append(char)
    return "".join(kept).strip()[:max_length].strip()


def search_words(text: str) -> str:
    """The words of ``text`` (letters and digits in any script), space-separated: what every
    full-text search is given, so no quote, bracket or NUL reaches the search backend as
    syntax (SQLite's FTS5 and PostgreSQL's tsquery each refuse some)."""
    return " ".join(_WORD.findall(clean_text(text)))


def text_param(
    request,
    name: str,
    default: str = "",
    *,
    max_length: int = TEXT_MAX_LENGTH,
    strict: bool = False,
) -> str:
    """The text of parameter ``name`` (its last value), cleaned by ``clean_text``: cut to
    ``max_length``, or with ``strict`` refused (``BadParameter``) when longer."""
    _record(request, name)
    raw = request.GET.get(name)
    if raw is None:
        return default
    text = clean_text(raw, max_length=max_length + 1)
    if len(text) > max_length:
        if strict:
            raise BadParameter(f"'{name}' must be at most {max_length} characters.")
        text = text[:max_length].strip()
    return text or default


def _refuse_or(default, *, strict: bool, message: str):
    if strict:
        raise BadParameter(message)
    return default


def int_param(
    request,
    name: str,
    default: int,
    *,
    min_value: int = 1,
    max_value: int = PAGE_MAX,
    cap: bool = False,
    strict: bool = False,
) -> int:
    """The whole number in parameter ``name``, from ``min_value`` to ``max_value``.

    Digits of any script count ("١٢" is 12); anything else is unusable. Above
    ``max_value`` is taken as ``max_value`` when ``cap`` (a page size), else unusable.
    Unusable gives ``default``, or with ``strict`` a ``BadParameter``.
    """
    _record(request, name)
    raw = request.GET.get(name, "").strip()
    if not raw:
        return default
    message = f"'{name}' must be a whole number from {min_value} to {max_value}."
    if cap:
        message = f"'{name}' must be a whole number from {min_value} upwards."
    sign = -1 if raw.startswith("-") else 1
    digits = raw.removeprefix("-")
    if not digits.isdecimal():
        return _refuse_or(default, strict=strict, message=message)
    if len(digits.lstrip("0")) > _MAX_DIGITS:
        number = sign * 10**_MAX_DIGITS
    else:
        number = sign * int(digits)
    if number < min_value:
        return _refuse_or(default, strict=strict, message=message)
    if number > max_value:
        return max_value if cap else _refuse_or(default, strict=strict, message=message)
    return number


def choice_param(
    request, name: str, choices: Iterable[str], default: str = "", *, strict: bool = False
) -> str:
    """Parameter ``name`` if it is one of ``choices``; otherwise ``default`` (or, with
    ``strict``, a ``BadParameter``)."""
    _record(request, name)
    raw = request.GET.get(name)
    if raw is None or raw == "":
        return default
    allowed = list(choices)
    if raw in allowed:
        return raw
    return _refuse_or(
        default, strict=strict, message=f"'{name}' must be one of: {', '.join(allowed)}."
    )


def uuid_param(request, name: str, *, strict: bool = False) -> uuid.UUID | None:
    """The UUID in parameter ``name``, or None when absent or (without ``strict``) not one."""
    _record(request, name)
    raw = request.GET.get(name, "").strip()
    if not raw:
        return None
    try:
        return uuid.UUID(raw)
    except ValueError:
        return _refuse_or(None, strict=strict, message=f"'{name}' must be a UUID.")


def paginate(request, items, per_page: int, *, name: str = "page") -> Page:
    """One page of ``items`` for parameter ``name``: page 1 for anything that is not a page
    number, the last page for a number past the end."""
    number = int_param(request, name, 1, max_value=PAGE_MAX, cap=True)
    return Paginator(items, per_page).get_page(number)


def query_form(request, form_class, **form_kwargs):
    """A GET form (filters read from the address, so any search can be shared) bound to the
    query string's values for its own fields, without control characters (the form's own
    fields check lengths and choices). Fields whose values are not valid are left out, so
    the rest still apply.

    Returns ``(form, ignored)``: ``ignored`` says whether any values were left out, for a
    gentle message. Call ``form.cleaned_data`` for the values.
    """
    data = QueryDict(mutable=True)
    for name in form_class.base_fields:
        _record(request, name)
        values = [clean_text(value, max_length=None) for value in request.GET.getlist(name)]
        if any(values):
            data.setlist(name, [value for value in values if value])
    form = form_class(data, **form_kwargs)
    ignored = not form.is_valid()
    if ignored:
        for name in form.errors:
            data.pop(name, None)
        form = form_class(data, **form_kwargs)
        form.is_valid()
    return form, ignored
