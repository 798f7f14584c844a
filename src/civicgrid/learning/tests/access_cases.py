"""Access cases of the learning pages and API.

Content of 阜城县 (county A) reaches residents living there and staff above or inside it; 景县
(county B) staff and residents of nowhere in particular must get 404. Authoring is for the
health authorities' roles; individual records are their owner's.
"""

from civicgrid.core.testing import UNAUTHORIZED, AccessCase

PUBLIC: dict[str, str] = {}

_READERS_A = ("resident_a", "county_a_officer", "province_officer", "grid_worker_a1")
_OUTSIDERS = ("resident_b", "county_b_officer")
_AUTHORS_A = ("county_a_officer", "cdc_a", "city_officer")
_NOT_AUTHORS = ("county_b_officer", "resident_a", "grid_worker_a1", "volunteer_a")


def _published_article(p):
    from civicgrid.learning.tests import factories as f

    f.live_in(p.resident_a)
    return (f.article(p.county_a_officer).pk,)


def _draft_article(p):
    from civicgrid.learning.tests import factories as f

    return (f.article(p.county_a_officer, publish=False).pk,)


def _image(p):
    from civicgrid.learning.actions import do_add_article_image
    from civicgrid.learning.tests import factories as f

    f.live_in(p.resident_a)
    draft = f.article(p.county_a_officer, publish=False)
    image = do_add_article_image(p.county_a_officer, article=draft, data=f.png_bytes())
    from civicgrid.learning.actions import do_publish_article

    do_publish_article(p.county_a_officer, article=draft)
    return (image.key,)


def _published_quiz(p):
    from civicgrid.learning.tests import factories as f

    f.live_in(p.resident_a)
    return (f.quiz(p.county_a_officer).pk,)


def _draft_quiz(p):
    from civicgrid.learning.tests import factories as f

    return (f.quiz(p.county_a_officer, publish=False).pk,)


def _attempt_of_resident_a(p):
    from civicgrid.learning.actions import do_submit_quiz
    from civicgrid.learning.tests import factories as f

    f.live_in(p.resident_a)
    quiz = f.quiz(p.county_a_officer)
    return (do_submit_quiz(p.resident_a, quiz=quiz, answers=f.right_answers(quiz)).pk,)


_REASON = {"reason": "内容已更新，改用新版"}

CASES = [
    # Reading: any signed-in user reads what reaches them.
    AccessCase(
        "learning:home", allowed=("resident_a", "resident_b", "county_a_officer", "volunteer_a")
    ),
    AccessCase("learning:my_record", allowed=("resident_a", "county_a_officer")),
    AccessCase(
        "learning:article_detail",
        args=_published_article,
        allowed=_READERS_A,
        denied=_OUTSIDERS,
    ),
    # A draft: its authors preview it; nobody else knows it exists.
    AccessCase(
        "learning:article_detail",
        args=_draft_article,
        allowed=_AUTHORS_A,
        denied=("resident_a", "county_b_officer", "grid_worker_a1"),
    ),
    AccessCase("learning:image", args=_image, allowed=_READERS_A, denied=_OUTSIDERS),
    AccessCase("learning:quiz_take", args=_published_quiz, allowed=_READERS_A, denied=_OUTSIDERS),
    AccessCase(
        "learning:quiz_take",
        method="post",
        args=_published_quiz,
        # an empty submission: the page shows it again with the error
        allowed=("resident_a",),
        denied=_OUTSIDERS,
    ),
    AccessCase(
        "learning:attempt_detail",
        args=_attempt_of_resident_a,
        allowed=("resident_a", "admin"),
        denied=("resident_b", "county_a_officer", "grid_worker_a1"),
    ),
    # Authoring.
    AccessCase(
        "learning:manage", allowed=(*_AUTHORS_A, "province_officer"), denied=_NOT_AUTHORS[1:]
    ),
    AccessCase("learning:article_create", allowed=_AUTHORS_A, denied=_NOT_AUTHORS[1:]),
    AccessCase(
        "learning:article_edit", args=_draft_article, allowed=_AUTHORS_A, denied=_NOT_AUTHORS
    ),
    AccessCase(
        "learning:article_image_upload",
        method="post",
        args=_draft_article,
        # no file sent: the form says so
        allowed=("county_a_officer",),
        denied=_NOT_AUTHORS,
    ),
    AccessCase(
        "learning:article_publish",
        method="post",
        args=_draft_article,
        ok_status=(302,),
        allowed=_AUTHORS_A,
        denied=_NOT_AUTHORS,
    ),
    AccessCase(
        "learning:article_retract",
        method="post",
        args=_published_article,
        data=lambda p: _REASON,
        ok_status=(302,),
        allowed=_AUTHORS_A,
        denied=_NOT_AUTHORS,
    ),
    AccessCase("learning:quiz_create", allowed=_AUTHORS_A, denied=_NOT_AUTHORS[1:]),
    AccessCase("learning:quiz_edit", args=_draft_quiz, allowed=_AUTHORS_A, denied=_NOT_AUTHORS),
    AccessCase(
        "learning:quiz_publish",
        method="post",
        args=_draft_quiz,
        ok_status=(302,),
        allowed=_AUTHORS_A,
        denied=_NOT_AUTHORS,
    ),
    AccessCase(
        "learning:quiz_retract",
        method="post",
        args=_published_quiz,
        data=lambda p: _REASON,
        ok_status=(302,),
        allowed=_AUTHORS_A,
        denied=_NOT_AUTHORS,
    ),
    # Completion rates: staff of the area (community staff and grid workers included).
    AccessCase(
        "learning:completion",
        allowed=("county_a_officer", "grid_worker_a1", "province_officer", "cdc_a"),
        denied=("resident_a", "volunteer_a"),
    ),
    AccessCase(
        "learning:completion",
        data=lambda p: {"within": "131128"},
        allowed=("county_a_officer", "city_officer"),
        denied=("county_b_officer", "grid_worker_a1"),
    ),
    AccessCase(
        "learning:completion_export",
        data=lambda p: {"within": "131128"},
        allowed=("county_a_officer",),
        denied=("county_b_officer", "resident_a", "volunteer_a"),
    ),
]

API = {"anonymous": UNAUTHORIZED}

CASES += [
    AccessCase("api:learning_topics", allowed=("resident_a", "county_a_officer"), **API),
    AccessCase("api:learning_articles", allowed=("resident_a", "county_b_officer"), **API),
    AccessCase(
        "api:learning_article",
        args=_published_article,
        allowed=_READERS_A,
        denied=_OUTSIDERS,
        **API,
    ),
    AccessCase(
        "api:learning_article_read",
        method="post",
        args=_published_article,
        ok_status=(204,),
        allowed=("resident_a", "county_a_officer"),
        denied=_OUTSIDERS,
        **API,
    ),
    AccessCase(
        "api:learning_article_publish",
        method="post",
        args=_draft_article,
        allowed=_AUTHORS_A,
        denied=_NOT_AUTHORS,
        **API,
    ),
    AccessCase(
        "api:learning_article_retract",
        method="post",
        args=_published_article,
        data=lambda p: _REASON,
        allowed=_AUTHORS_A,
        denied=_NOT_AUTHORS,
        **API,
    ),
    AccessCase("api:learning_quizzes", allowed=("resident_a", "county_b_officer"), **API),
    AccessCase(
        "api:learning_quiz", args=_published_quiz, allowed=_READERS_A, denied=_OUTSIDERS, **API
    ),
    AccessCase(
        "api:learning_quiz_attempts",
        args=_published_quiz,
        allowed=("resident_a", "county_a_officer"),
        denied=_OUTSIDERS,
        **API,
    ),
    AccessCase(
        "api:learning_quiz_publish",
        method="post",
        args=_draft_quiz,
        allowed=_AUTHORS_A,
        denied=_NOT_AUTHORS,
        **API,
    ),
    AccessCase(
        "api:learning_quiz_retract",
        method="post",
        args=_published_quiz,
        data=lambda p: _REASON,
        allowed=_AUTHORS_A,
        denied=_NOT_AUTHORS,
        **API,
    ),
    AccessCase(
        "api:learning_attempt",
        args=_attempt_of_resident_a,
        allowed=("resident_a",),
        denied=("resident_b", "county_a_officer"),
        **API,
    ),
    AccessCase("api:learning_record", allowed=("resident_a", "county_a_officer"), **API),
    AccessCase(
        "api:learning_completion",
        allowed=("county_a_officer", "grid_worker_a1"),
        denied=("resident_a", "volunteer_a"),
        **API,
    ),
    AccessCase(
        "api:learning_completion",
        data=lambda p: {"within": "131128"},
        allowed=("city_officer",),
        denied=("county_b_officer",),
        **API,
    ),
]
