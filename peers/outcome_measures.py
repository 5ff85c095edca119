"""The outcome measures peer workers score sessions with, said once: what each one is, its
range, which way is better and how many points a person's score must rise to count as
having improved, with where that rule comes from.

The offer page's method, the figures form's help and the calculation all read this, so the
rule a page states is always the rule it used. Higher is better on all three: ReQoL-10
scores quality of life (0 to 40), SWEMWBS mental wellbeing (7 to 35) and a goal-based
outcome how close someone feels to their own goal (0 to 10).
"""

from dataclasses import dataclass

from .models.sessions import OUTCOME_RANGES, OutcomeMeasure


@dataclass(frozen=True)
class MeasureRule:
    """One outcome measure in words, with its range and its improvement rule."""

    measure: str
    name: str
    in_a_sentence: str
    what: str
    lowest: int
    highest: int
    improved_by: int
    why_that_rule: str

    @property
    def improved_in_words(self) -> str:
        """Like "improved by 3 points or more"."""
        return f"improved by {self.improved_by} points or more"

    @property
    def range_in_words(self) -> str:
        return f"from {self.lowest} to {self.highest}"


def _rule(measure, *, name, what, improved_by, why_that_rule, in_a_sentence="") -> MeasureRule:
    lowest, highest = OUTCOME_RANGES[measure]
    return MeasureRule(
        measure=measure,
        name=name,
        in_a_sentence=in_a_sentence or name,
        what=what,
        lowest=lowest,
        highest=highest,
        improved_by=improved_by,
        why_that_rule=why_that_rule,
    )


RULES: dict[str, MeasureRule] = {
    OutcomeMeasure.REQOL10: _rule(
        OutcomeMeasure.REQOL10,
        name="ReQoL-10",
        what="ReQoL-10 (Recovering Quality of Life) asks 10 questions about how someone's "
        "life has been over the last week. Scores go from 0 to 40: a higher score means a "
        "better quality of life.",
        improved_by=5,
        why_that_rule="A rise of 5 points or more is the change the ReQoL user manual "
        "(Keetharuth and others, University of Sheffield, 2018) treats as reliable: more "
        "than the measure's own variation.",
    ),
    OutcomeMeasure.SWEMWBS: _rule(
        OutcomeMeasure.SWEMWBS,
        name="SWEMWBS",
        what="SWEMWBS (the Short Warwick-Edinburgh Mental Wellbeing Scale) asks 7 questions "
        "about thoughts and feelings over the last two weeks. Scores go from 7 to 35: a "
        "higher score means better mental wellbeing.",
        improved_by=3,
        why_that_rule="A rise of 3 points or more is the meaningful change for one person "
        "that Warwick Medical School's guidance on using the scale commonly uses.",
    ),
    OutcomeMeasure.GOAL: _rule(
        OutcomeMeasure.GOAL,
        name="Goal-based outcome",
        in_a_sentence="a goal-based outcome",
        what="A goal-based outcome is a goal the person chose themselves, scored from 0 to "
        "10 for how close they feel to it: a higher score means closer to the goal.",
        improved_by=3,
        why_that_rule="A rise of 3 points or more is the reliable change for goal-based "
        "outcomes used by the Child Outcomes Research Consortium (CORC), whose analysis put "
        "it at 2.45 points.",
    ),
}

# The measures in the order pages list them.
MEASURES = tuple(RULES)
MEASURE_CHOICES = [(measure, RULES[measure].name) for measure in MEASURES]


def rule_for(measure: str) -> MeasureRule:
    return RULES[measure]


def improvement_rules_in_words() -> str:
    """Like "5 points on ReQoL-10, 3 on SWEMWBS and 3 on a goal-based outcome": help text."""
    first, *rest = RULES.values()
    parts = [f"{first.improved_by} points on {first.in_a_sentence}"]
    parts += [f"{rule.improved_by} on {rule.in_a_sentence}" for rule in rest]
    return f"{', '.join(parts[:-1])} and {parts[-1]}"
