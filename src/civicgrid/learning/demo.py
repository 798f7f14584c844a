"""Demo prevention knowledge (development only): four articles and two quizzes, province-wide,
written and published through the actions by the provincial prevention office's demo officer.

The texts are general public-health advice written for the demo; the "verified by" lines say
so, and a real installation replaces them with its health authority's own material.
"""

import io
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from PIL import Image, ImageDraw

from civicgrid.learning import actions
from civicgrid.learning.choices import QuestionKind
from civicgrid.learning.models import Article, Quiz, Topic
from civicgrid.learning.richtext import image_url

AUTHOR = "hebei_officer"
PROVINCE = "130000000000"
SOURCE = "河北省疾病预防控制中心审核（演示内容）"

TOPICS = [
    ("protection", "个人防护", "洗手、口罩、社交距离"),
    ("disinfection", "居家消毒", "家庭环境清洁与消毒"),
    ("clinics", "就医指引", "发热门诊与就医须知"),
]


@dataclass(frozen=True)
class DemoArticle:
    topic: str
    title: str
    summary: str
    body: str
    picture: bool = False


ARTICLES = [
    DemoArticle(
        "protection",
        "正确洗手：七步洗手法",
        "饭前便后、外出回家、咳嗽打喷嚏后，用流动水和肥皂洗手不少于 20 秒。",
        """<p>勤洗手是预防呼吸道和肠道传染病最简单、最有效的办法之一。</p>
<h2>什么时候要洗手</h2>
<ul><li>外出回家后、饭前便后；</li><li>咳嗽、打喷嚏用手遮挡后；</li>
<li>接触快递、电梯按钮、门把手等公共物品后；</li><li>照顾病人、处理垃圾后。</li></ul>
<h2>七步洗手法</h2>
{picture}
<ol><li>内：掌心相对，手指并拢相互揉搓；</li><li>外：手心对手背沿指缝相互揉搓，交换进行；</li>
<li>夹：掌心相对，双手交叉指缝相互揉搓；</li><li>弓：弯曲手指使关节在另一手掌心旋转揉搓；</li>
<li>大：一手握住另一手大拇指旋转揉搓；</li><li>立：五个指尖并拢放在另一手掌心旋转揉搓；</li>
<li>腕：揉搓手腕，交换进行。</li></ol>
<p>全程<strong>不少于 20 秒</strong>，最后用流动水冲净，用干净毛巾或纸巾擦干。没有条件时，可用含酒精的免洗手消毒剂。</p>""",
        picture=True,
    ),
    DemoArticle(
        "protection",
        "科学佩戴口罩",
        "乘坐公共交通、就医、进入人员密集的室内场所时佩戴口罩，并注意正确戴法。",
        """<h2>这些场合请佩戴口罩</h2>
<ul><li>乘坐公共交通工具、电梯；</li><li>到医院就诊、陪护；</li>
<li>进入超市、商场等人员密集的室内场所；</li><li>出现发热、咳嗽等症状时。</li></ul>
<h2>怎样戴才有效</h2>
<ol><li>戴口罩前先洗手；</li><li>分清内外、上下，有金属条的一边朝上；</li>
<li>拉开褶皱，完全覆盖口鼻和下巴，按压金属条使其贴合鼻梁；</li>
<li>佩戴期间避免用手触摸口罩外侧。</li></ol>
<h2>什么时候更换</h2>
<p>一次性医用口罩建议连续佩戴不超过 4 小时，弄湿、弄脏或破损后立即更换。摘下时捏住耳带，不要触碰外侧，用过的口罩扔进垃圾桶后洗手。</p>""",
    ),
    DemoArticle(
        "disinfection",
        "居家环境清洁与消毒",
        "日常以清洁、通风为主；有人发热或家中来客后，对高频接触的物体表面重点消毒。",
        """<p>普通家庭<strong>以清洁为主、消毒为辅</strong>，不需要大面积喷洒消毒剂。</p>
<h2>每天开窗通风</h2>
<p>每天开窗 2～3 次，每次不少于 30 分钟。通风时注意保暖。</p>
<h2>重点消毒的地方</h2>
<ul><li>门把手、开关、水龙头、手机、遥控器等经常触摸的物体表面；</li>
<li>卫生间马桶圈、洗手池；</li><li>餐具（煮沸 15 分钟即可）。</li></ul>
<h2>消毒剂怎么用</h2>
<table><thead><tr><th>物品</th><th>方法</th></tr></thead>
<tbody><tr><td>物体表面</td><td>含氯消毒剂（有效氯 500 mg/L）擦拭，作用 30 分钟后清水擦净</td></tr>
<tr><td>手机、键盘</td><td>75% 酒精擦拭</td></tr>
<tr><td>餐具、毛巾</td><td>煮沸 15 分钟</td></tr></tbody></table>
<blockquote>84 消毒液不能与洁厕灵等酸性清洁剂混用，会产生有毒的氯气；酒精易燃，不要大面积喷洒，远离明火。</blockquote>""",
    ),
    DemoArticle(
        "clinics",
        "发热了怎么办：发热门诊就诊指引",
        "出现发热等症状，先做好防护，到就近医院发热门诊就诊，途中避免乘坐公共交通。",
        """<h2>出现这些症状时</h2>
<p>体温 37.3 ℃ 及以上，或有咳嗽、咽痛、乏力、腹泻、嗅觉味觉减退等症状。</p>
<h2>就医前</h2>
<ol><li>主动告知社区网格员或村医；</li><li>佩戴医用外科口罩或以上级别口罩；</li>
<li>尽量步行、骑车或自驾前往，避免乘坐公共交通工具。</li></ol>
<h2>就诊时</h2>
<ul><li>到设有<strong>发热门诊</strong>的医疗机构就诊，按指引测温、登记；</li>
<li>如实告诉医生近 14 天的行程和接触史；</li><li>与其他患者保持 1 米以上距离。</li></ul>
<h2>回家后</h2>
<p>遵医嘱居家休息、服药，单独居住一个房间，每天测量体温；症状加重时及时复诊，或拨打 120。</p>""",
    ),
]

QUIZZES = [
    (
        "protection",
        "个人防护知识测验",
        "五道题，看看您掌握了多少。答完会显示正确答案和解析。",
        [
            ("七步洗手法全程应不少于多长时间？", QuestionKind.SINGLE,
             [("5 秒", False), ("10 秒", False), ("20 秒", True), ("5 分钟", False)],
             "揉搓全程不少于 20 秒，才能把手上的病菌洗掉。"),
            ("下列哪些时候应该洗手？", QuestionKind.MULTIPLE,
             [("外出回家后", True), ("饭前便后", True), ("接触快递之后", True), ("刚洗完澡", False)],
             "外出回家、饭前便后、接触公共物品后都要洗手。"),
            ("戴口罩时，有金属条的一边应该朝哪里？", QuestionKind.SINGLE,
             [("朝上，按压贴合鼻梁", True), ("朝下", False), ("朝哪边都可以", False)],
             "金属条朝上，按压使其贴合鼻梁，减少漏气。"),
            ("以下哪些场合应佩戴口罩？", QuestionKind.MULTIPLE,
             [("乘坐公交车", True), ("到医院就诊", True), ("独自在家看电视", False), ("进入超市", True)],
             "人员密集的室内场所、公共交通和就医时都应佩戴口罩。"),
            ("一次性医用口罩建议连续佩戴多久后更换？", QuestionKind.SINGLE,
             [("不超过 4 小时", True), ("一整天", False), ("一周", False)],
             "连续佩戴不超过 4 小时，弄湿弄脏后立即更换。"),
        ],
    ),
    (
        "disinfection",
        "居家消毒与就医知识测验",
        "四道题，了解家庭消毒和发热就医的要点。",
        [
            ("每天开窗通风，每次应不少于多长时间？", QuestionKind.SINGLE,
             [("5 分钟", False), ("30 分钟", True), ("3 小时", False)],
             "每天 2～3 次，每次不少于 30 分钟。"),
            ("84 消毒液能和洁厕灵混用吗？", QuestionKind.SINGLE,
             [("能，效果更好", False), ("不能，会产生有毒气体", True)],
             "含氯消毒剂与酸性清洁剂混合会产生氯气，危害健康。"),
            ("出现发热去医院时，应该怎么做？", QuestionKind.MULTIPLE,
             [("佩戴口罩", True), ("尽量避免乘坐公共交通", True), ("到发热门诊就诊", True),
              ("隐瞒近期行程", False)],
             "做好防护、避免公共交通、到发热门诊，并如实告知行程和接触史。"),
            ("手机、键盘适合用什么消毒？", QuestionKind.SINGLE,
             [("75% 酒精擦拭", True), ("煮沸", False), ("用水冲洗", False)],
             "电子产品用 75% 酒精擦拭，不要大面积喷洒。"),
        ],
    ),
]  # fmt: skip


def hand_washing_picture() -> bytes:
    """A plain illustration: seven numbered steps in a row (no text, so no font is needed)."""
    image = Image.new("RGB", (700, 130), (238, 245, 251))
    draw = ImageDraw.Draw(image)
    for step in range(7):
        x = 20 + step * 96
        draw.ellipse((x, 25, x + 80, 105), fill=(36, 104, 162))
        draw.text((x + 36, 58), str(step + 1), fill=(255, 255, 255))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def do_load_demo_learning() -> int:
    """Publish the demo articles and quizzes that do not exist yet; returns how many."""
    author = get_user_model().objects.filter(username=AUTHOR).first()
    if author is None:
        return 0
    topics = {
        slug: Topic.objects.get_or_create(
            slug=slug, defaults={"name": name, "description": text, "order": order}
        )[0]
        for order, (slug, name, text) in enumerate(TOPICS, start=1)
    }
    created = 0
    for spec in ARTICLES:
        if Article.objects.filter(title=spec.title, division_code=PROVINCE).exists():
            continue
        data = actions.ArticleInput(
            title=spec.title,
            topic=topics[spec.topic],
            summary=spec.summary,
            body=spec.body.format(picture=""),
            verified_by=SOURCE,
        )
        article = actions.do_create_article(author, division_code=PROVINCE, data=data)
        if spec.picture:
            image = actions.do_add_article_image(
                author, article=article, data=hand_washing_picture(), file_name="七步洗手法.png"
            )
            figure = f'<p><img src="{image_url(image.key)}" alt="七步洗手法示意图"></p>'
            data = actions.ArticleInput(
                **{**data.__dict__, "body": spec.body.format(picture=figure)}
            )
            article = actions.do_update_article(author, article=article, data=data)
        actions.do_publish_article(author, article=article)
        created += 1
    for topic, title, description, questions in QUIZZES:
        if Quiz.objects.filter(title=title, division_code=PROVINCE).exists():
            continue
        quiz = actions.do_create_quiz(
            author,
            division_code=PROVINCE,
            data=actions.QuizInput(
                title=title,
                topic=topics[topic],
                description=description,
                pass_percent=80,
                verified_by=SOURCE,
                questions=[
                    actions.QuestionInput(
                        text=text,
                        kind=kind,
                        explanation=explanation,
                        choices=[actions.ChoiceInput(t, ok) for t, ok in choices],
                    )
                    for text, kind, choices, explanation in questions
                ],
            ),
        )
        actions.do_publish_quiz(author, quiz=quiz)
        created += 1
    return created
