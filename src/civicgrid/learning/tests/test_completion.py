"""Completion rates per community: who counts, who passed, scoping and the spreadsheet."""

import io

import pytest
from openpyxl import load_workbook

from civicgrid.accounts.models import User
from civicgrid.learning.actions import do_submit_quiz
from civicgrid.learning.selectors import completion
from civicgrid.learning.tests import factories as f
from civicgrid.regions.models import Division

pytestmark = pytest.mark.django_db


def resident(name: str, community: str = f.COMMUNITY_A1) -> User:
    user = User.objects.create_user(name, is_resident=True, full_name=name)
    f.live_in(user, community)
    return user


@pytest.fixture
def quiz(personas):
    return f.quiz(personas.province_officer, f.PROVINCE, pass_percent=100)


def test_the_rate_is_residents_who_passed_over_resident_accounts_of_the_community(personas, quiz):
    passed, failed, idle = resident("甲"), resident("乙"), resident("丙")
    resident("丁", f.COMMUNITY_B1)
    do_submit_quiz(passed, quiz=quiz, answers=f.right_answers(quiz))
    do_submit_quiz(failed, quiz=quiz, answers=f.wrong_answers(quiz))
    report = completion(Division.objects.get(code=f.COMMUNITY_A1))
    [row] = report.rows
    assert (row.residents, row.passed, row.percent) == (3, 1, 33.3)
    assert idle.pk  # counted although they never opened a quiz


def test_areas_above_a_community_roll_up_by_child(personas, quiz):
    do_submit_quiz(resident("甲"), quiz=quiz, answers=f.right_answers(quiz))
    resident("乙")
    county = completion(Division.objects.get(code=f.COUNTY_A))
    township = next(r for r in county.rows if r.residents)
    assert (township.code, township.residents, township.passed) == ("131128100", 2, 1)
    assert (county.total.residents, county.total.passed, county.total.percent) == (2, 1, 50.0)


def test_a_register_record_decides_the_community_before_a_declaration(personas, quiz):
    from civicgrid.population.tests import factories as pf

    user = resident("戊", f.COMMUNITY_B1)  # declared in county B
    home = pf.household(f.COMMUNITY_A1, room="9-9")
    person = pf.person(home, "戊")
    user.id_number = person.id_number.reveal()  # verified: the account now has the register's ID
    user.save()
    report = completion(Division.objects.get(code=f.COMMUNITY_A1))
    assert report.rows[0].residents == 1


def test_a_filter_on_one_quiz_counts_only_its_passes(personas, quiz):
    other = f.quiz(personas.province_officer, f.PROVINCE)
    user = resident("甲")
    do_submit_quiz(user, quiz=other, answers=f.right_answers(other))
    community = Division.objects.get(code=f.COMMUNITY_A1)
    assert completion(community).rows[0].passed == 1
    assert completion(community, quiz=quiz).rows[0].passed == 0


def test_a_community_worker_sees_the_rate_change_on_the_page(personas, quiz, client):
    user = resident("甲")
    client.force_login(personas.grid_worker_a1)
    before = client.get("/learning/completion/").content.decode()
    assert "已通过测验 0 人" in before
    do_submit_quiz(user, quiz=quiz, answers=f.right_answers(quiz))
    after = client.get("/learning/completion/").content.decode()
    assert "已通过测验 1 人" in after and "100.0%" in after


def test_staff_of_county_b_cannot_read_county_as_rates(personas, client):
    client.force_login(personas.county_b_officer)
    assert client.get("/learning/completion/?within=131128").status_code == 404
    assert client.get("/api/v1/learning/completion?within=131128").status_code == 404


def test_the_export_is_the_table_as_a_spreadsheet(personas, quiz, client):
    do_submit_quiz(resident("甲"), quiz=quiz, answers=f.right_answers(quiz))
    client.force_login(personas.county_a_officer)
    response = client.get("/learning/completion/export/?within=131128100")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response["Content-Disposition"]
    rows = list(load_workbook(io.BytesIO(response.content)).active.values)
    assert rows[0] == ("区划", "区划代码", "居民账号数", "已通过测验", "完成率（%）")
    community = next(r for r in rows if r[1] == "131128100001")
    assert community[2:] == (1, 1, 100)
    assert rows[-1][0].startswith("合计")
