"""ipas models: plans (iPAs, objectives, indicators), activities and funding; duplication lives beside them."""

from ipas.models.activities import (
    Activity,
    ActivityBeneficiary,
    ActivityObjective,
    ActivityQuerySet,
    ActivityReview,
    ActivityRevision,
    ActivityTheme,
    Funding,
    FundingNeed,
)
from ipas.models.duplication import (
    Consultation,
    DuplicateFlag,
    DuplicateFlagQuerySet,
    DuplicationExport,
    DuplicationRun,
)
from ipas.models.imports import ActivityImport
from ipas.models.plans import Indicator, IntegratedPlanOfAction, Objective

__all__ = [
    "Activity",
    "ActivityBeneficiary",
    "ActivityImport",
    "ActivityObjective",
    "ActivityQuerySet",
    "ActivityReview",
    "ActivityRevision",
    "ActivityTheme",
    "Consultation",
    "DuplicateFlag",
    "DuplicateFlagQuerySet",
    "DuplicationExport",
    "DuplicationRun",
    "Funding",
    "FundingNeed",
    "Indicator",
    "IntegratedPlanOfAction",
    "Objective",
]
