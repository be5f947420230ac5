"""Background work of the partners app. Tasks take ids and are safe to run twice."""

from celery import shared_task


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def api_key_made_notice(api_key_id: int) -> bool:
    """Tell a person that an API key was made in their name (sent again on retry: a notice, no state)."""
    from django.conf import settings
    from django.core.mail import send_mail

    from partners.models import ApiKey

    key = ApiKey.objects.select_related("user").filter(pk=api_key_id).first()
    if key is None:
        return False
    send_mail(
        subject="IISG portal: a new API key in your name",
        message=(
            f"An API key “{key.name}” ({key.prefix}…) was made in your name on "
            f"{key.created_at:%d %b %Y %H:%M} UTC. Scripts using it consult the portal as you.\n\n"
            f"If you did not make it, revoke it and change your password: {settings.PORTAL_BASE_URL}/accounts/api-keys/"
        ),
        from_email=None,
        recipient_list=[key.user.email],
    )
    return True
