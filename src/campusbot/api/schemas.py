"""Request and response shapes (Pydantic), separate from the ORM: XBase → XCreate / XUpdate / XPublic."""

from __future__ import annotations

from typing import Annotated, Generic, Literal, TypeVar

from pydantic import AfterValidator, BaseModel, ConfigDict, EmailStr, Field, StringConstraints


def _no_control_chars(value: str) -> str:
    if "\x00" in value:
        raise ValueError("must not contain NUL characters")
    return value


Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1), AfterValidator(_no_control_chars)]
Name = Annotated[Text, StringConstraints(max_length=200)]
ShortText = Annotated[Text, StringConstraints(max_length=80)]
City = Annotated[Text, StringConstraints(max_length=120)]
Url = Annotated[Text, StringConstraints(max_length=300, pattern=r"^https?://\S+$")]
LongText = Annotated[str, StringConstraints(max_length=5000), AfterValidator(_no_control_chars)]
Email = Annotated[EmailStr, AfterValidator(str.lower)]
Degree = Literal["bachelor", "master", "phd"]
Kind = Literal["internship", "job"]
Tuition = Annotated[float, Field(ge=0, le=200_000, description="yearly tuition in USD")]
Gpa = Annotated[float, Field(ge=0, le=4, description="grade point average on a 0-4 scale")]

T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    data: list[T]
    count: int = Field(description="rows matching the filters, across all pages")
    limit: int
    offset: int


class Public(BaseModel):
    model_config = ConfigDict(from_attributes=True)


# Programs
class ProgramBase(BaseModel):
    name: Name
    field_of_study: ShortText
    degree: Degree
    tuition: Tuition
    language: Annotated[Text, StringConstraints(max_length=40)]
    duration_years: Annotated[float, Field(gt=0, le=8)]
    min_gpa: Gpa | None = None


class ProgramCreate(ProgramBase):
    pass


class ProgramUpdate(BaseModel):
    name: Name | None = None
    field_of_study: ShortText | None = None
    degree: Degree | None = None
    tuition: Tuition | None = None
    language: Annotated[Text, StringConstraints(max_length=40)] | None = None
    duration_years: Annotated[float, Field(gt=0, le=8)] | None = None
    min_gpa: Gpa | None = None


class ProgramPublic(ProgramBase, Public):
    id: int
    university_id: int


# Universities
class UniversityBase(BaseModel):
    name: Name
    country: ShortText
    city: City
    website: Url | None = None
    world_rank: Annotated[int, Field(ge=1, le=100_000)] | None = None
    founded_year: Annotated[int, Field(ge=1000, le=2100)] | None = None
    acceptance_rate: Annotated[float, Field(ge=0, le=1)] | None = None
    description: LongText | None = None


class UniversityCreate(UniversityBase):
    programs: list[ProgramCreate] = Field(default_factory=list, max_length=200)


class UniversityUpdate(BaseModel):
    name: Name | None = None
    country: ShortText | None = None
    city: City | None = None
    website: Url | None = None
    world_rank: Annotated[int, Field(ge=1, le=100_000)] | None = None
    founded_year: Annotated[int, Field(ge=1000, le=2100)] | None = None
    acceptance_rate: Annotated[float, Field(ge=0, le=1)] | None = None
    description: LongText | None = None


class UniversityPublic(UniversityBase, Public):
    id: int


class UniversityDetail(UniversityPublic):
    programs: list[ProgramPublic]


class Recommendation(BaseModel):
    university: UniversityPublic
    program: ProgramPublic
    score: float = Field(description="0-1, higher is better")
    reasons: list[str]


class TuitionSummary(BaseModel):
    """Yearly tuition in USD of a country's programs (of a field and degree when given)."""

    country: str
    field_of_study: str | None
    degree: str | None
    programs: int
    universities: int
    lowest: float | None
    median: float | None
    highest: float | None
    tuition_free: int


class Recommendations(BaseModel):
    field_of_study: str
    country: str | None
    max_tuition: float | None
    student_id: int | None
    data: list[Recommendation]
    region: str | None = None
    order: str | None = None


# Students
class StudentBase(BaseModel):
    first_name: ShortText
    last_name: ShortText
    email: Email
    country: ShortText
    field_of_study: ShortText
    gpa: Gpa | None = None
    max_tuition: Tuition | None = None
    interests: list[ShortText] = Field(default_factory=list, max_length=20)


CognitoSub = Annotated[str, StringConstraints(min_length=1, max_length=128, pattern=r"^[\w-]+$")]


class StudentCreate(StudentBase):
    cognito_sub: CognitoSub | None = Field(
        None, description="the Cognito subject of the signed-in student registering (unique: one registration each)"
    )


class StudentUpdate(BaseModel):
    first_name: ShortText | None = None
    last_name: ShortText | None = None
    email: Email | None = None
    country: ShortText | None = None
    field_of_study: ShortText | None = None
    gpa: Gpa | None = None
    max_tuition: Tuition | None = None
    interests: list[ShortText] | None = Field(None, max_length=20)


class StudentPublic(StudentBase, Public):
    id: int
    cognito_sub: str | None = None


# Companies and opportunities
class OpportunityBase(BaseModel):
    title: Name
    kind: Kind
    field_of_study: ShortText
    city: City
    country: ShortText
    remote: bool = False
    salary: Annotated[float, Field(ge=0, le=10_000_000)] | None = None
    description: LongText | None = None


class OpportunityCreate(OpportunityBase):
    pass


class OpportunityUpdate(BaseModel):
    title: Name | None = None
    kind: Kind | None = None
    field_of_study: ShortText | None = None
    city: City | None = None
    country: ShortText | None = None
    remote: bool | None = None
    salary: Annotated[float, Field(ge=0, le=10_000_000)] | None = None
    description: LongText | None = None


class OpportunityPublic(OpportunityBase, Public):
    id: int
    company_id: int


class OpportunityWithCompany(OpportunityPublic):
    company_name: str
    industry: str


class CompanyBase(BaseModel):
    name: Name
    industry: ShortText
    email: Email
    website: Url | None = None
    city: City
    country: ShortText
    employees: Annotated[int, Field(ge=1, le=10_000_000)] | None = None
    description: LongText | None = None


class CompanyCreate(CompanyBase):
    opportunities: list[OpportunityCreate] = Field(default_factory=list, max_length=200)


class CompanyUpdate(BaseModel):
    name: Name | None = None
    industry: ShortText | None = None
    email: Email | None = None
    website: Url | None = None
    city: City | None = None
    country: ShortText | None = None
    employees: Annotated[int, Field(ge=1, le=10_000_000)] | None = None
    description: LongText | None = None


class CompanyPublic(CompanyBase, Public):
    id: int


class CompanyDetail(CompanyPublic):
    opportunities: list[OpportunityPublic]


class Health(BaseModel):
    status: str
    database: str | None = None
    detail: str | None = None
