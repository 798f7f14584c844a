"""The API shapes of survey answers, shared by the register's API and the residents' own."""

import datetime

from ninja import Field, Schema

from civicgrid.population.models import SurveyResponse


class SurveyAnswerSchema(Schema):
    question: str
    answer: str
    risk: bool = Field(description="是需关注的答案")


class SurveyResponseSchema(Schema):
    id: int
    survey_id: int
    survey_title: str
    person_id: int | None
    submitted_at: datetime.datetime
    flagged: bool = Field(description="有需关注的答案，待网格员跟进")
    followed_up_at: datetime.datetime | None
    followed_up_by_visit_id: int | None = Field(description="联系到本人、完成跟进的走访")
    answers: list[SurveyAnswerSchema]

    @staticmethod
    def resolve_survey_title(obj: SurveyResponse) -> str:
        return obj.survey.title

    @staticmethod
    def resolve_submitted_at(obj: SurveyResponse) -> datetime.datetime:
        return obj.created_at

    @staticmethod
    def resolve_followed_up_by_visit_id(obj: SurveyResponse) -> int | None:
        return obj.followed_up_by_id

    @staticmethod
    def resolve_answers(obj: SurveyResponse) -> list[dict[str, object]]:
        return [{"question": q, "answer": a, "risk": r} for q, a, r in obj.answered()]
