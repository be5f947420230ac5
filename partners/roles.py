"""The portal's roles as data: each is a group carrying global permissions.

Lead and Co-Lead Partner rights are not here: they are object permissions on one pillar, granted to the
lead organisation's editors' group (its editor members only: a viewer member only reads) by
pillars.services.pillar_leads_set.
"""

SUPPORT_GROUP_STAFF = "Support Group staff"
BOARD_SECRETARIAT = "Board secretariat"
PARTNER_EDITORS = "Partner editors"
PARTNER_VIEWERS = "Partner viewers"
OBSERVERS = "Observers"
# Members of the IISG Board (ministers and their offices): read meetings and download released packs.
BOARD_MEMBERS = "Board members"

ROLE_PERMISSIONS: dict[str, list[str]] = {
    SUPPORT_GROUP_STAFF: [
        "partners.view_organisation",
        "partners.add_organisation",
        "partners.change_organisation",
        "partners.view_membership",
        "partners.add_membership",
        "partners.change_membership",
        "pillars.view_pillar",
        "pillars.change_pillar",
        "ipas.view_integratedplanofaction",
        "ipas.view_activity",
        "ipas.view_all_activities",
        "ipas.run_duplication_report",
        "ipas.import_activities",
        "board.view_meeting",
        "board.build_meeting_pack",
        "board.download_meeting_pack",
    ],
    BOARD_SECRETARIAT: [
        "partners.view_organisation",
        "pillars.view_pillar",
        "ipas.view_integratedplanofaction",
        "ipas.view_activity",
        "board.view_meeting",
        "board.manage_meetings",
        "board.build_meeting_pack",
        "board.download_meeting_pack",
    ],
    BOARD_MEMBERS: [
        "board.view_meeting",
        "board.download_meeting_pack",
    ],
    PARTNER_EDITORS: [
        "partners.view_organisation",
        "pillars.view_pillar",
        "ipas.view_integratedplanofaction",
        "ipas.view_activity",
        "ipas.add_activity",
        "ipas.change_activity",
        "ipas.consult_activities",
    ],
    PARTNER_VIEWERS: [
        "partners.view_organisation",
        "pillars.view_pillar",
        "ipas.view_integratedplanofaction",
        "ipas.view_activity",
        "ipas.consult_activities",
    ],
    OBSERVERS: [
        "partners.view_organisation",
        "pillars.view_pillar",
        "ipas.view_integratedplanofaction",
        "ipas.view_activity",
    ],
}

# Roles given to a person directly (partners.services.staff_role_set), not through a membership.
STAFF_ROLES = (SUPPORT_GROUP_STAFF, BOARD_SECRETARIAT, BOARD_MEMBERS)

# Object permissions a Lead or Co-Lead Partner organisation's editors' group holds on its own pillar.
LEAD_PARTNER_PERMISSIONS = ["review_entries", "manage_ipas"]
