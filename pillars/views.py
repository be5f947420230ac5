from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Prefetch, Q, Sum
from django.shortcuts import get_object_or_404, redirect, render

from ipas.models import Activity, Funding, IntegratedPlanOfAction, Objective
from ipas.selectors import activities_visible_to
from pillars import services
from pillars.forms import PillarLeadsForm
from pillars.models import Pillar


def dashboard(request):
    """Landing page: what the portal holds, per pillar, as far as this user may see."""
    visible = activities_visible_to(request.user)
    pillars = Pillar.objects.select_related("lead_organisation").prefetch_related("co_lead_organisations")
    counts = {
        row["objective_links__objective__ipa__pillar"]: row
        for row in visible.values("objective_links__objective__ipa__pillar").annotate(
            activities=Count("pk", distinct=True),
            approved=Count("pk", distinct=True, filter=Q(approval_state=Activity.ApprovalState.APPROVED)),
            ongoing=Count("pk", distinct=True, filter=Q(status=Activity.Status.ONGOING)),
        )
    }
    funding = {
        row["activity__objective_links__objective__ipa__pillar"]: row["total"]
        for row in Funding.objects.filter(activity__in=visible, activity__objective_links__is_primary=True)
        .values("activity__objective_links__objective__ipa__pillar")
        .annotate(total=Sum("amount_eur"))
    }
    rows = [
        {
            "pillar": pillar,
            "activities": counts.get(pillar.pk, {}).get("activities", 0),
            "approved": counts.get(pillar.pk, {}).get("approved", 0),
            "ongoing": counts.get(pillar.pk, {}).get("ongoing", 0),
            "funding_eur": funding.get(pillar.pk) or 0,
        }
        for pillar in pillars
    ]
    return render(request, "pillars/dashboard.html", {"rows": rows, "activity_total": visible.count()})


def pillar_list(request):
    if not request.user.has_perm("pillars.view_pillar"):
        raise PermissionDenied
    pillars = Pillar.objects.select_related("lead_organisation").prefetch_related(
        "co_lead_organisations", Prefetch("ipas", queryset=IntegratedPlanOfAction.objects.order_by("-period_start"))
    )
    return render(request, "pillars/pillar_list.html", {"pillars": pillars})


def pillar_detail(request, code: str):
    if not request.user.has_perm("pillars.view_pillar"):
        raise PermissionDenied
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
        "pillars/pillar_detail.html",
        {
            "pillar": pillar,
            "ipas": ipas,
            "can_change_leads": request.user.has_perm("pillars.change_pillar"),
            "is_lead_partner": request.user.has_perm("pillars.review_entries", pillar),
        },
    )


def pillar_leads_update(request, code: str):
    if not request.user.has_perm("pillars.change_pillar"):
        raise PermissionDenied
    pillar = get_object_or_404(Pillar, code=code)
    initial = {
        "lead_organisation": pillar.lead_organisation,
        "co_lead_organisations": pillar.co_lead_organisations.all(),
    }
    form = PillarLeadsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        services.pillar_leads_set(actor=request.user, pillar=pillar, **form.cleaned_data)
        messages.success(
            request, f"Lead Partners of {pillar.code} updated; their rights on the pillar moved with them."
        )
        return redirect("pillars:pillar_detail", code=pillar.code)
    return render(request, "pillars/pillar_leads_form.html", {"form": form, "pillar": pillar})
