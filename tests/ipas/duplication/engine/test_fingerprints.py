"""What a settled pair is remembered by, without a database."""

from ipas.duplication.engine.fingerprints import fingerprint, material_changes
from tests.ipas.duplication.engine.corpora import AUSTRIA, BORDER_POLICE, BORDER_POLICE_DONOR_LINE, EU, SLOVENIA


def fields(text, *, donors=(EU,), countries=("ME",), end="2025-12-31") -> dict:
    """An activity's material fields as `material.material_fields` reads them."""
    names = {EU: "EU DG NEAR", AUSTRIA: "Austria BMI", SLOVENIA: "Slovenia MoI"}
    return {
        "title": text[0],
        "description": text[1],
        "start": "2025-01-01",
        "end": end,
        "donors": sorted(donors),
        "donor_names": {str(x): names[x] for x in donors},
        "countries": sorted(countries),
    }


A, B = fields(BORDER_POLICE), fields(BORDER_POLICE_DONOR_LINE, donors=(AUSTRIA,))


def test_case_and_spacing_are_not_material():
    shouted = {**B, "title": "  " + B["title"].upper(), "description": B["description"].replace(" ", "   ")}
    assert fingerprint(A, shouted) == fingerprint(A, B)
    assert material_changes(B, shouted, "B") == []


def test_dates_donors_and_beneficiaries_are_material_and_say_what_changed():
    later = fields(BORDER_POLICE_DONOR_LINE, donors=(SLOVENIA,), countries=("ME", "AL"), end="2026-06-30")
    assert fingerprint(A, later) != fingerprint(A, B)
    assert material_changes(B, later, "B") == [
        "B: donors Austria BMI → Slovenia MoI",
        "B: beneficiaries ME → AL, ME",
        "B: end date 2025-12-31 → 2026-06-30",
    ]
    # A donor renamed is the same donor: ids are remembered, names only shown.
    renamed = {**B, "donor_names": {str(AUSTRIA): "Austria – Federal Ministry of the Interior"}}
    assert fingerprint(A, renamed) == fingerprint(A, B)
