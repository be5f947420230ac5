"""Every organisation gets its editors' group, holding its editor members (issue 12, item 2).

Lead Partner rights move to these groups in pillars 0002: a viewer member of a lead organisation only reads.
"""

from django.db import migrations


def editors_groups_fill(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Organisation = apps.get_model("partners", "Organisation")
    Membership = apps.get_model("partners", "Membership")
    User = apps.get_model("partners", "User")
    for organisation in Organisation.objects.filter(editors_group__isnull=True):
        organisation.editors_group, _ = Group.objects.get_or_create(name=f"Organisation {organisation.pk} editors")
        organisation.save(update_fields=["editors_group"])
    UserGroup = User.groups.through
    UserGroup.objects.bulk_create(
        [
            UserGroup(user_id=membership.user_id, group_id=membership.organisation.editors_group_id)
            for membership in Membership.objects.filter(role="editor").select_related("organisation")
        ],
        ignore_conflicts=True,
    )


def editors_groups_drop(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Group.objects.filter(editors_of_organisation__isnull=False).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("partners", "0003_organisation_editors_group"),
    ]

    operations = [
        migrations.RunPython(editors_groups_fill, editors_groups_drop),
    ]
