"""The "What changed for people who used this" section of every offer page, added through the
shell's ``construct_offer_page_sections`` hook (the shell does not import peer work).

For the period the reader chooses (the last 12 months unless they choose a year or a
quarter), it says per outcome measure how many people filled it in at least twice and how
many of them improved, worked out from session logs and from figures partners entered,
with the method in words. Counts from 1 to 4 read "fewer than 5", and nothing is broken
down from fewer than 5 people (``cms.disclosure``). An offer with no outcome data at all
shows nothing. At most three queries, however many sessions and people.
"""

from django.template.loader import render_to_string

from cms.disclosure import (
    FEWER_THAN,
    SHARE_NOT_SHOWN,
    count_shown,
    enough_to_break_down,
    total_shown,
)
from cms.params import choice_param

from .outcome_measures import RULES
from .selectors import offer_outcomes as selectors

# The address's name for the period chosen, as in ``?outcomes=2026``.
PERIOD_PARAM = "outcomes"


def _sentence_start(words: str) -> str:
    return words[:1].upper() + words[1:]


def _average(value) -> str:
    return "-" if value is None else f"{value}"


def _said(*, people: int, improved: int, rule, between: str) -> list[str]:
    """The sentences about one measure's figures: how many people, and how many improved
    when enough people are counted to say."""
    said = [
        f"{_sentence_start(total_shown(people))} {'person' if people == 1 else 'people'} "
        f"filled in {rule.in_a_sentence} at least twice {between}."
    ]
    if not enough_to_break_down(people):
        said.append(
            f"We do not say how many of them improved when {FEWER_THAN} people are counted, "
            "so that nobody can be recognised."
        )
    elif improved == 0:
        said.append(f"None of them {rule.improved_in_words}.")
    else:
        said.append(f"{_sentence_start(count_shown(improved))} of them {rule.improved_in_words}.")
    return said


def _broken_down(people: int, *values) -> list[str]:
    """Counts of people and averages as they may be shown beside ``people``: all held back
    when fewer than 5 people are counted."""
    if not enough_to_break_down(people):
        return [SHARE_NOT_SHOWN] * len(values)
    return [_average(value) if kind == "average" else count_shown(value) for kind, value in values]


def _computed(outcome, period) -> dict:
    rule = outcome.rule
    improved, same, worse, first, latest = _broken_down(
        outcome.people,
        ("count", outcome.improved),
        ("count", outcome.same),
        ("count", outcome.worse),
        ("average", outcome.average_first),
        ("average", outcome.average_latest),
    )
    return {
        "rule": rule,
        "said": _said(
            people=outcome.people,
            improved=outcome.improved,
            rule=rule,
            between=selectors.between_in_words(period.start, period.end),
        ),
        "people": total_shown(outcome.people),
        "people_counted": outcome.people,
        "improved": improved,
        "same": same,
        "worse": worse,
        "average_first": first,
        "average_latest": latest,
    }


def _entered(figures) -> dict:
    rule = RULES[figures.measure]
    improved, first, latest = _broken_down(
        figures.people,
        ("count", figures.improved),
        ("average", figures.average_first),
        ("average", figures.average_latest),
    )
    return {
        "rule": rule,
        "said": _said(
            people=figures.people,
            improved=figures.improved,
            rule=rule,
            between=selectors.between_in_words(figures.period_start, figures.period_end),
        ),
        "period": selectors.dates_in_words(figures.period_start, figures.period_end),
        "people": total_shown(figures.people),
        "improved": improved,
        "average_first": first,
        "average_latest": latest,
        "source": figures.source,
    }


def outcomes_section(request, offer) -> str:
    if not selectors.offer_has_outcomes(offer):
        return ""
    offered = selectors.periods_offered()
    key = choice_param(
        request, PERIOD_PARAM, [period.key for period in offered], default=offered[0].key
    )
    period = next(period for period in offered if period.key == key)
    computed = [
        _computed(outcome, period)
        for outcome in selectors.offer_outcomes(offer, period.start, period.end)
    ]
    entered = [
        _entered(figures)
        for figures in selectors.figures_for_period(offer, period.start, period.end)
    ]
    return render_to_string(
        "peers/outcomes/offer_section.html",
        {
            "offer": offer,
            "period": period,
            "period_words": selectors.dates_in_words(period.start, period.end),
            "periods": offered,
            "period_param": PERIOD_PARAM,
            "computed": computed,
            # A table of nothing but "not shown" says nothing the sentences do not.
            "computed_table": any(
                enough_to_break_down(outcome["people_counted"]) for outcome in computed
            ),
            "entered": entered,
            "rules": list(RULES.values()),
            "fewer_than": FEWER_THAN,
        },
        request=request,
    )


def add_outcomes_section(request, offer, sections):
    section = outcomes_section(request, offer)
    if section:
        sections.append(section)
