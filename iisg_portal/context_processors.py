from django.urls import NoReverseMatch, reverse

# (label, url name, permission or None for every signed-in user). A role sees what it may do, nothing more.
NAVIGATION = [
    ("Dashboard", "dashboard", None),
    ("Activities", "ipas:activity_list", "ipas.view_activity"),
    ("Log activity", "ipas:activity_create", "ipas.add_activity"),
    ("Review queue", "ipas:review_queue", "lead_partner"),
    ("Consult", "ipas:consult", "ipas.consult_activities"),
    ("Duplication", "ipas:duplication_report", "ipas.run_duplication_report"),
    ("Import", "ipas:activity_import", "ipas.import_activities"),
    ("Our flags", "ipas:duplication_mine", "partner_member"),
    ("Meetings", "board:meeting_list", "meeting_reader"),
    ("Pillars", "pillars:pillar_list", "pillars.view_pillar"),
    ("Organisations", "partners:organisation_list", "partners.view_organisation"),
]

# Pages that live elsewhere in the address space but belong to an item's section (the consultation log is
# read from the duplication report).
ALSO_UNDER = {"ipas:duplication_report": ["ipas:consultation_list"]}


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    from pillars.selectors import led_pillar_ids

    items = []
    for label, url_name, perm in NAVIGATION:
        if perm == "lead_partner":
            allowed = bool(led_pillar_ids(user))
        elif perm == "partner_member":
            # Editors and viewers of a partner organisation: the flags on its activities concern them.
            from partners.models import Organisation
            from partners.selectors import organisations_of

            allowed = (
                user.has_perm("ipas.view_activity")
                and organisations_of(user).exclude(participation=Organisation.Participation.OBSERVER).exists()
            )
        elif perm == "meeting_reader":
            # Board members and Lead Partners read meetings and released packs without managing them.
            from board.selectors import is_pack_reader

            allowed = user.has_perm("board.view_meeting") or is_pack_reader(user)
        else:
            allowed = perm is None or user.has_perm(perm)
        if not allowed:
            continue
        try:
            url = reverse(url_name)
        except NoReverseMatch:  # the page belongs to a part of the portal not installed yet
            continue
        items.append(
            {"label": label, "url": url, "active": False, "section": [url, *map(reverse, ALSO_UNDER.get(url_name, []))]}
        )
    # The current page belongs to the item with the longest matching address (/activities/reviews/ is the queue).
    matches = [
        (len(prefix), item)
        for item in items
        for prefix in item["section"]
        if request.path == prefix or (prefix != "/" and request.path.startswith(prefix))
    ]
    if matches:
        max(matches, key=lambda m: m[0])[1]["active"] = True
    return {"nav_items": items}
