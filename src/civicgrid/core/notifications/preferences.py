"""Per-person channel switches, read with their defaults filled in.

Rules (applied by `actions.notify`):

- Each category has two switches, in-app and SMS, both on unless the person turned them off.
- A template only ever uses the channels it declares; switches can only remove channels.
- Urgent notifications ignore the switches: they go to the inbox and, if the template declares
  SMS, by text message, at once (quiet hours do not apply either). Urgency is for messages a
  person must not miss (quarantine orders, close-contact alerts, same-day cancellations), and is
  set by code, never by administrators.
"""

from dataclasses import dataclass

from civicgrid.core.notifications.choices import NotificationCategory
from civicgrid.core.notifications.models import NotificationPreference
from civicgrid.core.notifications.registry import registered_templates
from civicgrid.core.types import Account


@dataclass(frozen=True)
class ChannelSwitches:
    in_app: bool = True
    sms: bool = True


def preferences_of(user: Account) -> dict[str, ChannelSwitches]:
    """Every category's switches for `user`, defaults included (one query)."""
    stored = {
        p.category: ChannelSwitches(in_app=p.in_app, sms=p.sms)
        for p in NotificationPreference.objects.filter(user=user)
    }
    return {c: stored.get(c, ChannelSwitches()) for c in NotificationCategory.values}


def channels_by_category() -> dict[str, set[str]]:
    """The channels the registered templates of each category can use (for the settings page)."""
    channels: dict[str, set[str]] = {}
    for template in registered_templates():
        channels.setdefault(template.category, set()).update(template.channels)
    return {c: channels[c] for c in NotificationCategory.values if c in channels}
