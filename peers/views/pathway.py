"""The progression pathway's pages: a worker's own pathway (what is left for the next
level, adding evidence and training, the portfolio download), a supervisee's pathway for
their supervisors (signing competences off, recording progression reviews), and the same
page read-only for HR of the worker's organisation, with the list of workers each may open.

A worker is found among those ``visible_to`` the person and shown only when
``peers.view_pathway`` allows, so a guessed id is a 404 like a missing one. Someone who may
see a pathway but not change it (HR) gets a 403 on the change pages. Supervisors' and HR's
looks at another person's pathway are written to the audit log.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods
from wagtail.log_actions import log

from cms.audit import audit_view
from cms.permissions import can, require
from cms.submissions import submit_once

from .. import audit_actions
from ..forms.progression import EvidenceForm, ProgressionReviewForm, SignOffForm, TrainingRecordForm
from ..models import Competence, PeerWorker
from ..rules import supervises, worker_of
from ..selectors import progression as selectors
from ..services import Refused
from ..services import progression as services

PAGE_SIZE = 25


def not_a_worker(request, *, doing: str = "have a progression pathway"):
    return render(request, "peers/pathway/not_a_worker.html", {"doing": doing}, status=403)


def pathway_worker_or_404(request, worker_id: int) -> PeerWorker:
    worker = selectors.worker_for_pathway(request.user, worker_id)
    if worker is None or not can(request.user, "peers.view_pathway", worker):
        raise Http404
    return worker


def _render_pathway(request, worker: PeerWorker, *, own: bool):
    user = request.user
    if not own:
        audit_view(
            user=user,
            instance=worker,
            reason=(
                "Supervisor opened their supervisee's progression pathway"
                if supervises(user, worker)
                else "HR opened a peer worker's progression pathway"
            ),
        )
    return render(
        request,
        "peers/pathway/pathway.html",
        {
            "worker": worker,
            "pathway": selectors.pathway_of(worker),
            "own": own,
            "name": str(worker),
            "can_view_evidence": can(user, "peers.view_evidence", worker),
            "can_add": can(user, "peers.add_evidence", worker),
            "can_sign_off": can(user, "peers.sign_off_competence", worker),
            "can_review": can(user, "peers.review_progression", worker),
            "can_download": can(user, "peers.download_portfolio", worker),
        },
    )


@login_required
@require_GET
def my_pathway(request):
    worker = worker_of(request.user)
    if worker is None:
        if can(request.user, "peers.list_pathways"):
            return redirect("peers:pathway_workers")
        return not_a_worker(request)
    return _render_pathway(request, worker, own=True)


@login_required
@require_GET
def worker_pathway(request, worker_id: int):
    worker = pathway_worker_or_404(request, worker_id)
    if worker.user_id == request.user.pk:
        return redirect("peers:pathway")
    return _render_pathway(request, worker, own=False)


@login_required
@require_GET
def pathway_workers(request):
    require(request.user, "peers.list_pathways")
    paginator = Paginator(selectors.workers_on_pathway_visible_to(request.user), PAGE_SIZE)
    return render(
        request,
        "peers/pathway/workers.html",
        {"page_obj": paginator.get_page(request.GET.get("page"))},
    )


def _own_current_worker(request):
    worker = worker_of(request.user)
    if worker is None or not can(request.user, "peers.add_evidence", worker):
        return None
    return worker


@login_required
@require_http_methods(["GET", "POST"])
def evidence_add(request):
    worker = _own_current_worker(request)
    if worker is None:
        return not_a_worker(request, doing="add evidence")
    if request.method == "POST":
        form = EvidenceForm(request.POST)
        if form.is_valid():
            try:
                evidence = submit_once(
                    form=form,
                    user=request.user,
                    create=lambda: services.evidence_add(
                        worker=worker,
                        user=request.user,
                        competence=form.cleaned_data["competence"],
                        description=form.cleaned_data["description"],
                        date=form.cleaned_data["date"],
                    ),
                ).record
            except Refused as refusal:
                form.add_error(None, refusal.message)
            else:
                if evidence is None:
                    return redirect("peers:pathway")
                messages.success(
                    request,
                    f"Evidence added for ‘{evidence.competence}’. Your supervisor can now "
                    "sign it off.",
                )
                return redirect("peers:pathway")
    else:
        form = EvidenceForm(initial={"competence": request.GET.get("competence", "")})
    return render(request, "peers/pathway/evidence_form.html", {"form": form, "worker": worker})


@login_required
@require_http_methods(["GET", "POST"])
def training_add(request):
    worker = _own_current_worker(request)
    if worker is None:
        return not_a_worker(request, doing="record training")
    if request.method == "POST":
        form = TrainingRecordForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                record = submit_once(
                    form=form,
                    user=request.user,
                    create=lambda: services.training_record(
                        worker=worker,
                        user=request.user,
                        training=data["training"],
                        completed_on=data["completed_on"],
                        expires_on=data["expires_on"],
                        provider=data["provider"],
                        hours=data["hours"],
                    ),
                ).record
            except Refused as refusal:
                form.add_error(None, refusal.message)
            else:
                if record is None:
                    return redirect("peers:pathway")
                messages.success(request, f"Training recorded: {record.training}.")
                return redirect("peers:pathway")
    else:
        form = TrainingRecordForm(initial={"training": request.GET.get("training", "")})
    return render(request, "peers/pathway/training_form.html", {"form": form, "worker": worker})


def _supervisee(request, worker_id: int, rule: str) -> PeerWorker:
    """A worker whose pathway the person may see (else 404) and change by ``rule``
    (else 403: HR may look, not sign off; nobody signs off their own)."""
    worker = pathway_worker_or_404(request, worker_id)
    if not can(request.user, rule, worker):
        raise PermissionDenied
    return worker


@login_required
@require_http_methods(["GET", "POST"])
def sign_off(request, worker_id: int, competence_id: int):
    worker = _supervisee(request, worker_id, "peers.sign_off_competence")
    competence = get_object_or_404(Competence, pk=competence_id)
    evidence = list(competence.evidence.filter(worker=worker).order_by("-date", "-added_at"))
    signed = competence.sign_offs.filter(worker=worker).select_related("signed_off_by").first()
    if request.method == "GET":
        audit_view(
            user=request.user,
            instance=worker,
            reason="Supervisor read their supervisee's evidence to sign off a skill",
        )
    form = SignOffForm(request.POST or None)
    if request.method == "POST" and signed is None and form.is_valid():
        try:
            submit_once(
                form=form,
                user=request.user,
                create=lambda: services.competence_sign_off(
                    worker=worker,
                    competence=competence,
                    user=request.user,
                    note=form.cleaned_data["note"],
                ),
            )
        except Refused as refusal:
            form.add_error(None, refusal.message)
        else:
            messages.success(request, f"‘{competence}’ is signed off for {worker}.")
            return redirect("peers:pathway_worker", worker_id=worker.pk)
    return render(
        request,
        "peers/pathway/sign_off.html",
        {
            "worker": worker,
            "competence": competence,
            "evidence": evidence,
            "signed": signed,
            "form": form,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def review(request, worker_id: int):
    worker = _supervisee(request, worker_id, "peers.review_progression")
    pathway = selectors.pathway_of(worker)
    if pathway.next_level is None:
        messages.info(request, f"{worker} is at the top level of the pathway already.")
        return redirect("peers:pathway_worker", worker_id=worker.pk)
    form = ProgressionReviewForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            recorded = submit_once(
                form=form,
                user=request.user,
                create=lambda: services.progression_review_record(
                    worker=worker,
                    user=request.user,
                    date=data["date"],
                    readiness_summary=data["readiness_summary"],
                    decision=data["decision"],
                    decision_note=data["decision_note"],
                ),
            ).record
        except Refused as refusal:
            form.add_error(None, refusal.message)
        else:
            if recorded is None:
                return redirect("peers:pathway_worker", worker_id=worker.pk)
            if recorded.decision == recorded.Decision.PROGRESS:
                messages.success(
                    request, f"Review recorded. {worker} is now a {recorded.to_level}."
                )
            else:
                messages.success(request, "Review recorded.")
            return redirect("peers:pathway_worker", worker_id=worker.pk)
    return render(
        request,
        "peers/pathway/review_form.html",
        {"worker": worker, "pathway": pathway, "form": form},
    )


@never_cache
@login_required
@require_GET
def portfolio(request):
    """The worker's portfolio, made inline: a few aggregate queries and a short document,
    fast enough for years of sessions (see ``tests/peers/test_portfolio.py``)."""
    worker = selectors.own_record_for_portfolio(request.user)
    if worker is None or not can(request.user, "peers.download_portfolio", worker):
        return not_a_worker(request, doing="download a portfolio")
    # reportlab is loaded by the one view that makes a PDF, not by every process at start.
    from ..reports import portfolio_pdf

    content = portfolio_pdf(selectors.portfolio_of(worker))
    log(worker, audit_actions.PORTFOLIO_DOWNLOAD, user=request.user)
    response = HttpResponse(content, content_type="application/pdf")
    filename = f"portfolio-{selectors.portfolio_filename(worker)}.pdf"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


urlpatterns = [
    path("peer-work/pathway/", my_pathway, name="pathway"),
    path("peer-work/pathway/workers/", pathway_workers, name="pathway_workers"),
    path("peer-work/pathway/evidence/add/", evidence_add, name="pathway_evidence_add"),
    path("peer-work/pathway/training/add/", training_add, name="pathway_training_add"),
    path("peer-work/pathway/portfolio.pdf", portfolio, name="pathway_portfolio"),
    path("peer-work/pathway/<int:worker_id>/", worker_pathway, name="pathway_worker"),
    path(
        "peer-work/pathway/<int:worker_id>/competences/<int:competence_id>/sign-off/",
        sign_off,
        name="pathway_sign_off",
    ),
    path("peer-work/pathway/<int:worker_id>/review/", review, name="pathway_review"),
]
