"""The consult-before-planning API: POST a concept, get the closest activities the caller may see.

Same answer and same record as the page (ipas/consult/views.py): both call `consultation_make`.
"""

from __future__ import annotations

from contextlib import nullcontext

import pghistory
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework import permissions, serializers, status
from rest_framework.parsers import JSONParser
from rest_framework.response import Response
from rest_framework.views import APIView

from iisg_portal.errors import PortalError
from ipas.consult.selectors import CONSULT_PERM, beneficiary_codes, organisation_label_map, pillar_ids_by_code
from ipas.consult.services import ConsultAnswer, consultation_make
from ipas.duplication import engine
from partners.models import ApiKey


class ConceptSerializer(serializers.Serializer):
    """A planned initiative. Reference values are checked against per-process lists (re-read when a value
    is not in them), so a valid request reads no reference table."""

    title = serializers.CharField(min_length=1, max_length=300)
    description = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=engine.CONCEPT_DESCRIPTION_MAX_LENGTH
    )
    beneficiaries = serializers.ListField(
        child=serializers.CharField(max_length=2),
        required=False,
        default=list,
        help_text="ISO codes of the beneficiary countries, e.g. RS, ME.",
    )
    pillar = serializers.CharField(required=False, allow_null=True, default=None, help_text="Pillar code, e.g. WBCTi.")
    start = serializers.DateField(required=False, allow_null=True, default=None)
    end = serializers.DateField(required=False, allow_null=True, default=None)
    intended_donor = serializers.IntegerField(
        required=False, allow_null=True, default=None, help_text="Id of the organisation expected to fund it."
    )

    def validate_beneficiaries(self, value: list[str]) -> list[str]:
        codes = sorted({code.strip().upper() for code in value if code.strip()})
        known = beneficiary_codes(codes)
        unknown = [code for code in codes if code not in known]
        if unknown:
            raise serializers.ValidationError(f"Unknown beneficiary: {', '.join(unknown)}.")
        return codes

    def validate_pillar(self, value: str | None) -> int | None:
        if value in (None, ""):
            return None
        pillars = pillar_ids_by_code([value])
        if value not in pillars:
            raise serializers.ValidationError(f"Unknown pillar: {value}.")
        return pillars[value]

    def validate_intended_donor(self, value: int | None) -> int | None:
        if value is not None and value not in organisation_label_map([value]):
            raise serializers.ValidationError("Unknown organisation.")
        return value

    def validate(self, attrs: dict) -> dict:
        if attrs.get("start") and attrs.get("end") and attrs["end"] < attrs["start"]:
            raise serializers.ValidationError({"end": ["The end comes before the start."]})
        return attrs

    def concept(self) -> engine.Concept:
        data = self.validated_data
        return engine.Concept(
            title=data["title"],
            description=data.get("description") or "",
            beneficiaries=list(data.get("beneficiaries") or []),
            pillar_id=data.get("pillar"),
            start=data.get("start"),
            end=data.get("end"),
            donor_id=data.get("intended_donor"),
        )


# --- The answer (documented with serializers, built as plain dicts: it is the hot path) ---------------


class MatchedActivitySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    organisation = serializers.CharField()
    status = serializers.CharField()
    start = serializers.DateField()
    end = serializers.DateField()


class MatchSerializer(serializers.Serializer):
    activity = MatchedActivitySerializer()
    score = serializers.FloatField(help_text="0-1: how close the activity is to the concept.")
    closeness = serializers.ChoiceField(
        choices=["flagged", "worth a look", "distant"],
        help_text="flagged: as close as the pairs the duplication report flags; worth a look: below that but near.",
    )
    reasons = serializers.ListField(child=serializers.CharField())
    title_similarity = serializers.FloatField()
    description_similarity = serializers.FloatField()


class ObjectiveSuggestionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    label = serializers.CharField()
    weight = serializers.FloatField()


class ConsultAnswerSerializer(serializers.Serializer):
    consultation = serializers.IntegerField(help_text="Id of the recorded consultation.")
    matches = MatchSerializer(many=True)
    objectives = ObjectiveSuggestionSerializer(many=True)


def answer_data(answer: ConsultAnswer) -> dict:
    def day(value):
        return value.isoformat() if value else None

    return {
        "consultation": answer.consultation.pk,
        "matches": [
            {
                "activity": {**m.activity, "start": day(m.activity["start"]), "end": day(m.activity["end"])},
                "score": round(m.score, 4),
                "closeness": m.closeness,
                "reasons": m.reasons,
                "title_similarity": round(float(m.title_similarity), 4),
                "description_similarity": round(float(m.description_similarity), 4),
            }
            for m in answer.matches
        ],
        "objectives": [{"id": pk, "label": label, "weight": weight} for pk, weight, label in answer.objectives],
    }


class MayConsult(permissions.BasePermission):
    message = "You may not consult activities."

    def has_permission(self, request, view) -> bool:
        return bool(request.user and request.user.is_authenticated and request.user.has_perm(CONSULT_PERM))


class ConsultAPIView(APIView):
    """Consult before planning: is anyone already doing this?"""

    permission_classes = [permissions.IsAuthenticated, MayConsult]
    parser_classes = [JSONParser]  # one documented body: JSON

    @extend_schema(
        operation_id="consult",
        summary="Check a planned concept against existing and planned activities",
        description=(
            "Answers the closest activities the caller may see, with scores and reasons, and the iPA objectives "
            "the concept seems to serve. The consultation is recorded for the Support Group."
        ),
        request=ConceptSerializer,
        responses={
            200: ConsultAnswerSerializer,
            400: OpenApiResponse(description="Invalid concept: messages by field."),
            401: OpenApiResponse(description="No session and no API key, or an unknown or revoked key."),
            403: OpenApiResponse(description="No permission to consult."),
            409: OpenApiResponse(description="A rule of the portal prevents it: the message says which."),
        },
        examples=[
            OpenApiExample(
                "Concept",
                request_only=True,
                value={
                    "title": "Training on asset recovery for prosecutors",
                    "description": "Tracing criminal assets with the Financial Intelligence Unit.",
                    "beneficiaries": ["RS", "ME"],
                    "pillar": "WBCSCi",
                    "start": "2026-03-01",
                    "end": "2026-12-31",
                    "intended_donor": None,
                },
            )
        ],
    )
    def post(self, request):
        serializer = ConceptSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        # A call made with an API key names it in the audit trail: after a leak, its calls can be told apart.
        key_id = getattr(request.auth, "pk", None) if isinstance(request.auth, ApiKey) else None
        try:
            with pghistory.context(api_key=key_id) if key_id else nullcontext():
                answer = consultation_make(actor=request.user, concept=serializer.concept())
        except PortalError as exc:
            if exc.field:
                return Response({exc.field: [exc.message]}, status=status.HTTP_400_BAD_REQUEST)
            return Response({"detail": exc.message}, status=status.HTTP_409_CONFLICT)
        return Response(answer_data(answer))
