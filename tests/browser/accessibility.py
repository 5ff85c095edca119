"""The one standard of accessibility every browser journey is held to, and the findings
accepted against it with their reasons.

axe-core runs with every WCAG 2.0, 2.1 and 2.2 A and AA rule and its best practices, and
every impact counts (minor and moderate too). ``tests/browser/conftest.py``'s ``axe_check``
(every journey's pages) and the every-role walk both use ``AXE_OPTIONS`` and ``ACCEPTED``
from here, so a finding accepted once is accepted everywhere, with one reason.
"""

import re
from dataclasses import dataclass, field
from urllib.parse import unquote, urlsplit

from django.urls import Resolver404, resolve

ADMIN = "/admin/"

# Every rule axe-core has for WCAG 2.0, 2.1 and 2.2 A and AA, and its best practices.
AXE_OPTIONS = {
    "resultTypes": ["violations"],
    "runOnly": {
        "type": "tag",
        "values": [
            "wcag2a",
            "wcag2aa",
            "wcag21a",
            "wcag21aa",
            "wcag22aa",
            "best-practice",
        ],
    },
}


@dataclass(frozen=True)
class Finding:
    tool: str  # "axe" or "vnu"
    rule: str  # axe's rule id, or the HTML checker's message
    url_name: str
    path: str = field(compare=False)
    detail: str = field(compare=False)

    def __str__(self) -> str:
        return f"{self.tool} {self.rule!r} on {self.url_name} ({self.path}): {self.detail}"


@dataclass(frozen=True)
class Known:
    """A finding that is expected. ``rule`` is an axe rule id, or a regular expression for
    the start of the HTML checker's message; ``url_names`` are the pages it is expected on
    (none: any page), ``path`` a regular expression their address starts with and
    ``context`` one found in the markup or element it is about."""

    tool: str
    rule: str
    reason: str
    url_names: tuple[str, ...] = ()
    path: str = ""
    context: str = ""  # a regular expression found in the finding's markup or target

    def matches(self, finding: Finding) -> bool:
        if finding.tool != self.tool or not re.match(self.path, finding.path):
            return False
        if not re.search(self.context, finding.detail):
            return False
        if self.url_names and finding.url_name not in self.url_names:
            return False
        if self.tool == "axe":
            return finding.rule == self.rule
        return re.match(self.rule, finding.rule) is not None


# Findings accepted, each with why: false positives, and faults in markup this project does
# not own (Wagtail 8's admin, which we use as it is and do not patch). Keep it short.
ACCEPTED: list[Known] = [
    Known(
        "vnu",
        r"Bad value “text” for attribute “role” on element “span”\.",
        "NHS.UK frontend's markup for care card and warning callout headings: the span makes "
        'VoiceOver read the hidden prefix ("Important: ") and the heading as one. axe '
        "knows the role (its aria-text rule checks it); the HTML checker does not.",
    ),
    Known(
        "vnu",
        r"The “(table|rowgroup|row|columnheader|rowheader|cell)” role is unnecessary for "
        r"element “(table|thead|tbody|tr|th|td)”\.",
        "NHS.UK frontend's responsive table names each part's role on purpose: on small "
        "screens its CSS lays the table out as blocks, which takes the table's meaning away "
        "in some browsers unless the roles are written out.",
    ),
    Known(
        "vnu",
        r"The “role” attribute must not be used on a “(tr|th|td)” element which has a "
        r"“table” ancestor",
        "The same responsive table: the checker also objects to the rows' and cells' roles "
        "once the table has one.",
    ),
    Known(
        "vnu",
        r"The “inputmode” attribute is not supported in all browsers\.",
        "A note, not a fault: inputmode only chooses the phone keyboard (numbers for amounts), "
        "as the NHS and GOV.UK design systems advise; browsers without it show the usual one.",
    ),
    # Wagtail 8's own admin markup, on every admin page or its shared components.
    Known(
        "vnu",
        r"Attribute “colspan” not allowed on element “tr”",
        "Wagtail's keyboard shortcuts dialog puts colspan on its category rows.",
        path=ADMIN,
        context="w-keyboard-shortcuts__category",
    ),
    Known(
        "vnu",
        r"A table row was 1 columns wide, which is less than the column count established",
        "The same rows of Wagtail's keyboard shortcuts dialog (four on every admin page).",
        path=ADMIN,
    ),
    Known(
        "vnu",
        r"Element “div” not allowed as child of element “button”",
        "Wagtail's dropdown toggles and side panel toggles put a div in their button.",
        path=ADMIN,
        context=r"w-flex w-items-center w-gap-2|w-side-panel-toggle__counter",
    ),
    Known(
        "vnu",
        r"Attribute “type” not allowed on element “div”",
        "Wagtail's dropdown component gives its wrapper div a type.",
        path=ADMIN,
        context='data-controller="w-dropdown"',
    ),
    Known(
        "vnu",
        r"Bad value “[^”]+” for attribute “datetime” on element “time”: A fraction of a "
        r"second must be one, two, or three digits",
        "Wagtail writes admin dates with Django's ISO format, microseconds included.",
        path=ADMIN,
    ),
    Known(
        "vnu",
        r"Bad value “alert” for attribute “role” on element “h2”",
        "Wagtail's listings announce their number of matches with an h2 that is an alert.",
        path=ADMIN,
    ),
    Known(
        "axe",
        "aria-allowed-role",
        "The same heading of Wagtail's listings.",
        path=ADMIN,
        context=r'h2\[role="alert"\]',
    ),
    Known(
        "vnu",
        r"Character reference was not terminated by a semicolon",
        "Wagtail's collection filter indents child collections with an unterminated &#x21b3.",
        path=ADMIN,
        context="&#x21b3",
    ),
    Known(
        "vnu",
        r"Element “div” not allowed as child of element “label”",
        "Wagtail's side panel resize grip is a div inside a label.",
        path=ADMIN,
        context="form-side__resize-grip-icon",
    ),
    Known(
        "vnu",
        r"Possible misuse of “aria-label”",
        "Wagtail labels its bulk-action header cell and the minimap's error count so.",
        path=ADMIN,
        context="bulk-actions-filter-checkbox|w-minimap-item__errors",
    ),
    Known(
        "vnu",
        r"Section lacks heading",
        "Wagtail's page editor tabs and settings panels are sections without headings.",
        path=ADMIN,
        context="w-tabs__panel|w-panel",
    ),
    Known(
        "vnu",
        r"Text not allowed in element “iframe”",
        "Wagtail's preview panel puts fallback markup inside its iframe.",
        path=ADMIN,
    ),
    Known(
        "vnu",
        r"The “aria-describedby” attribute must point to an element in the same document",
        "Django 5.2 points a field with errors at <id>_error; Wagtail's field template shows "
        "the errors under its own id. (Wagtail also points bulk-action boxes at row titles "
        "it does not render.)",
        path=ADMIN,
        context=r'aria-describedby="(id_\w+_error|user_\d+_title)"',
    ),
    Known(
        "vnu",
        r"The “width” attribute on the “col” element is obsolete",
        "Wagtail's page and user listings size their columns so.",
        path=ADMIN,
    ),
    Known(
        "vnu",
        r"The “aria-labelledby” attribute must point to an element in the same document",
        "Wagtail's dashboard summary points at a header-title id its home page does not give.",
        url_names=("wagtailadmin_home",),
        context='aria-labelledby="header-title"',
    ),
]


def url_name_of(path: str) -> str:
    """The URL name of ``path`` (``peers:session_log``), as the owners of the code know it;
    "" for an address the site does not name."""
    try:
        return resolve(unquote(urlsplit(path).path)).view_name
    except Resolver404:
        return ""


def axe_findings(page, *, url_name: str, path: str) -> list[Finding]:
    """Every violation axe-core finds on ``page`` at the standard above."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, options=AXE_OPTIONS)
    return [
        Finding(
            "axe",
            violation["id"],
            url_name,
            path,
            f"({violation['impact']}) {violation['help']} at "
            + "; ".join(", ".join(map(str, node["target"])) for node in violation["nodes"]),
        )
        for violation in results.response["violations"]
    ]


def not_accepted(findings: list[Finding]) -> list[Finding]:
    return [f for f in findings if not any(known.matches(f) for known in ACCEPTED)]
