"""Support Group pages of the pillars app: who leads each pillar."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render

from pillars import services
from pillars.forms import PillarLeadsForm
from pillars.models import Pillar


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
