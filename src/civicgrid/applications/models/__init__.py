"""Models of the applications app (see each module's docstring)."""

from civicgrid.applications.models.cases import (
    Attachment,
    Case,
    CaseEvent,
    CaseMaterial,
    CaseNumberCounter,
    Delivery,
    Draft,
    MaterialRequest,
)
from civicgrid.applications.models.configuration import FormDefinition, WorkflowStep
from civicgrid.applications.models.evaluations import Evaluation, FollowUp

__all__ = [
    "Attachment",
    "Case",
    "CaseEvent",
    "CaseMaterial",
    "CaseNumberCounter",
    "Delivery",
    "Draft",
    "Evaluation",
    "FollowUp",
    "FormDefinition",
    "MaterialRequest",
    "WorkflowStep",
]
