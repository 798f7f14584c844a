"""Access to one notification: the object, or 404 for "missing" and "not yours" alike."""

from django.http import Http404

from civicgrid.core.notifications.models import Notification
from civicgrid.core.types import Account


def access_notification_for_user(user: Account, notification_id: int) -> Notification:
    notification = Notification.objects.for_recipient(user).filter(pk=notification_id).first()
    if notification is None:
        raise Http404("没有这条通知")
    return notification
