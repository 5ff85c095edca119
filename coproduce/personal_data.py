"""The personal data co-production holds: involvement profiles and what people agreed to,
panel applications, attendance, claims for payment, feedback and the updates sent about
it. See ``cms.data_registry``."""

from django.db.models import Q

from cms.data_registry import (
    Basis,
    Condition,
    DataClass,
    Fate,
    PersonalData,
    Retention,
    register,
    register_staff_links,
)

from .choices import AccessNeed, Community, LivedExperience
from .models import (
    AccessArrangement,
    Attendance,
    ConsentRecord,
    ContactTask,
    Conversation,
    ConversationMessage,
    Expense,
    Feedback,
    InvolvementClaim,
    InvolvementProfile,
    MeetingReply,
    Panel,
    PanelApplication,
    PanelMemberSignOff,
    PayeeDetails,
    PaymentPolicy,
    PaymentRun,
    ServiceChangeNotice,
)

WHILE_INVOLVED = Retention(
    reason=(
        "Kept while you take part. It is deleted when you close your account, or when "
        "nobody has signed in to it for 3 years."
    )
)
PAYMENT_YEARS = 6
PAYMENT_REASON = (
    "HM Revenue and Customs expects records of payments to be kept for 6 years, so any "
    "question about tax or benefits can be answered."
)

register(
    PersonalData(
        model=InvolvementProfile,
        owner="user",
        data_class=DataClass.CONTACT,
        label="How you like to be contacted",
        purpose="To invite you to panels and meetings in the way you prefer.",
        basis=Basis.CONSENT,
        fields=("display_name", "pronouns", "contact_preference", "phone"),
        retention=WHILE_INVOLVED,
        on_close=Fate.DELETE,
        shared_with="The engagement leads running the panels you apply to.",
    ),
    PersonalData(
        model=InvolvementProfile,
        owner="user",
        data_class=DataClass.ACCESS_NEEDS,
        label="Your access needs",
        purpose="To arrange what you need to take part: an interpreter, step-free access…",
        basis=Basis.CONSENT,
        condition=Condition.EXPLICIT_CONSENT,
        fields=("access_needs", "access_needs_other", "interpreter_language"),
        choice_labels={"access_needs": AccessNeed},
        retention=WHILE_INVOLVED,
        on_close=Fate.DELETE,
        shared_with="The engagement leads running the panels you join.",
    ),
    PersonalData(
        model=InvolvementProfile,
        owner="user",
        data_class=DataClass.IDENTITY,
        label="Your lived experience and communities",
        purpose="To count, in anonymous totals, who panels include. Nobody sees your answers.",
        basis=Basis.CONSENT,
        condition=Condition.EXPLICIT_CONSENT,
        fields=("lived_experience", "communities"),
        choice_labels={"lived_experience": LivedExperience, "communities": Community},
        retention=WHILE_INVOLVED,
        on_close=Fate.DELETE,
    ),
    PersonalData(
        model=InvolvementProfile,
        owner="user",
        data_class=DataClass.PAYMENT,
        label="How you would like to be paid",
        purpose="To pay you the way you chose (or not at all, if you chose that).",
        basis=Basis.CONSENT,
        fields=("payment_choice",),
        retention=WHILE_INVOLVED,
        on_close=Fate.DELETE,
    ),
    PersonalData(
        model=ConsentRecord,
        owner="user",
        data_class=DataClass.INVOLVEMENT,
        label="What you agreed to, and when",
        purpose="To show exactly what you agreed to, and when you changed your mind.",
        basis=Basis.LEGAL_OBLIGATION,
        fields=("purpose", "version", "statement", "given_at", "withdrawn_at"),
        retention=Retention(
            counted_from="given_at",
            years=6,
            reason="The law asks us to be able to prove consent, so this is kept 6 years.",
        ),
        on_close=Fate.KEEP,
    ),
    PersonalData(
        model=PanelApplication,
        owner="applicant",
        data_class=DataClass.INVOLVEMENT,
        label="Your applications to panels",
        purpose="To choose panel members fairly and tell you the decision.",
        basis=Basis.CONSENT,
        fields=("panel", "statement", "status", "decision_note", "created_at", "decided_at"),
        staff_links=("decided_by",),
        retention=Retention(
            counted_from="created_at",
            years=2,
            reason="Kept 2 years, so we can show how panel members were chosen.",
        ),
        on_close=Fate.DELETE,
        shared_with="The engagement leads running the panel.",
    ),
    PersonalData(
        model=PanelApplication,
        owner="applicant",
        data_class=DataClass.ACCESS_NEEDS,
        label="Access needs on your applications",
        purpose="To arrange what you need at the panel's meetings.",
        basis=Basis.CONSENT,
        condition=Condition.EXPLICIT_CONSENT,
        fields=("access_needs", "access_needs_other", "interpreter_language"),
        choice_labels={"access_needs": AccessNeed},
        retention=Retention(
            counted_from="created_at",
            years=1,
            reason="Access needs on an application are removed after a year.",
            then=Fate.ANONYMISE,
        ),
        on_close=Fate.DELETE,
        shared_with="The engagement leads running the panel.",
    ),
    PersonalData(
        model=Attendance,
        owner="member",
        data_class=DataClass.INVOLVEMENT,
        label="Meetings you came to",
        purpose="To record who took part, and the hours your payment is worked out from.",
        basis=Basis.PUBLIC_TASK,
        fields=("meeting", "status", "hours", "recorded_at"),
        staff_links=("recorded_by",),
        retention=Retention(
            counted_from="meeting__starts_at",
            years=PAYMENT_YEARS,
            reason=f"Attendance is what payments are made for. {PAYMENT_REASON}",
            # A claim still kept needs its attendance: it goes after the claim.
            only=Q(claim__isnull=True),
        ),
        on_close=Fate.KEEP,
    ),
    PersonalData(
        model=MeetingReply,
        owner="member",
        data_class=DataClass.INVOLVEMENT,
        label="Your replies to meeting invitations",
        purpose="To know who is coming, arrange access for them, and note your apologies.",
        basis=Basis.PUBLIC_TASK,
        fields=("meeting", "answer", "note", "via", "replied_at"),
        staff_links=("recorded_by",),
        retention=Retention(
            counted_from="meeting__starts_at",
            years=1,
            reason="A reply is kept for a year after the meeting, then deleted: by then "
            "who came is in the attendance record.",
        ),
        on_close=Fate.DELETE,
        shared_with="The engagement leads running the panel.",
    ),
    PersonalData(
        model=InvolvementClaim,
        owner="member",
        data_class=DataClass.PAYMENT,
        label="Your claims for payment",
        purpose="To pay you for your time and costs.",
        basis=Basis.LEGAL_OBLIGATION,
        fields=(
            "panel",
            "hours",
            "hourly_rate",
            "payment_choice",
            "status",
            "return_reason",
            "submitted_at",
            "approved_at",
            "amount_approved",
            "paid_at",
            "payment_reference",
            "created_at",
        ),
        staff_links=("approved_by", "paid_by"),
        retention=Retention(counted_from="created_at", years=PAYMENT_YEARS, reason=PAYMENT_REASON),
        on_close=Fate.KEEP,
        shared_with="Finance, to pay you.",
    ),
    PersonalData(
        model=Expense,
        owner="claim__member",
        data_class=DataClass.PAYMENT,
        label="Costs you claimed, with receipts",
        purpose="To pay back what taking part cost you.",
        basis=Basis.LEGAL_OBLIGATION,
        fields=(
            "kind",
            "description",
            "miles",
            "mileage_rate",
            "amount",
            "receipt",
            "approved_amount",
            "decision_reason",
            "created_at",
        ),
        retention=Retention(counted_from="created_at", years=PAYMENT_YEARS, reason=PAYMENT_REASON),
        on_close=Fate.KEEP,
        shared_with="Finance, to pay you.",
    ),
    PersonalData(
        model=Feedback,
        owner="author",
        data_class=DataClass.FEEDBACK,
        label="Feedback you gave",
        purpose="To improve services, and to show publicly what changed because people spoke.",
        basis=Basis.PUBLIC_TASK,
        fields=(
            "offer_title",
            "organisation",
            "went_well",
            "could_be_better",
            "rating",
            "felt_listened_to",
            "consent_to_publish",
            "status",
            "public_quote",
            "public_response",
            "created_at",
        ),
        # The words could identify you; the rating and themes stay in anonymous totals.
        erase_fields=("went_well", "could_be_better", "author"),
        staff_links=("recorded_by", "responded_by"),
        retention=Retention(
            counted_from="created_at",
            years=3,
            reason=(
                "After 3 years the words are removed; the rating stays in anonymous totals "
                "so services can see change over time."
            ),
            then=Fate.ANONYMISE,
        ),
        on_close=Fate.ANONYMISE,
        shared_with="The organisation that runs the service. Quotes are published only if "
        "you agreed, with anything that identifies you taken out.",
    ),
    PersonalData(
        model=ServiceChangeNotice,
        owner="user",
        data_class=DataClass.FEEDBACK,
        label="Updates we sent you about changes",
        purpose="To tell you when something you gave feedback on changes.",
        basis=Basis.PUBLIC_TASK,
        fields=("page", "status", "sent_at"),
        retention=Retention(
            counted_from="sent_at",
            years=1,
            reason="Kept a year, so you are not sent the same update twice.",
        ),
        on_close=Fate.DELETE,
    ),
)

register(
    PersonalData(
        model=PayeeDetails,
        owner="user",
        data_class=DataClass.PAYMENT,
        label="Your bank details",
        purpose="To pay you by bank transfer, if you chose that.",
        basis=Basis.CONTRACT,
        # Your copy shows them as every page does: the last numbers only. The numbers are
        # stored encrypted and read in full only by finance, to pay you.
        fields=(
            "sort_code_last_digits",
            "account_number_last_digits",
            "modulus_check",
            "entered_by_finance",
            "created_at",
            "updated_at",
        ),
        staff_links=("entered_by",),
        retention=Retention(
            counted_from="updated_at",
            years=PAYMENT_YEARS,
            reason=(
                "Kept while any of your claims for payment is kept, as they show where "
                f"payments went. {PAYMENT_REASON} Then deleted."
            ),
            # Claims are kept 6 years: details go once no claim of theirs is left.
            only=Q(user__involvement_claims__isnull=True),
        ),
        on_close=Fate.KEEP,
        shared_with="Finance, to pay you. Everyone else sees only the last numbers.",
    ),
)

# Messages a member sent the panel's lead or finance, and the answers.
MESSAGES_RETENTION_YEARS = 2
register(
    PersonalData(
        model=Conversation,
        owner="member",
        data_class=DataClass.INVOLVEMENT,
        label="Your messages to panel leads and finance",
        purpose="To answer your questions about panels, meetings, claims and payments.",
        basis=Basis.PUBLIC_TASK,
        fields=(
            "to",
            "organisation",
            "panel",
            "claim",
            "meeting",
            "subject",
            "started_at",
            "last_message_at",
            "closed_at",
        ),
        retention=Retention(
            counted_from="last_message_at",
            years=MESSAGES_RETENTION_YEARS,
            reason="Kept 2 years after the last message, so we can look back at what was "
            "asked and answered. Then deleted.",
        ),
        on_close=Fate.DELETE,
        shared_with="The panel's lead, or finance, whichever you wrote to.",
    ),
    PersonalData(
        model=ConversationMessage,
        owner="conversation__member",
        data_class=DataClass.INVOLVEMENT,
        label="What you and staff wrote in your messages",
        purpose="To answer your questions about panels, meetings, claims and payments.",
        basis=Basis.PUBLIC_TASK,
        fields=("from_staff", "body", "sent_at", "read_at"),
        staff_links=("author",),
        retention=Retention(
            counted_from="conversation__last_message_at",
            years=MESSAGES_RETENTION_YEARS,
            reason="Kept 2 years after the last message of the conversation. Then deleted.",
        ),
        on_close=Fate.DELETE,
        shared_with="The panel's lead, or finance, whichever you wrote to.",
    ),
)

register(
    PersonalData(
        model=PanelMemberSignOff,
        owner="member",
        data_class=DataClass.INVOLVEMENT,
        label='Your answers to "You said, we did" changes your panel worked on',
        purpose="To show that the panel agreed a change before it was published, and to "
        "pass on what you asked to change.",
        basis=Basis.PUBLIC_TASK,
        fields=("page", "decision", "comment", "created_at"),
        # Your comments go; that you agreed stays, so a published change still says truly
        # how many members signed it off.
        erase_fields=("comment",),
        retention=Retention(
            counted_from="created_at",
            years=3,
            reason=(
                "Kept 3 years, so the panel's sign-off of a published change can be shown. "
                "The published page says only how many members agreed, never who."
            ),
        ),
        on_close=Fate.ANONYMISE,
        shared_with="The panel's facilitators and the staff of the organisation that runs "
        "the panel.",
    ),
)

register_staff_links(
    Panel, "facilitators", why="The staff who run a panel, named so members can reach them."
)
register_staff_links(
    AccessArrangement,
    "updated_by",
    why="Which member of staff last updated a meeting's access arrangements.",
)
register_staff_links(
    PaymentPolicy,
    "updated_by",
    why="Which member of finance last changed an organisation's mileage rate or warning.",
)
register_staff_links(
    PaymentRun,
    "created_by",
    "bank_file_downloaded_by",
    "marked_paid_by",
    why="Which members of finance built a payment run, downloaded its bank file and "
    "marked it paid, so every payment can be traced to who made it.",
)

register(
    PersonalData(
        model=ContactTask,
        owner="member",
        data_class=DataClass.CONTACT,
        label="Calls and letters we were to send you",
        purpose=(
            "To tell you what you asked to hear about by phone or letter, when you chose "
            "that over email."
        ),
        basis=Basis.PUBLIC_TASK,
        fields=("kind", "subject", "body", "created_at", "done_at", "outcome"),
        staff_links=("done_by",),
        retention=Retention(
            counted_from="done_at",
            years=1,
            reason="Kept a year after we called or wrote, so we can answer questions about it.",
            only=Q(done_at__isnull=False),
        ),
        on_close=Fate.DELETE,
        shared_with="The engagement leads of the organisation that runs your panel.",
    ),
)
