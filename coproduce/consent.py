"""What people are asked to agree to, word for word, with a version for each wording.

A consent record keeps the version and the exact words a person agreed to. When the wording
changes, bump its version: earlier agreements stay on record but no longer count as consent
to the new wording, so people are asked again.

Access needs and the answers about lived experience and communities are special-category
details: each has its own agreement, and withdrawing it deletes what it covered.
"""

from dataclasses import dataclass

from django.db import models


class ConsentPurpose(models.TextChoices):
    INVOLVEMENT = "involvement", "Keeping my details to involve me"
    ACCESS_NEEDS = "access_needs", "Keeping my access needs so panels can arrange them"
    EQUALITY = "equality", "Using my lived experience and communities in anonymous totals"


@dataclass(frozen=True)
class Statement:
    purpose: ConsentPurpose
    version: str
    text: str


STATEMENTS = {
    ConsentPurpose.INVOLVEMENT: Statement(
        purpose=ConsentPurpose.INVOLVEMENT,
        version="2026-11",
        text=(
            "I agree that the partnership keeps my involvement profile and uses it to invite "
            "me to panels, arrange my access needs and pay me. Only the people running panels "
            "I apply to can see it. I can withdraw at any time."
        ),
    ),
    ConsentPurpose.ACCESS_NEEDS: Statement(
        purpose=ConsentPurpose.ACCESS_NEEDS,
        version="2026-12",
        text=(
            "I agree that the partnership keeps my access needs so the people running panels "
            "I join can arrange them. Only they see them. If I withdraw, they are deleted."
        ),
    ),
    ConsentPurpose.EQUALITY: Statement(
        purpose=ConsentPurpose.EQUALITY,
        version="2026-11",
        text=(
            "I agree that my answers about lived experience and communities are used only to "
            "count, in anonymous totals, who panels include. Nobody sees my own answers, and "
            "totals of fewer than 5 people are never shown. If I withdraw, my answers are "
            "deleted."
        ),
    ),
}


def current_statement(purpose: str) -> Statement:
    return STATEMENTS[ConsentPurpose(purpose)]
