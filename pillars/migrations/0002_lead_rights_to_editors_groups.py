"""Lead Partner rights move from the lead organisations' members' groups to their editors' groups (issue 12).

A viewer member of a lead organisation only reads: no object permission on a pillar gives reading on its own
(review_entries and manage_ipas are both Lead Partner acts), so all of them move. What pillars.services.
pillar_leads_set never grants goes: permissions on a pillar granted to a person directly or to any other
group (guardian's admin pages, now closed, could add them, unaudited), and rights of an organisation that no
longer leads the pillar.
"""

from django.db import migrations


def _leads(pillar):
    return {pillar.lead_organisation_id, *pillar.co_lead_organisations.values_list("pk", flat=True)} - {None}


def rights_to_editors_groups(apps, schema_editor):
    Organisation = apps.get_model("partners", "Organisation")
    Pillar = apps.get_model("pillars", "Pillar")
    PillarGroupObjectPermission = apps.get_model("pillars", "PillarGroupObjectPermission")
    PillarUserObjectPermission = apps.get_model("pillars", "PillarUserObjectPermission")
    by_members_group = {org.group_id: org for org in Organisation.objects.exclude(group=None)}
    by_editors_group = {org.editors_group_id: org for org in Organisation.objects.exclude(editors_group=None)}
    leads = {pillar.pk: _leads(pillar) for pillar in Pillar.objects.all()}
    for right in PillarGroupObjectPermission.objects.all():
        pillar_leads = leads.get(right.content_object_id, set())
        organisation = by_editors_group.get(right.group_id)
        if organisation is not None and organisation.pk in pillar_leads:
            continue  # already where it belongs
        organisation = by_members_group.get(right.group_id)
        if organisation is not None and organisation.pk in pillar_leads:
            PillarGroupObjectPermission.objects.get_or_create(
                group_id=organisation.editors_group_id,
                permission_id=right.permission_id,
                content_object_id=right.content_object_id,
            )
        right.delete()
    PillarUserObjectPermission.objects.all().delete()


def rights_to_members_groups(apps, schema_editor):
    Organisation = apps.get_model("partners", "Organisation")
    PillarGroupObjectPermission = apps.get_model("pillars", "PillarGroupObjectPermission")
    by_editors_group = {org.editors_group_id: org for org in Organisation.objects.exclude(editors_group=None)}
    for right in PillarGroupObjectPermission.objects.all():
        organisation = by_editors_group.get(right.group_id)
        if organisation is not None and organisation.group_id is not None:
            PillarGroupObjectPermission.objects.get_or_create(
                group_id=organisation.group_id,
                permission_id=right.permission_id,
                content_object_id=right.content_object_id,
            )
            right.delete()


class Migration(migrations.Migration):
    dependencies = [
        ("partners", "0004_organisation_editors_groups_fill"),
        ("pillars", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(rights_to_editors_groups, rights_to_members_groups),
    ]
