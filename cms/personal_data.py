"""The personal data the site shell holds (accounts, messages, reports, requests, the audit
log) and the libraries' records of people: allauth's email addresses and authenticators,
Wagtail's profiles, history and workflow. See ``cms.data_registry``."""

from allauth.account.models import EmailAddress, EmailConfirmation
from allauth.mfa.models import Authenticator
from django.db.models import CharField, F, Q, Value
from django.db.models.functions import Cast, Concat
from wagtail.admin.models import EditingSession, FormState
from wagtail.documents.models import Document
from wagtail.images.models import Image
from wagtail.models import (
    APIToken,
    Comment,
    CommentReply,
    ModelLogEntry,
    Page,
    PageLogEntry,
    PageSubscription,
    Revision,
    TaskState,
    UploadedFile,
    WorkflowState,
)
from wagtail.users.models import UserProfile

from .data_registry import (
    Basis,
    DataClass,
    Fate,
    PersonalData,
    Retention,
    register,
    register_staff_links,
)
from .jobs import KEEP_REPORTS_FOR
from .mail import KEEP_UNDELIVERED_FOR
from .models import (
    DataRequest,
    FormSubmission,
    OutboundEmail,
    OutboundText,
    ReportJob,
    RetentionRun,
    User,
)
from .submissions import KEEP_TOKENS_FOR
from .texts import CLEAR_AFTER as TEXTS_CLEARED_AFTER

DORMANT_YEARS = 3


def _close_dormant(rows) -> int:
    from .erasure import close_dormant_accounts

    return close_dormant_accounts(rows)


ACCOUNT_OPEN = Retention(reason="It is needed for as long as you have an account.")

register(
    PersonalData(
        model=User,
        owner="",
        data_class=DataClass.CONTACT,
        label="Your name and email address",
        purpose="To let you sign in, and to write to you about what you take part in.",
        basis=Basis.CONTRACT,
        fields=("first_name", "last_name", "email"),
        # The email address must stay unique, so a closed account's becomes a placeholder.
        blank_values={
            "email": Concat(
                Value("closed-account-"), Cast(F("pk"), CharField()), Value("@closed.invalid")
            )
        },
        retention=Retention(
            counted_from="last_login",
            years=DORMANT_YEARS,
            reason=(
                f"An account nobody has signed in to for {DORMANT_YEARS} years is closed, "
                "as if its owner had closed it."
            ),
            only=Q(is_active=True, is_superuser=False),
        ),
        expire=_close_dormant,
        on_close=Fate.ANONYMISE,
    ),
    PersonalData(
        model=User,
        owner="",
        data_class=DataClass.ACCOUNT,
        label="Your account",
        purpose="To know which organisation you work with and when you joined.",
        basis=Basis.CONTRACT,
        fields=("organisation", "date_joined", "last_login", "is_active"),
        retention=Retention(
            counted_from="date_joined",
            years=DORMANT_YEARS,
            reason=(
                f"An account never signed in to is closed {DORMANT_YEARS} years after it was made."
            ),
            only=Q(is_active=True, is_superuser=False, last_login__isnull=True),
        ),
        expire=_close_dormant,
        # The account stays, without a name, so records that must be kept stay together.
        on_close=Fate.KEEP,
    ),
    PersonalData(
        model=EmailAddress,
        owner="user",
        data_class=DataClass.CONTACT,
        label="Your email addresses",
        purpose="To sign you in and to check that an email address is yours.",
        basis=Basis.CONTRACT,
        fields=("email", "verified", "primary"),
        retention=ACCOUNT_OPEN,
        on_close=Fate.DELETE,
    ),
    PersonalData(
        model=EmailConfirmation,
        owner="email_address__user",
        data_class=DataClass.ACCOUNT,
        label="Links we sent to check your email address",
        purpose="To check that an email address is yours before we use it.",
        basis=Basis.CONTRACT,
        fields=("created", "sent"),
        retention=Retention(
            counted_from="created",
            days=3,
            reason="A link to check an email address stops working after 3 days.",
        ),
        on_close=Fate.DELETE,
    ),
    PersonalData(
        model=Authenticator,
        owner="user",
        data_class=DataClass.ACCOUNT,
        label="Your ways of proving it is you (two-step sign-in)",
        purpose="To keep staff accounts safe: staff prove who they are with a second step.",
        basis=Basis.LEGAL_OBLIGATION,
        # Never the secret itself: only which kind, and when.
        fields=("type", "created_at", "last_used_at"),
        retention=ACCOUNT_OPEN,
        on_close=Fate.DELETE,
    ),
    PersonalData(
        model=UserProfile,
        owner="user",
        data_class=DataClass.ACCOUNT,
        label="Your admin settings",
        purpose="To remember your language and time zone in the admin.",
        basis=Basis.LEGITIMATE_INTERESTS,
        fields=("preferred_language", "current_time_zone", "avatar"),
        retention=ACCOUNT_OPEN,
        on_close=Fate.DELETE,
    ),
    PersonalData(
        model=PageSubscription,
        owner="user",
        data_class=DataClass.ACCOUNT,
        label="Pages you follow in the admin",
        purpose="To tell you about comments on pages you edit.",
        basis=Basis.LEGITIMATE_INTERESTS,
        fields=("page", "comment_notifications"),
        retention=ACCOUNT_OPEN,
        on_close=Fate.DELETE,
    ),
    PersonalData(
        model=EditingSession,
        owner="user",
        data_class=DataClass.ACCOUNT,
        label="Pages you have open in the admin",
        purpose="To warn two people editing the same page at once.",
        basis=Basis.LEGITIMATE_INTERESTS,
        fields=("last_seen_at",),
        retention=Retention(
            counted_from="last_seen_at",
            days=1,
            reason="It only matters while you are editing.",
        ),
        on_close=Fate.DELETE,
    ),
    PersonalData(
        model=FormState,
        owner="user",
        data_class=DataClass.ACCOUNT,
        label="Admin forms you were part-way through",
        purpose="To keep what you typed in an admin form if your connection drops.",
        basis=Basis.LEGITIMATE_INTERESTS,
        fields=("object_id", "last_updated_at"),
        retention=Retention(
            counted_from="last_updated_at",
            days=7,
            reason="An unfinished form is only useful for a few days.",
        ),
        on_close=Fate.DELETE,
    ),
    PersonalData(
        model=APIToken,
        owner="user",
        data_class=DataClass.ACCOUNT,
        label="Keys for reaching the site's data from other software",
        purpose="To let software you set up read the site's data as you.",
        basis=Basis.LEGITIMATE_INTERESTS,
        fields=("name", "prefix", "created", "revoked_at", "last_used_at"),
        retention=ACCOUNT_OPEN,
        on_close=Fate.DELETE,
    ),
    PersonalData(
        model=ReportJob,
        owner="requested_by",
        data_class=DataClass.ACCOUNT,
        label="Reports you asked for",
        purpose="To make the reports and downloads you ask for, and keep them for you.",
        basis=Basis.PUBLIC_TASK,
        fields=("title", "status", "created_at", "finished_at"),
        retention=Retention(
            counted_from="created_at",
            days=KEEP_REPORTS_FOR.days,
            reason="Reports hold other people's information too, so they are kept a week.",
        ),
        on_close=Fate.DELETE,
    ),
    PersonalData(
        model=FormSubmission,
        owner="user",
        data_class=DataClass.ACCOUNT,
        label="Forms you sent",
        purpose="To make sure a form sent twice (a double click) is only saved once.",
        basis=Basis.LEGITIMATE_INTERESTS,
        fields=("form_key", "created_at"),
        retention=Retention(
            counted_from="created_at",
            days=KEEP_TOKENS_FOR.days,
            reason="It is only needed while a form might be sent again.",
        ),
        on_close=Fate.DELETE,
    ),
    PersonalData(
        model=OutboundEmail,
        owner="",
        # A message is the recipient's, found by their address in it.
        owner_q=lambda person: Q(message__icontains=f'"{person.email}"'),
        data_class=DataClass.CONTACT,
        label="Emails we sent you",
        purpose="To make sure every email reaches you, trying again when it does not.",
        basis=Basis.LEGITIMATE_INTERESTS,
        fields=("status", "created_at", "sent_at"),
        retention=Retention(
            counted_from="created_at",
            days=KEEP_UNDELIVERED_FOR.days,
            reason=(
                "Sent emails are deleted after 30 days, and emails that could not be "
                "delivered after 90, once they can no longer help."
            ),
        ),
        on_close=Fate.DELETE,
    ),
    PersonalData(
        model=OutboundText,
        owner="recipient",
        data_class=DataClass.CONTACT,
        label="Text messages we sent you",
        purpose="To make sure every text message reaches you, trying again when it does not.",
        basis=Basis.LEGITIMATE_INTERESTS,
        fields=("status", "phone_number", "body", "created_at", "sent_at"),
        erase_fields=("phone_number", "body"),
        retention=Retention(
            counted_from="created_at",
            days=TEXTS_CLEARED_AFTER.days,
            reason=(
                f"The number and words of a text are cleared {TEXTS_CLEARED_AFTER.days} days "
                "after it was sent (or could not be), and the record that it was sent goes "
                "after 90 days."
            ),
            then=Fate.ANONYMISE,
            only=Q(status__in=[OutboundText.Status.SENT, OutboundText.Status.FAILED]),
        ),
        on_close=Fate.DELETE,
    ),
    PersonalData(
        model=DataRequest,
        owner="person",
        data_class=DataClass.AUDIT,
        label="Requests you made about your data",
        purpose="To show we answered your requests about your data, and in time.",
        basis=Basis.LEGAL_OBLIGATION,
        fields=("kind", "channel", "received_on", "status", "completed_at", "outcome"),
        staff_links=("recorded_by",),
        retention=Retention(
            counted_from="completed_at",
            years=3,
            reason=(
                "The NHS Records Management Code keeps records of requests for information "
                "for 3 years after they were answered."
            ),
        ),
        # Kept: it is the proof the request was carried out.
        on_close=Fate.KEEP,
    ),
    PersonalData(
        model=ModelLogEntry,
        owner="",
        owner_q=lambda person: Q(data__about=person.pk),
        data_class=DataClass.AUDIT,
        label="Who looked at or changed your records",
        purpose=(
            "To make every look at your records attributable to a person, as the NHS Data "
            "Security and Protection Toolkit expects, and show it to you."
        ),
        basis=Basis.LEGAL_OBLIGATION,
        fields=("label", "action", "timestamp", "data"),
        staff_links=("user",),
        retention=Retention(
            counted_from="timestamp",
            years=6,
            reason="Kept 6 years so any question about who saw a record can be answered.",
        ),
        # Kept as the audit trail, but each entry's label (the record's name when it was
        # logged, which may be the person's name) is replaced.
        erase_fields=("label",),
        blank_values={"label": "A record of a closed account"},
        on_close=Fate.ANONYMISE,
    ),
)

register_staff_links(
    ModelLogEntry, "user", why="Which account looked at or changed a record: the audit trail."
)
register_staff_links(
    PageLogEntry, "user", why="Which staff account changed a page: the page's history."
)
register_staff_links(
    Page,
    "owner",
    "locked_by",
    why="Which staff account made or locked a page, kept as the page's history.",
)
register_staff_links(
    Revision, "user", why="Which staff account saved a version of a page or snippet."
)
register_staff_links(
    WorkflowState, "requested_by", why="Which staff account asked for a page to be approved."
)
register_staff_links(TaskState, "finished_by", why="Which staff account approved or rejected.")
register_staff_links(
    Comment, "user", "resolved_by", why="Staff comments on a page while it is being written."
)
register_staff_links(CommentReply, "user", why="Staff replies to comments on a page.")
register_staff_links(Document, "uploaded_by_user", why="Which staff account uploaded a document.")
register_staff_links(Image, "uploaded_by_user", why="Which staff account uploaded an image.")
register_staff_links(
    UploadedFile, "uploaded_by_user", why="A file a staff account is part-way through uploading."
)
register_staff_links(
    DataRequest,
    "recorded_by",
    why="Which member of staff recorded a request about someone's data.",
)
register_staff_links(RetentionRun, "ran_by", why="Which admin ran the retention task by hand.")
