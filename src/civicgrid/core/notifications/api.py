"""The signed-in user's notifications as JSON (session auth), mounted at /api/v1/notifications."""

from datetime import datetime

from ninja import Field, Query, Router, Schema
from ninja.security import django_auth

from civicgrid.core.notifications.access import access_notification_for_user
from civicgrid.core.notifications.actions import (
    do_mark_all_notifications_read,
    do_mark_notification_read,
    do_update_notification_preferences,
)
from civicgrid.core.notifications.choices import NotificationCategory
from civicgrid.core.notifications.models import Notification
from civicgrid.core.notifications.preferences import ChannelSwitches, preferences_of
from civicgrid.core.paging import Paging
from civicgrid.core.types import Account, AccountRequest

router = Router(tags=["notifications"], auth=django_auth)


class NotificationSchema(Schema):
    id: int
    category: str = Field(description="类别代码，如 errands、epidemic")
    category_label: str = Field(description="类别名称")
    urgent: bool
    title: str
    body: str
    url: str = Field(description="相关页面的站内路径，可能为空")
    created_at: datetime
    read_at: datetime | None

    @staticmethod
    def resolve_category_label(obj: Notification) -> str:
        return str(obj.get_category_display())


class NotificationPageSchema(Schema):
    count: int = Field(description="符合条件的通知总数")
    unread_count: int = Field(description="未读通知数")
    items: list[NotificationSchema]


class ListFilters(Paging):
    unread_only: bool = Field(False, description="只列出未读通知")


class UnreadCountSchema(Schema):
    unread_count: int


class MarkedSchema(Schema):
    marked: int = Field(description="本次标为已读的条数")


class PreferenceSchema(Schema):
    category: NotificationCategory
    in_app: bool = Field(description="接收站内消息")
    sms: bool = Field(description="接收短信")


@router.get(
    "",
    response=NotificationPageSchema,
    summary="我的通知（未读在前）",
    url_name="notifications_list",
)
def list_notifications(request: AccountRequest, filters: Query[ListFilters]) -> dict[str, object]:
    mine = Notification.objects.for_recipient(request.user)
    unread_count = mine.unread().count()
    chosen = mine.unread() if filters.unread_only else mine
    count = unread_count if filters.unread_only else chosen.count()
    end = filters.offset + filters.limit
    items = list(chosen.unread_first()[filters.offset : end])
    return {"count": count, "unread_count": unread_count, "items": items}


@router.get(
    "/unread-count",
    response=UnreadCountSchema,
    summary="未读通知数",
    url_name="notifications_unread_count",
)
def unread_count(request: AccountRequest) -> dict[str, int]:
    return {"unread_count": Notification.objects.for_recipient(request.user).unread().count()}


@router.post(
    "/read-all", response=MarkedSchema, summary="全部标为已读", url_name="notifications_read_all"
)
def mark_all_read(request: AccountRequest) -> dict[str, int]:
    return {"marked": do_mark_all_notifications_read(request.user)}


@router.post(
    "/{notification_id}/read",
    response=NotificationSchema,
    summary="标为已读",
    url_name="notifications_mark_read",
)
def mark_read(request: AccountRequest, notification_id: int) -> Notification:
    notification = access_notification_for_user(request.user, notification_id)
    return do_mark_notification_read(request.user, notification)


@router.get(
    "/preferences",
    response=list[PreferenceSchema],
    summary="我的通知设置",
    url_name="notifications_preferences",
)
def get_preferences(request: AccountRequest) -> list[dict[str, object]]:
    return _preference_rows(request.user)


@router.put(
    "/preferences",
    response=list[PreferenceSchema],
    summary="修改通知设置",
    url_name="notifications_preferences",
)
def put_preferences(
    request: AccountRequest, payload: list[PreferenceSchema]
) -> list[dict[str, object]]:
    do_update_notification_preferences(
        request.user,
        preferences={
            row.category: ChannelSwitches(in_app=row.in_app, sms=row.sms) for row in payload
        },
    )
    return _preference_rows(request.user)


def _preference_rows(user: Account) -> list[dict[str, object]]:
    return [
        {"category": category, "in_app": switches.in_app, "sms": switches.sms}
        for category, switches in preferences_of(user).items()
    ]
