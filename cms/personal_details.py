"""Spotting personal details typed into free text, so a person can be warned before saving
(peer workers' session notes) and a moderator can check before publishing (feedback).

It is a careful guess, not a guarantee: it errs towards flagging, because a flag costs a
moderator a glance and a missed name can identify someone.
"""

import re

EMAIL = "an email address"
PHONE = "a phone number"
NHS_NUMBER = "an NHS number"
POSTCODE = "a postcode"
NAME = "a name"

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
# UK numbers: 07700 900123, 0113 496 0000, +44 7700 900123, (0161) 496 0000...
_PHONE = re.compile(r"(?<!\d)(\+44\s?\(?0?\)?\s?|\(?0)(\d[\s\-)]{0,2}){9,10}(?!\d)")
_NHS_NUMBER = re.compile(r"(?<!\d)\d{3}[\s-]?\d{3}[\s-]?\d{4}(?!\d)")
_POSTCODE = re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}\b", re.IGNORECASE)
_TITLED = re.compile(r"\b(Mr|Mrs|Ms|Miss|Mx|Dr|Doctor|Nurse|Sister|Prof)\.?\s+[A-Z][a-z'-]+")
_INTRODUCED = re.compile(
    r"\b(my name is|i am called|i'm called|called|named|name's)\s+[A-Z][a-z'-]+", re.IGNORECASE
)
# Two capitalised words together inside a sentence ("saw Jane Smith today").
_FULL_NAME = re.compile(r"(?<=[a-z,;:]\s)([A-Z][a-z'-]+)\s+([A-Z][a-z'-]+)")

# Capitalised words that are not people: services, places, days and months.
_NOT_NAMES = {
    "nhs", "gp", "a&e", "mind", "samaritans", "monday", "tuesday", "wednesday", "thursday",
    "friday", "saturday", "sunday", "january", "february", "march", "april", "may", "june",
    "july", "august", "september", "october", "november", "december", "crisis", "cafe",
    "café", "council", "trust", "team", "centre", "hospital", "ward", "road", "street",
    "citizens", "advice", "health", "mental", "support", "service", "services", "peer",
    "house", "light", "universal", "credit", "the", "christmas", "easter", "english",
    "british", "sign", "language",
}  # fmt: skip


def personal_details_in(text: str) -> list[str]:
    """The kinds of personal detail that seem to be in ``text``, in a fixed order."""
    if not text:
        return []
    found = []
    if _EMAIL.search(text):
        found.append(EMAIL)
    without_emails = _EMAIL.sub(" ", text)
    if _PHONE.search(without_emails):
        found.append(PHONE)
    elif _NHS_NUMBER.search(without_emails):
        found.append(NHS_NUMBER)
    if _POSTCODE.search(without_emails):
        found.append(POSTCODE)
    if _TITLED.search(text) or _INTRODUCED.search(text) or _has_full_name(text):
        found.append(NAME)
    return found


def _has_full_name(text: str) -> bool:
    for first, last in _FULL_NAME.findall(text):
        if first.lower() not in _NOT_NAMES and last.lower() not in _NOT_NAMES:
            return True
    return False


def is_uk_phone_number(text: str) -> bool:
    """True when ``text`` is one UK phone number and nothing else: the pattern that spots a
    number in free text, used whole for a field that holds a number."""
    return bool(_PHONE.fullmatch(text.strip()))
