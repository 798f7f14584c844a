"""Per-category channel switches: honoured for routine messages, overridden by urgent ones."""

import pytest

from civicgrid.core.notifications.actions import do_update_notification_preferences, notify
from civicgrid.core.notifications.choices import Channel, DeliveryStatus
from civicgrid.core.notifications.models import Notification, NotificationPreference
from civicgrid.core.notifications.preferences import ChannelSwitches, preferences_of
from civicgrid.core.notifications.tests.support import ERRAND

pytestmark = pytest.mark.django_db


def switch(user, category, *, in_app=True, sms=True):
    do_update_notification_preferences(
        user, preferences={category: ChannelSwitches(in_app=in_app, sms=sms)}
    )


def test_everything_is_on_until_switched_off(alice):
    assert set(preferences_of(alice).values()) == {ChannelSwitches(in_app=True, sms=True)}


def test_switching_texts_off_keeps_the_inbox(alice):
    switch(alice, "errands", sms=False)
    (notification,) = notify(alice, "test_errand_claimed", ERRAND)
    assert [d.channel for d in notification.deliveries.all()] == [Channel.IN_APP]
    assert notification.in_inbox


def test_switching_the_inbox_off_keeps_the_text_but_hides_the_notification(alice):
    switch(alice, "errands", in_app=False)
    (notification,) = notify(alice, "test_errand_claimed", ERRAND)
    assert [d.channel for d in notification.deliveries.all()] == [Channel.SMS]
    assert not notification.in_inbox
    assert not Notification.objects.for_recipient(alice).exists()


def test_with_every_channel_off_nothing_is_written(alice):
    switch(alice, "errands", in_app=False, sms=False)
    assert notify(alice, "test_errand_claimed", ERRAND) == []
    assert not Notification.objects.exists()


def test_switches_are_per_person_and_per_category(alice, bob):
    switch(alice, "errands", sms=False)
    notify([alice, bob], "test_errand_claimed", ERRAND)
    assert not Notification.objects.get(recipient=alice).deliveries.filter(channel="sms").exists()
    assert Notification.objects.get(recipient=bob).deliveries.filter(channel="sms").exists()
    switch(alice, "learning", in_app=False)
    (errand,) = notify(alice, "test_errand_claimed", ERRAND)
    assert errand.in_inbox


def test_urgent_messages_ignore_the_switches(alice):
    switch(alice, "epidemic", in_app=False, sms=False)
    (notification,) = notify(alice, "test_quarantine_order", {"start": "明日"})
    assert notification.in_inbox
    assert {d.channel: d.status for d in notification.deliveries.all()} == {
        Channel.IN_APP: DeliveryStatus.SENT,
        Channel.SMS: DeliveryStatus.PENDING,
    }


def test_unknown_categories_are_refused(alice):
    with pytest.raises(ValueError):
        switch(alice, "gossip", sms=False)


def test_the_settings_page_offers_the_channels_templates_use_and_saves_them(client, alice):
    client.force_login(alice)
    page = client.get("/notifications/preferences/").content.decode()
    assert 'name="errands__sms"' in page and 'name="errands__in_app"' in page
    assert 'name="learning__in_app"' in page and 'name="learning__sms"' not in page
    assert "紧急通知" in page
    # Unchecked boxes are not submitted: everything not listed is switched off.
    response = client.post("/notifications/preferences/", {"errands__in_app": "on"})
    assert response.status_code == 302
    stored = NotificationPreference.objects.get(user=alice, category="errands")
    assert (stored.in_app, stored.sms) == (True, False)
    assert not NotificationPreference.objects.get(user=alice, category="learning").in_app
    assert "通知设置已保存" in client.get("/notifications/preferences/").content.decode()


def test_the_settings_page_needs_a_signed_in_user(client):
    response = client.get("/notifications/preferences/")
    assert response.status_code == 302
