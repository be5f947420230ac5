"""Hand-written activity texts for duplication tests (a funded activity and its reworded twin from another
donor, unrelated activities around them) and a builder of activities from them. Plain data: any test may
import it."""

from datetime import date

from tests.ipas.factories import ActivityFactory, FundingFactory, ObjectiveFactory
from tests.partners.factories import OrganisationFactory

ORIGINAL = (
    "Regional training on financial investigations and asset recovery for prosecutors",
    "The action brings together 40 prosecutors from the Prosecutor's Office for Organised Crime and the "
    "Financial Intelligence Unit in Belgrade. Sessions cover parallel financial investigations, confiscation "
    "of criminal assets and beneficial ownership registers. A handbook on asset tracing is drafted with the "
    "Belgrade Police Directorate and published in Serbian.",
)
REWORDED = (
    "Prosecutors: course on asset recovery and financial investigations (phase II)",
    "Convenes 40 public prosecutors of the Prosecutor's Office for Organised Crime and the Financial "
    "Intelligence Unit in Belgrade. The sessions address confiscation of criminal assets, parallel financial "
    "investigatons and registers of beneficial ownership. A manual on asset tracing is prepared with the "
    "Belgrade Police Directorate and published in Serbian. Local ownership is a guiding principle.",
)
UNRELATED = [
    (
        "Thermal cameras for the green border",
        "Border police stations on the green border receive thermal imaging cameras, drones and patrol "
        "vehicles; mountain passes and forests are covered by night patrols.",
    ),
    (
        "Referral mechanisms for radicalised youth in municipalities",
        "Municipal safety councils, social workers, psychologists and imams agree case management protocols "
        "for young people at risk of radicalisation.",
    ),
    (
        "Digital forensics laboratory for the cybercrime unit",
        "Mobile phone extraction software, servers and training on electronic evidence and chain of custody "
        "for the cybercrime unit.",
    ),
]


def objective_in(pillar_code: str):
    """A new objective of the pillar's (one) iPA."""
    from ipas.models import IntegratedPlanOfAction
    from tests.ipas.factories import IntegratedPlanOfActionFactory
    from tests.pillars.factories import PillarFactory

    ipa = IntegratedPlanOfAction.objects.filter(pillar__code=pillar_code).first()
    return ObjectiveFactory(ipa=ipa or IntegratedPlanOfActionFactory(pillar=PillarFactory(code=pillar_code)))


def activity_with_text(
    text,
    *,
    countries=("RS",),
    start=date(2025, 1, 1),
    end=date(2025, 12, 31),
    donor=None,
    funded=True,
    pillar="WBCSCi",
    **kwargs,
):
    kwargs.setdefault("objective", objective_in(pillar))
    activity = ActivityFactory(
        title=text[0], description=text[1], countries=list(countries), planned_start=start, planned_end=end, **kwargs
    )
    if funded:
        FundingFactory(activity=activity, donor=donor or OrganisationFactory(type="third_state_donor"))
    return activity
