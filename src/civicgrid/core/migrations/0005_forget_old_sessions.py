from django.db import migrations


def forget_old_sessions(apps, schema_editor):
    """Empty Django's own session table: 0004 moved the live sessions to core_session, and
    what stays behind would be signed-in sessions that nothing reads or expires."""
    apps.get_model("sessions", "Session").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0004_session"),
        ("sessions", "0001_initial"),
    ]

    operations = [migrations.RunPython(forget_old_sessions, migrations.RunPython.noop)]
