"""Households and people for tests, made through the real actions."""

import datetime
import itertools

from civicgrid.core.idcard import make_id_number
from civicgrid.population.actions import do_assign_grid, do_create_household, do_register_person
from civicgrid.regions.actions import do_generate_demo_grids
from civicgrid.regions.models import Division, Grid

COMMUNITY_A1 = "131128100001"
COMMUNITY_B1 = "131127100005"  # 新城社区, 景州镇, 景县

# The ID number's 3-digit sequence code. It wraps round: a number need only be unique within
# one test (each test's rows are rolled back or flushed), and one worker makes thousands.
_sequence = itertools.cycle(range(1, 999))


def grids_of(community_code: str) -> list[Grid]:
    if not Grid.objects.filter(division_id=community_code).exists():
        do_generate_demo_grids(community_code)
    return list(Grid.objects.filter(division_id=community_code).order_by("number"))


def household(community_code: str = COMMUNITY_A1, *, grid_index: int = 0, room: str = "101"):
    community = Division.objects.get(code=community_code)
    return do_create_household(
        None,
        community=community,
        grid=grids_of(community_code)[grid_index],
        building="1号楼",
        room=room,
    )


def person(household, name: str = "张伟", *, born=datetime.date(1980, 5, 1), **kwargs):
    number = make_id_number(household.division_code, born, next(_sequence))
    return do_register_person(None, id_number=number, name=name, household=household, **kwargs)


def assign(user, community_code: str = COMMUNITY_A1, grid_index: int = 0):
    return do_assign_grid(None, grid=grids_of(community_code)[grid_index], user=user)


def survey_answer(person, answer: str = "是"):
    """`person` answers a one-question survey of their county as a signed-in resident, through
    the resident's action; "是" is the answer the grid worker follows up."""
    from civicgrid.accounts.models import User
    from civicgrid.population.declarations import do_answer_survey
    from civicgrid.population.models import Survey, SurveyQuestion

    county = person.division_code[:6] + "000000"
    survey, created = Survey.objects.get_or_create(title="测试防疫调查", division_code=county)
    if created:
        SurveyQuestion.objects.create(
            survey=survey, text="14 天内是否到过中高风险地区？", kind="yes_no", risk_answer="是"
        )
    resident = User.objects.create_user(f"resident-{person.pk}", is_resident=True)
    resident.id_number = person.id_number.reveal()
    resident.save()
    question = survey.questions.get()
    return do_answer_survey(resident, survey=survey, answers={str(question.pk): answer})
