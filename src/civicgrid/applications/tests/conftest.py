import pytest


@pytest.fixture(autouse=True)
def _attachments_in_tmp(settings, tmp_path):  # type: ignore[no-untyped-def]
    """Uploaded files go to a throwaway directory."""
    settings.APPLICATIONS_MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture
def service(personas):  # type: ignore[no-untyped-def]
    """企业投资项目核准 at 阜城县发展和改革局, with a form and a four-step workflow."""
    from civicgrid.applications.tests import factories as f

    return f.item(personas.organisations["department_a"])
