"""Gates: who may create them, signed tokens, revocation, the poster read by a real QR decoder."""

import io
from urllib.parse import urlparse

import pypdfium2
import pytest
import zxingcpp
from django.core.exceptions import PermissionDenied, ValidationError

from civicgrid.community import actions, tokens
from civicgrid.community.choices import Proof
from civicgrid.community.models import Checkpoint
from civicgrid.community.tests import factories as f

pytestmark = pytest.mark.django_db


def test_community_staff_create_a_gate_of_their_community(personas):
    staff = f.community_staff(personas)
    gate = actions.do_create_checkpoint(staff, division_code=f.COMMUNITY_A1, name="东门")
    assert gate.division_code == f.COMMUNITY_A1 and gate.token_version == 1


@pytest.mark.parametrize("persona", ["grid_worker_a1", "county_a_officer", "resident_a"])
def test_others_may_not_create_gates(personas, persona):
    with pytest.raises(PermissionDenied):
        actions.do_create_checkpoint(
            personas.users[persona], division_code=f.COMMUNITY_A1, name="西门"
        )
    assert not Checkpoint.objects.exists()


def test_a_gate_belongs_to_a_community_and_its_name_is_unique_there(personas):
    staff = f.community_staff(personas)
    with pytest.raises(ValidationError) as error:
        actions.do_create_checkpoint(staff, division_code="131128100000", name="东门")
    assert "社区" in error.value.message_dict["division_code"][0]
    actions.do_create_checkpoint(staff, division_code=f.COMMUNITY_A1, name="东门")
    with pytest.raises(ValidationError) as error:
        actions.do_create_checkpoint(staff, division_code=f.COMMUNITY_A1, name=" 东门 ")
    assert "已有名为“东门”" in error.value.message_dict["name"][0]


def test_a_poster_token_verifies_and_names_its_gate(personas):
    gate = f.checkpoint(personas)
    checked = tokens.check_token(tokens.poster_token(gate))
    assert checked.checkpoint == gate and checked.proof == Proof.POSTER


@pytest.mark.parametrize(
    ("mangle", "code"),
    [
        (lambda t: t[:-2] + ("AA" if not t.endswith("AA") else "BB"), "forged"),
        (lambda t: t.replace("P.", "P.9", 1), "forged"),  # another gate, same signature
        (lambda t: "P.1.1.short", "malformed"),
        (lambda t: "", "malformed"),
        (lambda t: t + "/../x", "malformed"),
    ],
)
def test_forged_and_malformed_tokens_are_refused(personas, mangle, code):
    token = tokens.poster_token(f.checkpoint(personas))
    with pytest.raises(tokens.TokenError) as error:
        tokens.check_token(mangle(token))
    assert error.value.code == code


def test_revoking_voids_posters_and_tablet_codes_printed_before(personas):
    gate = f.checkpoint(personas)
    old_poster, old_tablet = tokens.poster_token(gate), tokens.tablet_token(gate)
    actions.do_revoke_checkpoint_codes(f.community_staff(personas), checkpoint=gate)
    for token in (old_poster, old_tablet):
        with pytest.raises(tokens.TokenError) as error:
            tokens.check_token(token)
        assert error.value.code == "revoked" and "作废" in error.value.message
    assert tokens.check_token(tokens.poster_token(gate)).proof == Proof.POSTER


def test_a_deactivated_gate_refuses_its_codes(personas):
    gate = f.checkpoint(personas)
    actions.do_set_checkpoint_active(f.community_staff(personas), checkpoint=gate, active=False)
    with pytest.raises(tokens.TokenError) as error:
        tokens.check_token(tokens.poster_token(gate))
    assert error.value.code == "inactive"


def test_staff_take_a_gate_out_of_use_on_its_page_and_back(client, personas):
    gate = f.checkpoint(personas)
    client.force_login(f.community_staff(personas))
    page = client.get("/community/checkpoints/").content.decode()
    assert f"/community/checkpoints/{gate.pk}/active/" in page and "停用卡口" in page

    response = client.post(f"/community/checkpoints/{gate.pk}/active/", {"active": "0"})
    assert response.status_code == 302
    gate.refresh_from_db()
    assert not gate.is_active
    with pytest.raises(tokens.TokenError):
        tokens.check_token(tokens.poster_token(gate))
    page = client.get("/community/checkpoints/").content.decode()
    assert "已停用" in page and "重新启用" in page

    client.post(f"/community/checkpoints/{gate.pk}/active/", {"active": "1"})
    gate.refresh_from_db()
    assert gate.is_active
    assert tokens.check_token(tokens.poster_token(gate)).checkpoint == gate


def test_a_tablet_code_is_live_for_a_minute_then_stale(personas):
    gate = f.checkpoint(personas)
    shown_at = 1_800_000_000.0
    token = tokens.tablet_token(gate, now=shown_at)
    assert tokens.check_token(token, now=shown_at + 5).proof == Proof.LIVE
    assert tokens.check_token(token, now=shown_at + 31).proof == Proof.LIVE
    assert tokens.check_token(token, now=shown_at + 3600).proof == Proof.STALE


def test_the_poster_is_an_a4_pdf_whose_qr_a_real_decoder_reads_as_the_scan_url(client, personas):
    gate = f.checkpoint(personas)
    client.force_login(f.community_staff(personas))
    response = client.get(f"/community/checkpoints/{gate.pk}/poster.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    pdf = pypdfium2.PdfDocument(io.BytesIO(response.content))
    page = pdf[0]
    assert [round(x) for x in page.get_size()] == [595, 842]  # A4 in points
    assert "东门" in page.get_textpage().get_text_range()
    image = page.render(scale=2).to_pil()
    decoded = zxingcpp.read_barcodes(image)
    assert len(decoded) == 1
    url = urlparse(decoded[0].text)
    assert url.path.startswith("/community/s/")
    token = url.path.split("/")[3]
    assert tokens.check_token(token).checkpoint == gate
