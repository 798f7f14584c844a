"""Demo errands in 东南关 (阜城镇): needs open, claimed, delivered and confirmed, through the
real actions. The demo residents get households in the community's first grid (through the
register's actions) so their needs have an address; the demo volunteers are already on the
community's volunteer team (`accounts.demo`). Idempotent: does nothing once any errand exists
in the community."""

import datetime
import io

from django.db import transaction
from django.utils import timezone

from civicgrid.accounts.demo import COMMUNITY
from civicgrid.accounts.models import User
from civicgrid.errands import actions
from civicgrid.errands.actions import ItemInput
from civicgrid.errands.models import Errand
from civicgrid.errands.selectors import destination_for_others, resident_destination
from civicgrid.population.actions import do_create_household, do_register_person
from civicgrid.population.choices import Relationship
from civicgrid.population.declarations import person_of
from civicgrid.regions.models import Division, Grid

ROOMS = {"resident_1": ("7号楼", "1单元", "301"), "resident_2": ("7号楼", "2单元", "502"),
         "resident_3": ("9号楼", "1单元", "101")}  # fmt: skip


def _receipt() -> bytes:
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (360, 480), "white")
    draw = ImageDraw.Draw(image)
    for row in range(8):
        draw.line((30, 60 + row * 45, 330, 60 + row * 45), fill=(160, 160, 160), width=3)
    output = io.BytesIO()
    image.save(output, "JPEG", quality=80)
    return output.getvalue()


def _home(user: User) -> None:
    """A household for a demo resident who is not in the register yet."""
    if person_of(user) is not None or not user.id_number:
        return
    grid = Grid.objects.filter(division_id=COMMUNITY).order_by("number").first()
    building, unit, room = ROOMS[user.username]
    home = do_create_household(
        None,
        community=Division.objects.get(code=COMMUNITY),
        grid=grid,
        building=building,
        unit=unit,
        room=room,
        contact_mobile=user.mobile.reveal() if user.mobile else "",
    )
    do_register_person(
        None,
        id_number=user.id_number.reveal(),
        name=user.full_name,
        household=home,
        relationship=Relationship.HEAD,
        mobile=user.mobile.reveal() if user.mobile else "",
    )


def _post(user: User, kind: str, items: list[ItemInput], budget: str, hours: int) -> Errand:
    now = timezone.now()
    return actions.do_post_errand(
        user,
        destination=resident_destination(user),
        posted_via="self",
        kind=kind,
        items=items,
        budget=budget,
        window_start=now,
        window_end=now + datetime.timedelta(hours=hours),
        dropoff_instructions="放在门口鞋柜上，敲门三下",
    )


def do_load_demo_errands() -> int:
    """The demo errands; returns how many were posted (0 when they are already there)."""
    if Errand.objects.filter(division_code=COMMUNITY).exists():
        return 0
    users = {u.username: u for u in User.objects.filter(username__startswith="resident_")}
    users |= {u.username: u for u in User.objects.filter(username__in=[
        "volunteer_1", "volunteer_2", "grid_worker_1"])}  # fmt: skip
    needed = ("resident_1", "resident_2", "resident_3", "volunteer_1", "volunteer_2")
    if any(name not in users for name in needed):
        return 0
    r1, r2, r3 = users["resident_1"], users["resident_2"], users["resident_3"]
    v1, v2 = users["volunteer_1"], users["volunteer_2"]
    with transaction.atomic():
        for resident in (r1, r2, r3):
            _home(resident)
        _post(r1, "groceries", [ItemInput("西红柿", 2, "斤"), ItemInput("鸡蛋", 1, "盒"),
              ItemInput("挂面", 2, "把")], "60", 4)  # fmt: skip
        claimed = _post(r2, "medicine", [ItemInput("布洛芬缓释胶囊", 1, "盒"),
                        ItemInput("医用口罩", 2, "包")], "80", 3)  # fmt: skip
        actions.do_claim_errand(v1, errand=claimed)
        delivered = _post(r3, "daily_goods", [ItemInput("洗衣液", 1, "瓶"),
                          ItemInput("卫生纸", 1, "提")], "50", 2)  # fmt: skip
        actions.do_claim_errand(v2, errand=delivered)
        actions.do_mark_bought(v2, errand=delivered, amount="36.80", receipt=_receipt())
        actions.do_mark_delivered(v2, errand=delivered, code=delivered.handoff_code)
        done = _post(r1, "groceries", [ItemInput("白菜", 1, "棵"), ItemInput("土豆", 3, "斤")],
                     "40", 2)  # fmt: skip
        actions.do_claim_errand(v1, errand=done)
        actions.do_mark_bought(v1, errand=done, amount="28.50", receipt=_receipt())
        actions.do_mark_delivered(v1, errand=done, code=done.handoff_code)
        actions.do_confirm_delivery(r1, errand=done)
        posted = 4
        if "grid_worker_1" in users:
            gw = users["grid_worker_1"]
            now = timezone.now()
            actions.do_post_errand(
                gw,
                destination=destination_for_others(
                    gw,
                    community_code=COMMUNITY,
                    building="3号楼",
                    unit="1单元",
                    room="102",
                    contact_name="孙桂兰",
                    contact_mobile="",
                ),
                posted_via="grid_worker",
                kind="medicine",
                items=[ItemInput("降压药（硝苯地平缓释片）", 2, "盒")],
                budget="45",
                window_start=now,
                window_end=now + datetime.timedelta(hours=5),
                dropoff_instructions="独居老人，请敲门后当面交给本人",
                contactless=False,
            )
            posted += 1
    return posted
