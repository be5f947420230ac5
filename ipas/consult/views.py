"""Consult before planning: a concept checked against every activity the user may see."""

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, render

from iisg_portal.web import permission_required_or_403
from ipas.consult.forms import ConsultForm
from ipas.consult.selectors import CONSULT_PERM, consultation_shown, consultations_of
from ipas.consult.services import consultation_make
from ipas.duplication import engine
from ipas.duplication.selectors import RUN_PERM
from ipas.models import Consultation


def concept_from(data: dict) -> engine.Concept:
    return engine.Concept(
        title=data["title"],
        description=data.get("description") or "",
        beneficiaries=[c.code for c in data.get("beneficiaries") or []],
        pillar_id=data["pillar"].pk if data.get("pillar") else None,
        start=data.get("start"),
        end=data.get("end"),
        donor_id=data["intended_donor"].pk if data.get("intended_donor") else None,
    )


@permission_required_or_403(CONSULT_PERM)
def consult_view(request):
    form = ConsultForm(request.POST or None)
    context = {"form": form, "flag_threshold": engine.FLAG_THRESHOLD, "worth_a_look": engine.WORTH_A_LOOK}
    if request.method == "POST" and form.is_valid():
        answer = consultation_make(actor=request.user, concept=concept_from(form.cleaned_data))
        context.update(consultation=answer.consultation, matches=answer.matches, objectives=answer.objectives)
    context["recent"] = consultations_of(request.user)
    return render(request, "ipas/consult/consult.html", context)


@permission_required_or_403(RUN_PERM)
def consultation_list(request):
    """What partners are planning: every consultation, for the Support Group."""
    consultations = Consultation.objects.select_related("user", "pillar", "intended_donor")
    page = Paginator(consultations, 25).get_page(request.GET.get("page"))
    return render(request, "ipas/consult/log.html", {"page": page})


def consultation_detail(request, pk: int):
    """One consultation as the partner saw it: the concept, the matches with their scores and reasons. For the
    Support Group, and for the partner who made it (others are refused alike whether it exists or not)."""
    consultations = Consultation.objects.select_related("user", "pillar", "intended_donor")
    staff = request.user.has_perm(RUN_PERM)
    if staff:
        consultation = get_object_or_404(consultations, pk=pk)
    else:
        consultation = consultations.filter(pk=pk, user_id=request.user.pk).first()
        if consultation is None:
            raise PermissionDenied
    return render(
        request,
        "ipas/consult/detail.html",
        {"consultation": consultation, "staff": staff, **consultation_shown(consultation, request.user)},
    )
