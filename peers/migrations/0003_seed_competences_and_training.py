"""Start the pathway with what each level asks for: competences drawn from the domains of
The Competence Framework for Mental Health Peer Support Workers (Health Education England,
2020) and the training courses each level needs. Each competence and course names the
level that first requires it; HR can change them afterwards."""

from django.db import migrations

# (domain, title, description, level slug)
COMPETENCES = [
    # Before becoming a peer support worker.
    (
        "values",
        "Works to the values and principles of peer support",
        "Mutuality, reciprocity and respect; support that is recovery-focused, "
        "strengths-based and non-directive.",
        "peer-support-worker",
    ),
    (
        "relational",
        "Draws on and shares lived experience safely and with purpose",
        "Chooses what to share, when and why, so that sharing helps the other person.",
        "peer-support-worker",
    ),
    (
        "relational",
        "Builds a mutual and reciprocal peer relationship",
        "Develops equal, trusting relationships and ends them well.",
        "peer-support-worker",
    ),
    (
        "knowledge",
        "Works with confidentiality, consent and information sharing",
        "Knows what can be kept private, what must be shared, and explains this clearly.",
        "peer-support-worker",
    ),
    (
        "knowledge",
        "Knows safeguarding procedures and when to raise a concern",
        "Recognises signs of abuse or neglect and follows the local procedure without delay.",
        "peer-support-worker",
    ),
    (
        "self_care",
        "Uses supervision and looks after their own wellbeing",
        "Brings their practice to supervision and has a plan for staying well at work.",
        "peer-support-worker",
    ),
    # Before becoming a senior peer support worker.
    (
        "supporting",
        "Supports people in their personal recovery",
        "Helps people set and work towards their own goals, including recovery and "
        "wellbeing plans they own.",
        "senior-peer-support-worker",
    ),
    (
        "supporting",
        "Helps people connect with activities and communities that matter to them",
        "Acts as a connector to groups, services and opportunities beyond mental health care.",
        "senior-peer-support-worker",
    ),
    (
        "relational",
        "Works with difference",
        "Respects each person's culture, identity and background, and adapts their support.",
        "senior-peer-support-worker",
    ),
    (
        "relational",
        "Engages and supports families and carers",
        "Includes the people who matter to the person, with the person's agreement.",
        "senior-peer-support-worker",
    ),
    (
        "knowledge",
        "Knows about self-harm and suicide prevention and helps keep people safe",
        "Talks openly about suicide, shares safety plans and knows when to get help.",
        "senior-peer-support-worker",
    ),
    # Before becoming a peer lead.
    (
        "teams_rights",
        "Works as part of a team while keeping the peer perspective",
        "Contributes to team decisions and explains the peer role to colleagues.",
        "peer-lead",
    ),
    (
        "teams_rights",
        "Promotes people's rights and challenges stigma and discrimination",
        "Speaks up for people's rights and helps them be heard in decisions about their care.",
        "peer-lead",
    ),
    (
        "optional",
        "Uses psychological approaches to support personal recovery",
        "For example, motivational or solution-focused conversations, within the peer role.",
        "peer-lead",
    ),
    (
        "meta",
        "Adapts peer support to each person and situation",
        "Uses judgement about when and how to offer support, and about the limits of the role.",
        "peer-lead",
    ),
    (
        "meta",
        "Reflects on practice and supports other peers to reflect",
        "Leads reflective practice and helps newer peers learn from their work.",
        "peer-lead",
    ),
    # Before becoming a lived experience practitioner.
    (
        "organisational",
        "Co-produces the recruitment, induction and support of peer workers",
        "Helps design job roles, sits on interview panels and shapes induction and supervision.",
        "lived-experience-practitioner",
    ),
    (
        "organisational",
        "Helps the organisation establish and sustain peer roles in teams",
        "Works with managers so that teams understand, value and support peer roles.",
        "lived-experience-practitioner",
    ),
    (
        "teams_rights",
        "Co-produces service design and evaluation with people who use services",
        "Brings lived experience into planning, delivering and evaluating services.",
        "lived-experience-practitioner",
    ),
    (
        "meta",
        "Leads and develops lived experience practice",
        "Shapes training, strategy and practice across the partnership.",
        "lived-experience-practitioner",
    ),
]

# (title, provider, description, hours, valid for months, level slug)
TRAINING = [
    (
        "Peer support worker foundation course",
        "Recovery college",
        "Covers the national peer support worker curriculum: values, knowledge and core "
        "relational skills.",
        "36",
        None,
        "peer-support-worker",
    ),
    (
        "Safeguarding adults and children level 2",
        "Employer e-learning",
        "Recognising and reporting abuse and neglect.",
        "3.5",
        36,
        "peer-support-worker",
    ),
    (
        "Data security awareness",
        "NHS e-Learning for Healthcare",
        "Keeping personal information safe; the yearly information governance refresher.",
        "1.5",
        12,
        "peer-support-worker",
    ),
    (
        "Suicide prevention awareness",
        "Zero Suicide Alliance",
        "Talking about suicide and helping someone stay safe.",
        "1",
        36,
        "peer-support-worker",
    ),
    (
        "Mental Health First Aid",
        "MHFA England",
        "Two-day course in spotting and responding to a mental health crisis.",
        "14",
        36,
        "senior-peer-support-worker",
    ),
    (
        "Trauma-informed practice",
        "Recovery college",
        "Working in ways that recognise trauma and avoid re-traumatising people.",
        "7",
        None,
        "senior-peer-support-worker",
    ),
    (
        "Wellness Recovery Action Plan (WRAP) facilitator",
        "Copeland Center",
        "Facilitating WRAP groups, so people can write their own recovery plans.",
        "35",
        None,
        "senior-peer-support-worker",
    ),
    (
        "Safeguarding adults level 3",
        "Local safeguarding adults board",
        "Leading on safeguarding concerns and supporting colleagues who raise them.",
        "8",
        36,
        "peer-lead",
    ),
    (
        "Reflective practice and peer supervision",
        "Recovery college",
        "Facilitating reflective practice groups and peer supervision.",
        "14",
        None,
        "peer-lead",
    ),
    (
        "Values-based recruitment and interviewing",
        "Employer learning and development",
        "Sitting on interview panels and making fair, inclusive decisions.",
        "6",
        None,
        "peer-lead",
    ),
    (
        "Co-production in practice",
        "Partnership learning network",
        "Planning and running co-produced projects with people who use services.",
        "12",
        None,
        "lived-experience-practitioner",
    ),
    (
        "Lived experience leadership programme",
        "Partnership learning network",
        "Leading lived experience practice across organisations.",
        "30",
        None,
        "lived-experience-practitioner",
    ),
]


def seed(apps, schema_editor):
    Level = apps.get_model("peers", "Level")
    Competence = apps.get_model("peers", "Competence")
    Training = apps.get_model("peers", "Training")
    levels = {level.slug: level for level in Level.objects.all()}
    for order, (domain, title, description, slug) in enumerate(COMPETENCES, start=1):
        competence, created = Competence.objects.get_or_create(
            title=title,
            defaults={"domain": domain, "description": description, "order": order * 10},
        )
        if created and slug in levels:
            competence.levels.add(levels[slug])
    for order, (title, provider, description, hours, months, slug) in enumerate(TRAINING, start=1):
        training, created = Training.objects.get_or_create(
            title=title,
            defaults={
                "provider": provider,
                "description": description,
                "hours": hours,
                "valid_for_months": months,
                "order": order * 10,
            },
        )
        if created and slug in levels:
            training.levels.add(levels[slug])


def unseed(apps, schema_editor):
    """Remove the seeded rows nobody has used; evidence and records keep theirs."""
    Competence = apps.get_model("peers", "Competence")
    Training = apps.get_model("peers", "Training")
    Competence.objects.filter(
        title__in=[row[1] for row in COMPETENCES],
        evidence__isnull=True,
        sign_offs__isnull=True,
    ).delete()
    Training.objects.filter(title__in=[row[0] for row in TRAINING], records__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("peers", "0002_seed_pathway_levels")]

    operations = [migrations.RunPython(seed, unseed)]
