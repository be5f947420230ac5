"""Background work of the ipas app. Tasks take ids, re-read the database and are safe to run twice."""

from celery import shared_task

# --- Notifications about iPA entries (sent after commit; safe to run twice: they only send mail) ---


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=3)
def notify_reviewers_of_submission(activity_id: int, round_: int) -> int:
    from ipas import notifications

    return notifications.notify_reviewers_of_submission(activity_id, round_)


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=3)
def notify_submitter_of_decision(review_id: int) -> bool:
    from ipas import notifications

    return notifications.notify_submitter_of_decision(review_id)


@shared_task
def send_review_digest() -> int:
    from ipas import notifications

    return notifications.send_review_digest()
