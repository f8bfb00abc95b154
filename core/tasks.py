"""Background work of the pages that span apps: the weekly summary of the Following page."""
from celery import shared_task
from django.utils import timezone

from .following import send_following_digests


@shared_task
def following_digests_task() -> int:
    """Weekly (beat): email what changed for the entities each user follows, to those who asked."""
    return send_following_digests(today=timezone.localdate())
