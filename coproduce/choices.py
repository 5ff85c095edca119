"""The fixed lists people choose from when they describe how they want to be involved.

They are code, not editable taxonomies, because consent statements, aggregate reports and
access bookings all depend on their meaning staying the same.
"""

from django.db import models


class AccessNeed(models.TextChoices):
    BSL = "bsl", "A British Sign Language (BSL) interpreter"
    EASY_READ = "easy_read", "Easy read papers"
    LARGE_PRINT = "large_print", "Large print papers"
    STEP_FREE = "step_free", "Step-free access"
    QUIET_SPACE = "quiet_space", "A quiet space to take a break"
    LANGUAGE = "language", "A spoken language interpreter"
    TRAVEL = "travel", "Help with travel"
    OTHER = "other", "Something else"


class ContactPreference(models.TextChoices):
    EMAIL = "email", "Email"
    PHONE = "phone", "Phone call"
    TEXT = "text", "Text message"
    POST = "post", "Letter"


class PaymentChoice(models.TextChoices):
    PAID = "paid", "Paid by bank transfer"
    VOUCHER = "voucher", "Shopping vouchers"
    NOT_PAID = "not_paid", "Not paid for my time (expenses only)"


# How each choice is paid, in the words remittances and finance's pages use.
PAYMENT_METHODS = {
    PaymentChoice.PAID: "Bank transfer",
    PaymentChoice.VOUCHER: "Shopping vouchers",
    PaymentChoice.NOT_PAID: "Bank transfer (expenses only: you chose not to be paid for your time)",
}


class LivedExperience(models.TextChoices):
    """Areas of lived experience, asked only with consent and used only in totals."""

    ANXIETY_DEPRESSION = "anxiety_depression", "Anxiety or depression"
    PSYCHOSIS = "psychosis", "Psychosis or bipolar"
    EATING = "eating", "Eating disorders"
    PERSONALITY = "personality", "A personality disorder diagnosis"
    SELF_HARM = "self_harm", "Self-harm or suicidal feelings"
    SUBSTANCES = "substances", "Drugs or alcohol"
    TRAUMA = "trauma", "Trauma"
    NEURODIVERGENCE = "neurodivergence", "Autism, ADHD or another neurodivergence"
    CRISIS_CARE = "crisis_care", "Crisis or inpatient care"
    CARER = "carer", "Caring for someone"


class Community(models.TextChoices):
    """Communities of identity, asked only with consent and used only in totals."""

    BLACK = "black", "Black, African or Caribbean"
    ASIAN = "asian", "Asian or Asian British"
    MIXED = "mixed", "Mixed or multiple ethnic groups"
    LGBTQ = "lgbtq", "LGBTQ+"
    DISABLED = "disabled", "Disabled people"
    YOUNG = "young", "Young people (under 25)"
    OLDER = "older", "Older people (over 65)"
    FAITH = "faith", "A faith community"
    REFUGEE = "refugee", "Refugees and people seeking asylum"
    RURAL = "rural", "Rural communities"
    VETERANS = "veterans", "Armed forces veterans"


class CoproductionLevel(models.IntegerChoices):
    """Think Local Act Personal's ladder of co-production, lowest rung first, so that
    "co-design or higher" is a simple comparison."""

    COERCION = 1, "Coercion"
    EDUCATING = 2, "Educating"
    INFORMING = 3, "Informing"
    CONSULTATION = 4, "Consultation"
    ENGAGEMENT = 5, "Engagement"
    CO_DESIGN = 6, "Co-design"
    CO_PRODUCTION = 7, "Co-production"


def labels(choices: type[models.Choices], values) -> list[str]:
    """The labels of ``values`` in the order the choices are declared, unknown ones dropped."""
    wanted = set(values or [])
    return [label for value, label in choices.choices if value in wanted]
