"""ipas models: plans (iPAs, objectives, indicators), activities and funding; duplication lives beside them."""

from ipas.models.activities import (
    Activity,
    ActivityObjective,
    ActivityQuerySet,
    ActivityReview,
    ActivityRevision,
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
    "ActivityImport",
    "ActivityObjective",
    "ActivityQuerySet",
    "ActivityReview",
    "ActivityRevision",
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
