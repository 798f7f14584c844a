"""The demo's prevention knowledge: published province-wide, through the actions, once."""

import pytest

from civicgrid.accounts.demo import do_load_demo_accounts
from civicgrid.learning.demo import ARTICLES, QUIZZES, do_load_demo_learning
from civicgrid.learning.models import Article, ArticleImage, Quiz

pytestmark = pytest.mark.django_db


def test_the_demo_publishes_its_articles_and_quizzes_once(personas):
    do_load_demo_accounts()
    assert do_load_demo_learning() == len(ARTICLES) + len(QUIZZES)
    assert do_load_demo_learning() == 0
    assert set(Article.objects.values_list("status", "division_code")) == {
        ("published", "130000000000")
    }
    assert Quiz.objects.published().count() == len(QUIZZES)
    picture = ArticleImage.objects.get()
    assert f"/learning/images/{picture.key}/" in picture.article.body
    # Province-wide: a resident nobody knows the community of reads them all.
    assert Article.objects.reaching(personas.resident_b).count() == len(ARTICLES)
