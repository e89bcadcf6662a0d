"""The API's request and response bodies; FastAPI builds the OpenAPI schema from them."""

from __future__ import annotations

from enum import Enum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from model.industries import INDUSTRIES
from model.labels import LABELS

Industry = Enum("Industry", {name: name for name in INDUSTRIES}, type=str)
Label = Literal[LABELS]  # type: ignore[valid-type]
Term = Annotated[str, Field(min_length=1, max_length=200)]
Text = Annotated[str, Field(min_length=1)]


class DenyTerm(BaseModel):
    """A customer's own forbidden term; what is left out takes the rule layer's default."""

    model_config = ConfigDict(extra="forbid")

    term: Term
    label: Label | None = Field(default=None, description="default: misleading_statement")
    severity: Literal["block", "review"] | None = Field(default=None, description="default: review")
    suggestion: str | None = Field(default=None, description="default: the label's generic suggestion")


class CheckRequest(BaseModel):
    """One text or a batch; `allow` and `deny` add to the deployment's custom lists for this request only."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"oneOf": [{"required": ["text"]}, {"required": ["texts"]}]},
    )

    text: Text | None = None
    texts: list[Text] | None = Field(default=None, min_length=1)
    industry: Industry | None = None
    allow: list[Term] = Field(default_factory=list)
    deny: list[Term | DenyTerm] = Field(default_factory=list)

    @model_validator(mode="after")
    def _text_or_texts(self) -> CheckRequest:
        if (self.text is None) == (self.texts is None):
            raise ValueError("give exactly one of `text` or `texts`")
        return self

    @property
    def all_texts(self) -> list[str]:
        return [self.text] if self.text is not None else list(self.texts or [])


class Span(BaseModel):
    """A flagged stretch of one text: [start, end) are character offsets into the text as sent."""

    start: int
    end: int
    text: str
    label: Label
    score: float
    source: Literal["model", "rule"]
    rule_id: str | None
    basis: str
    suggestion: str
    severity: Literal["block", "review"]


class TextResult(BaseModel):
    labels: list[Label]
    scores: dict[str, float]
    spans: list[Span]


class Timings(BaseModel):
    """Milliseconds: waiting for a slot and a batch, the model call the batch shared, this request's rules."""

    queue: float
    inference: float
    explain: float
    total: float

    @classmethod
    def from_seconds(cls, queue: float, inference: float, explain: float, total: float) -> Timings:
        return cls(**{name: round(s * 1000, 2) for name, s in
                      {"queue": queue, "inference": inference, "explain": explain, "total": total}.items()})

    def headers(self) -> dict[str, str]:
        return {f"x-{name}-time": f"{value:.2f}" for name, value in self.model_dump().items()}


class CheckResponse(BaseModel):
    model_version: str
    results: list[TextResult]
    timings_ms: Timings


class ModelInfo(BaseModel):
    version: str
    labels: list[str]
    thresholds: dict[str, float]
    fusion: str
    base_model: str
    data_hash: str
    quantized: bool
    max_length: int
    stride: int
    metrics: dict


class Status(BaseModel):
    status: str
    detail: str = ""


class ErrorDetail(BaseModel):
    code: str
    message: str


class ErrorBody(BaseModel):
    error: ErrorDetail
