"""Notifications: one mechanism every module uses for reminders and status changes.

Public API (see README section in `actions.py` and `registry.py`):

- `registry.register_template(...)` in an app's `notification_templates.py` (autodiscovered);
- `actions.notify(recipients, template_code, context, urgent=None, url="")` inside an action.
"""
