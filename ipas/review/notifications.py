"""E-mails about iPA entries. Called from Celery tasks, after the change they report was committed."""

from datetime import timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.urls import reverse
from django.utils import timezone

from ipas.models import ActivityReview
from partners.models import User
from pillars.models import Pillar


def _absolute(path: str) -> str:
    return f"{settings.PORTAL_BASE_URL.rstrip('/')}{path}"


def lead_partner_reviewers(pillar: Pillar) -> list[User]:
    """Members of the pillar's Lead and Co-Lead Partner organisations."""
    return list(
        User.objects.filter(
            is_active=True, memberships__organisation__in=[org.pk for org in pillar.lead_organisations]
        ).distinct()
    )


def notify_reviewers_of_submission(activity_id: int, round_: int) -> int:
    sent = 0
    reviews = ActivityReview.objects.filter(activity_id=activity_id, round=round_, state=ActivityReview.State.PENDING)
    for review in reviews.select_related("activity__organisation", "pillar"):
        recipients = [
            u.email
            for u in lead_partner_reviewers(review.pillar)
            if not u.memberships.filter(organisation=review.activity.organisation).exists()
        ]
        if not recipients:
            continue
        activity = review.activity
        send_mail(
            subject=f"[IISG {review.pillar.code}] Entry to review: {activity.title}",
            message=(
                f"{activity.organisation} submitted an iPA entry for {review.pillar.code}:\n\n"
                f"  {activity.title}\n\n"
                f"Approve it or return it with a comment: {_absolute(reverse('ipas:review_detail', args=[review.pk]))}\n"
            ),
            from_email=None,
            recipient_list=recipients,
        )
        sent += 1
    return sent


def notify_submitter_of_decision(review_id: int) -> bool:
    review = ActivityReview.objects.select_related("activity", "pillar", "submitted_by", "decided_by").get(pk=review_id)
    if review.submitted_by is None or review.state not in (
        ActivityReview.State.APPROVED,
        ActivityReview.State.RETURNED,
    ):
        return False
    activity = review.activity
    verdict = "approved" if review.state == ActivityReview.State.APPROVED else "returned"
    body = f"The {review.pillar.code} Lead Partner {verdict} your entry “{activity.title}”.\n"
    if review.comment:
        body += f"\nComment: {review.comment}\n"
    body += f"\nOpen it: {_absolute(reverse('ipas:activity_detail', args=[activity.pk]))}\n"
    send_mail(
        subject=f"[IISG {review.pillar.code}] Your entry was {verdict}: {activity.title}",
        message=body,
        from_email=None,
        recipient_list=[review.submitted_by.email],
    )
    return True


def send_review_digest(*, older_than_days: int = 14) -> int:
    """One e-mail per pillar to its Lead Partners listing entries waiting more than `older_than_days`."""
    cutoff = timezone.now() - timedelta(days=older_than_days)
    sent = 0
    for pillar in Pillar.objects.all():
        waiting = list(
            ActivityReview.objects.filter(pillar=pillar, state=ActivityReview.State.PENDING, submitted_at__lt=cutoff)
            .select_related("activity__organisation")
            .order_by("submitted_at")
        )
        recipients = [u.email for u in lead_partner_reviewers(pillar)]
        if not waiting or not recipients:
            continue
        now = timezone.now()
        lines = [
            f"- {r.activity.title} ({r.activity.organisation}), waiting {(now - r.submitted_at).days} days"
            for r in waiting
        ]
        send_mail(
            subject=f"[IISG {pillar.code}] {len(waiting)} entries waiting more than {older_than_days} days",
            message="These iPA entries wait for your review:\n\n"
            + "\n".join(lines)
            + f"\n\nReview queue: {_absolute(reverse('ipas:review_queue'))}\n",
            from_email=None,
            recipient_list=recipients,
        )
        sent += 1
    return sent
