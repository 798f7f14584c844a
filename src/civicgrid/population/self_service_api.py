"""The residents' own register API, mounted at /api/v1/population/self: the epidemic surveys of
their community, with their last answers, and answering one (again, when plans change).

Any signed-in user may call it; each sees only the surveys of their own community and their
own answers, as on `/population/self/`. Answers go through `declarations.do_answer_survey`, so
a risky one reaches the grid worker's worklist as the page's would. A phone may retry an answer
with the same Idempotency-Key and get the first response.
"""

from django.http import Http404, HttpRequest
from ninja import Field, Router, Schema, Status

from civicgrid.core.api_auth import SCOPED_AUTH, person_of_request
from civicgrid.population import declarations as d
from civicgrid.population.choices import QuestionKind
from civicgrid.population.models import Survey, SurveyResponse
from civicgrid.population.survey_schemas import SurveyResponseSchema

router = Router(tags=["population: residents"], auth=SCOPED_AUTH)


class QuestionSchema(Schema):
    id: int
    text: str
    kind: QuestionKind = Field(
        description="yes_no 答“是”或“否” · choice 从 options 中选 · text 文字"
    )
    options: list[str]


class ResidentSurveySchema(Schema):
    id: int
    title: str
    questions: list[QuestionSchema]
    my_last_answer: SurveyResponseSchema | None = Field(
        description="我最近一次的回答（再次回答会新增一份，之前的保留）"
    )


class AnswerIn(Schema):
    answers: dict[str, str] = Field(description="问题编号 → 回答；每个问题都要回答")


def _my_surveys(resident: object) -> dict[int, Survey]:
    return {s.pk: s for s in d.surveys_for(d.resident_community(resident))}


@router.get(
    "/surveys",
    response=list[ResidentSurveySchema],
    summary="我所在社区的防疫调查，及我最近的回答",
    url_name="population_self_surveys",
)
def my_surveys(request: HttpRequest) -> list[dict[str, object]]:
    resident = person_of_request(request)
    latest = d.latest_answers(resident)
    return [
        {
            "id": survey.pk,
            "title": survey.title,
            "questions": list(survey.questions.all()),
            "my_last_answer": latest.get(survey.pk),
        }
        for survey in _my_surveys(resident).values()
    ]


@router.post(
    "/surveys/{survey_id}/responses",
    response={201: SurveyResponseSchema},
    summary="回答防疫调查（支持 Idempotency-Key）",
    url_name="population_self_survey_answer",
)
def answer_survey(
    request: HttpRequest, survey_id: int, payload: AnswerIn
) -> Status[SurveyResponse]:
    resident = person_of_request(request)
    survey = _my_surveys(resident).get(survey_id)
    if survey is None:
        raise Http404("该调查不存在或不适用于您所在的社区")
    return Status(201, d.do_answer_survey(resident, survey=survey, answers=payload.answers))
