"""Errands for tests, in every state, made through the real actions."""

import datetime
import struct
import zlib
from decimal import Decimal

from django.utils import timezone

from civicgrid.accounts.actions import do_grant_role
from civicgrid.accounts.choices import Role
from civicgrid.accounts.models import User
from civicgrid.errands import actions
from civicgrid.errands.actions import ItemInput
from civicgrid.errands.models import Errand
from civicgrid.errands.selectors import resident_destination
from civicgrid.population.tests import factories as pf

COMMUNITY_A1 = pf.COMMUNITY_A1
COMMUNITY_B1 = pf.COMMUNITY_B1


def png_bytes(width: int = 4, height: int = 3) -> bytes:
    """A real (tiny, grey) PNG, built by hand: no imaging library needed."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    rows = b"".join(b"\x00" + b"\x80" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def jpeg_bytes(width: int = 64, height: int = 48, *, gps: bool = False) -> bytes:
    """A real JPEG made with Pillow, optionally with an EXIF GPS block (as phones write)."""
    import io

    from PIL import Image

    image = Image.new("RGB", (width, height), (200, 120, 40))
    exif = Image.Exif()
    if gps:
        exif[0x8825] = {1: "N", 2: (37.0, 52.0, 0.0), 3: "E", 4: (116.0, 3.0, 0.0)}
    output = io.BytesIO()
    image.save(output, "JPEG", exif=exif)
    return output.getvalue()


def resident_home(user, community: str = COMMUNITY_A1, *, grid_index: int = 0, room: str = "301"):
    """Put `user` (a resident) in the register, in a household of `community`."""
    home = pf.household(community, grid_index=grid_index, room=room)
    person = pf.person(home, user.full_name or "王芳")
    user.id_number = person.id_number.reveal()
    if not user.mobile:
        user.mobile = f"139{user.pk:08d}"
    user.save()
    return home


def volunteer(username: str, organisation) -> User:
    """Another volunteer of `organisation`'s team (a volunteer team organisation)."""
    user = User.objects.create_user(username, full_name=username)
    do_grant_role(user=user, organisation=organisation, role=Role.VOLUNTEER)
    return User.objects.get(pk=user.pk)


def open_errand(requester, *, budget: str = "50", hours: int = 3, items=None) -> Errand:
    if not Errand.objects.filter(requester=requester).exists() and not requester.id_number:
        resident_home(requester)
    now = timezone.now()
    return actions.do_post_errand(
        requester,
        destination=resident_destination(requester),
        posted_via="self",
        kind="groceries",
        items=items or [ItemInput("西红柿", 2, "斤"), ItemInput("鸡蛋", 1, "盒")],
        budget=budget,
        window_start=now,
        window_end=now + datetime.timedelta(hours=hours),
        dropoff_instructions="放门口鞋柜上",
    )


def claimed_errand(requester, by) -> Errand:
    return actions.do_claim_errand(by, errand=open_errand(requester))


def bought_errand(requester, by, *, amount: str = "45.50", receipt: bool = True) -> Errand:
    return actions.do_mark_bought(
        by,
        errand=claimed_errand(requester, by),
        amount=amount,
        receipt=png_bytes() if receipt else None,
    )


def delivered_errand(requester, by, *, amount: str = "45.50") -> Errand:
    errand = bought_errand(requester, by, amount=amount)
    return actions.do_mark_delivered(by, errand=errand, code=errand.handoff_code)


def confirmed_errand(requester, by, *, amount: str = "45.50") -> Errand:
    errand = delivered_errand(requester, by, amount=amount)
    return actions.do_confirm_delivery(requester, errand=errand)


def money(text: str) -> Decimal:
    return Decimal(text)
