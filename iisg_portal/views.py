"""Pages that span the apps (the project package wires the apps; no app imports this)."""

from django.db.models import Count, Q, Sum
from django.shortcuts import render

from ipas.activities.selectors import activities_visible_to
from ipas.models import Activity, Funding
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
    return render(request, "dashboard.html", {"rows": rows, "activity_total": visible.count()})
