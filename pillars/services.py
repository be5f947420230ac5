"""Writes for pillars. Lead Partner rights move with the lead role, here and only here."""

from django.db import transaction
from guardian.shortcuts import assign_perm, remove_perm

from iisg_portal.audit import audited
from partners.models import Organisation, User
from partners.roles import LEAD_PARTNER_PERMISSIONS
from partners.services import organisation_editors_group_ensure
from pillars.models import Pillar


def pillar_leads_set(
    *,
    actor: User | None,
    pillar: Pillar,
    lead_organisation: Organisation | None,
    co_lead_organisations: list[Organisation] | tuple[Organisation, ...] = (),
) -> Pillar:
    """Set a pillar's Lead and Co-Lead Partners and move their object permissions on the pillar.

    The rights go to each lead organisation's editors' group: its editor members review and manage the
    pillar; its viewer members only read, as any partner viewer does.
    """
    with transaction.atomic(), audited(actor, "pillar_leads_set"):
        before = set(pillar.lead_organisations)
        pillar.lead_organisation = lead_organisation
        pillar.full_clean()
        pillar.save()
        pillar.co_lead_organisations.set(co_lead_organisations)
        after = set(pillar.lead_organisations)
        for organisation in before - after:
            group = organisation_editors_group_ensure(organisation)
            for codename in LEAD_PARTNER_PERMISSIONS:
                remove_perm(codename, group, pillar)
        for organisation in after:
            group = organisation_editors_group_ensure(organisation)
            for codename in LEAD_PARTNER_PERMISSIONS:
                assign_perm(codename, group, pillar)
    return pillar
