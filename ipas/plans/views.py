"""The pillars as partners read them: each pillar with its iPAs, objectives and indicators."""

from django.db.models import Count, Prefetch
from django.shortcuts import get_object_or_404, render

from iisg_portal.web import permission_required_or_403
from ipas.models import IntegratedPlanOfAction, Objective
from pillars.models import Pillar


@permission_required_or_403("pillars.view_pillar")
def pillar_list(request):
    pillars = Pillar.objects.select_related("lead_organisation").prefetch_related(
        "co_lead_organisations", Prefetch("ipas", queryset=IntegratedPlanOfAction.objects.order_by("-period_start"))
    )
    return render(request, "ipas/plans/pillar_list.html", {"pillars": pillars})


@permission_required_or_403("pillars.view_pillar")
def pillar_detail(request, code: str):
    pillar = get_object_or_404(Pillar.objects.select_related("lead_organisation"), code=code)
    ipas = pillar.ipas.all()
    if not request.user.has_perm("pillars.manage_ipas", pillar) and not request.user.has_perm(
        "ipas.view_all_activities"
    ):
        # Observers and partners read adopted plans only; drafts belong to the Lead Partners.
        ipas = ipas.exclude(status=IntegratedPlanOfAction.Status.DRAFT)
    ipas = ipas.prefetch_related(
        Prefetch(
            "objectives",
            queryset=Objective.objects.annotate(activity_count=Count("activity_links")).prefetch_related("indicators"),
        )
    )
    return render(
        request,
        "ipas/plans/pillar_detail.html",
        {
            "pillar": pillar,
            "ipas": ipas,
            "can_change_leads": request.user.has_perm("pillars.change_pillar"),
            "is_lead_partner": request.user.has_perm("pillars.review_entries", pillar),
        },
    )
