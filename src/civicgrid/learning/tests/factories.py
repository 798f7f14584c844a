"""Topics, articles, quizzes and residents with a community, made through the real actions."""

import datetime
import io
import itertools

from PIL import Image

from civicgrid.core.idcard import make_id_number
from civicgrid.learning import actions
from civicgrid.learning.choices import QuestionKind
from civicgrid.learning.models import Article, Quiz, Topic
from civicgrid.population.declarations import MemberInput, do_declare_household
from civicgrid.regions.models import Division

COUNTY_A = "131128000000"
COUNTY_B = "131127000000"
PROVINCE = "130000000000"
COMMUNITY_A1 = "131128100001"
COMMUNITY_B1 = "131127100005"

_serial = itertools.count(1)


def topic(name: str = "个人防护", slug: str = "protection") -> Topic:
    return Topic.objects.get_or_create(slug=slug, defaults={"name": name})[0]


def article(
    author, division_code: str = COUNTY_A, *, publish: bool = True, title: str = "勤洗手"
) -> Article:
    made = actions.do_create_article(
        author,
        division_code=division_code,
        data=actions.ArticleInput(
            title=title,
            topic=topic(),
            body="<p>用流动水和肥皂洗手，至少 20 秒。</p>",
            verified_by="阜城县疾病预防控制中心审核",
        ),
    )
    return actions.do_publish_article(author, article=made) if publish else made


def single(text: str = "洗手至少应持续多久？") -> actions.QuestionInput:
    return actions.QuestionInput(
        text=text,
        kind=QuestionKind.SINGLE,
        explanation="七步洗手法全程不少于 20 秒。",
        choices=[actions.ChoiceInput("5 秒"), actions.ChoiceInput("20 秒", is_correct=True)],
    )


def multiple(text: str = "哪些场合应佩戴口罩？") -> actions.QuestionInput:
    return actions.QuestionInput(
        text=text,
        kind=QuestionKind.MULTIPLE,
        explanation="人员密集的室内场所和就医时都应佩戴口罩。",
        choices=[
            actions.ChoiceInput("乘坐公共交通", is_correct=True),
            actions.ChoiceInput("就医", is_correct=True),
            actions.ChoiceInput("独自在家"),
        ],
    )


def quiz(
    author, division_code: str = COUNTY_A, *, publish: bool = True, pass_percent: int = 100
) -> Quiz:
    made = actions.do_create_quiz(
        author,
        division_code=division_code,
        data=actions.QuizInput(
            title="防护知识小测", questions=[single(), multiple()], pass_percent=pass_percent
        ),
    )
    return actions.do_publish_quiz(author, quiz=made) if publish else made


def right_answers(quiz: Quiz) -> dict[int, list[int]]:
    return {
        q.pk: [c.pk for c in q.choices.all() if c.is_correct]
        for q in quiz.questions.prefetch_related("choices")
    }


def wrong_answers(quiz: Quiz) -> dict[int, list[int]]:
    return {
        q.pk: [next(c.pk for c in q.choices.all() if not c.is_correct)]
        for q in quiz.questions.prefetch_related("choices")
    }


def live_in(resident, community_code: str = COMMUNITY_A1):
    """Give a resident a community, as a resident does: by declaring their household."""
    number = make_id_number(community_code[:6], datetime.date(1985, 6, 1), next(_serial))
    return do_declare_household(
        resident,
        community=Division.objects.get(code=community_code),
        building="3号楼",
        unit="",
        room=f"{next(_serial)}",
        contact_mobile="",
        members=[MemberInput("测试居民", number, "head", True)],
    )


def png_bytes(size: tuple[int, int] = (40, 30), fmt: str = "PNG") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 60, 40)).save(out, fmt)
    return out.getvalue()
