"""The default charter: six commitments, each with measures to start from. Organisations
copy it (``services.charter_create_from_template``) and then make it their own."""

from dataclasses import dataclass


@dataclass(frozen=True)
class TemplateMeasure:
    name: str
    unit: str
    better: str = "higher"
    frequency: str = "quarterly"
    calculation: str = ""  # empty: entered by HR


@dataclass(frozen=True)
class TemplateCommitment:
    title: str
    description: str
    measures: tuple[TemplateMeasure, ...]


DEFAULT_TITLE = "Lived Experience Charter"

DEFAULT_COMMITMENTS = (
    TemplateCommitment(
        "Open and inclusive recruitment of people with lived experience",
        "We advertise peer roles where people with lived experience will see them, make "
        "reasonable adjustments at every step, and have a person with lived experience on "
        "every interview panel.",
        (
            TemplateMeasure(
                "Peer roles filled by people with lived experience",
                "percent",
                calculation="roles_filled_by_lived_experience",
            ),
            TemplateMeasure(
                "Interviews with a lived-experience panel member",
                "percent",
                calculation="interviews_with_lived_experience",
            ),
            TemplateMeasure(
                "Time to hire (median days)",
                "days",
                better="lower",
                calculation="time_to_hire_days",
            ),
        ),
    ),
    TemplateCommitment(
        "Awareness of the benefits of, and barriers to, employing people with lived experience",
        "Managers and teams understand what lived experience brings, and what gets in its way.",
        (TemplateMeasure("Managers trained in employing people with lived experience", "count"),),
    ),
    TemplateCommitment(
        "Support from the start of the employment journey",
        "Induction, regular supervision and wellbeing support from the first day.",
        (
            TemplateMeasure(
                "Peer workers supervised on time", "percent", calculation="supervision_compliance"
            ),
            TemplateMeasure(
                "Peer workers still in post after 12 months",
                "percent",
                calculation="twelve_month_retention",
            ),
        ),
    ),
    TemplateCommitment(
        "Clear progression pathways",
        "Peer workers can see how to progress, and are supported to do so.",
        (
            TemplateMeasure(
                "Progressions (peer workers)",
                "count",
                frequency="annually",
                calculation="progressions",
            ),
        ),
    ),
    TemplateCommitment(
        "A workplace free from discrimination, unconscious bias and prejudice",
        "People with lived experience are treated fairly and feel safe to be open.",
        (
            TemplateMeasure(
                "Staff with lived experience who feel able to be open at work",
                "percent",
                frequency="annually",
            ),
        ),
    ),
    TemplateCommitment(
        "Sharing good practice and co-producing services",
        "We pay people for their involvement promptly, answer what they tell us, and "
        "co-produce changes with them.",
        (
            TemplateMeasure(
                "Panel members paid within 30 days",
                "percent",
                calculation="panel_members_paid_within_30_days",
            ),
            TemplateMeasure(
                "Feedback answered within 20 working days",
                "percent",
                calculation="feedback_answered_within_20_working_days",
            ),
            TemplateMeasure(
                "Service changes co-produced at co-design level or higher",
                "percent",
                calculation="changes_coproduced_at_co_design_or_higher",
            ),
        ),
    ),
)
