"""One way to say no, and why.

A permission rule (``cms.permissions.register``) answers with a ``Decision``: ``ALLOWED``, or
``refuse("the reason, in plain words")``. A rule that only knows yes or no may still return a
bool; it is then refused with ``NOT_ALLOWED``. Because the reason comes from the same function
as the decision, the message a person reads can never disagree with what the site decided.

Services call ``cms.permissions.require``, which raises ``Refused`` carrying that reason; views
that checked first show the same words. Every app raises this one ``Refused`` for anything a
person may not do or must correct, optionally naming the form ``field`` it belongs beside.
``Refused`` is a ``PermissionDenied``, so one that no view catches is a plain 403, never an
error page.
"""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied

NOT_ALLOWED = "You do not have permission to do this."


class Refused(PermissionDenied):
    """Something a person may not do (or must correct first), with a plain-English
    ``message`` for them and, where it is about one detail, the form ``field`` it belongs
    beside."""

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


@dataclass(frozen=True)
class Decision:
    """A rule's answer: allowed when ``reason`` is None, refused with ``reason`` otherwise.
    It is truthy when allowed, so ``if can(...)`` and ``if rule(user, obj)`` read as before."""

    reason: str | None = None

    @property
    def allowed(self) -> bool:
        return self.reason is None

    def __bool__(self) -> bool:
        return self.allowed


ALLOWED = Decision()


def refuse(reason: str) -> Decision:
    """A refusal that says why."""
    return Decision(reason or NOT_ALLOWED)


def decision(answer) -> Decision:
    """A rule's answer as a Decision: a bool becomes ``ALLOWED`` or ``NOT_ALLOWED``."""
    if isinstance(answer, Decision):
        return answer
    return ALLOWED if answer else Decision(NOT_ALLOWED)
