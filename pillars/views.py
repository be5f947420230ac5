"""Support Group pages of the pillars app: who leads each pillar."""

from django.shortcuts import get_object_or_404, redirect, render

from iisg_portal.web import call_service, permission_required_or_403
from pillars import services
from pillars.forms import PillarLeadsForm
from pillars.models import Pillar


@permission_required_or_403("pillars.change_pillar")
def pillar_leads_update(request, code: str):
    pillar = get_object_or_404(Pillar, code=code)
    initial = {
        "lead_organisation": pillar.lead_organisation,
        "co_lead_organisations": pillar.co_lead_organisations.all(),
    }
    form = PillarLeadsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        ok, _ = call_service(
            request,
            lambda: services.pillar_leads_set(actor=request.user, pillar=pillar, **form.cleaned_data),
            form=form,
            success=f"Lead Partners of {pillar.code} updated; their rights on the pillar moved with them.",
        )
        if ok:
            return redirect("pillars:pillar_detail", code=pillar.code)
    return render(request, "pillars/pillar_leads_form.html", {"form": form, "pillar": pillar})
