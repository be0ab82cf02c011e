"""Request and response shapes (Pydantic), separate from the ORM: XBase → XCreate / XUpdate / XPublic.

Every constraint here equals the database's (db/models.py): string lengths are the column lengths, numeric
bounds are the CHECK constraints' at the column's scale, values are rounded to the column's decimal places
as PostgreSQL would, and a PATCH field of a NOT NULL column is optional but not nullable.
tests/unit/api/test_schemas.py walks every column and CHECK against these so they cannot drift (issue 15)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Annotated, Any, Generic, Literal, TypeVar

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
)

# Everything a field checks is in its JSON schema too (one StringConstraints each, so pydantic documents the
# pattern): PostgreSQL cannot store NUL, a required text needs a character that is not blank, and lengths are
# counted on what the client sent (leading and trailing spaces are trimmed afterwards, so never past the column).
NO_NUL = r"^[^\x00]*$"
# "blank" is what str.strip() removes: \s (Unicode White_Space, as the schema's regex engines read it) and also the
# four separators \x1c-\x1f that Python counts as space; a value of only those would be trimmed to nothing.
NOT_BLANK = r"^[^\x00]*[^\s\x00\x1c-\x1f][^\x00]*$"
URL = r"^https?://[^\s\x00]+$"


def _trim(value: str) -> str:
    return value.strip()


Name = Annotated[str, StringConstraints(min_length=1, max_length=200, pattern=NOT_BLANK), AfterValidator(_trim)]
ShortText = Annotated[str, StringConstraints(min_length=1, max_length=80, pattern=NOT_BLANK), AfterValidator(_trim)]
City = Annotated[str, StringConstraints(min_length=1, max_length=120, pattern=NOT_BLANK), AfterValidator(_trim)]
Language = Annotated[str, StringConstraints(min_length=1, max_length=40, pattern=NOT_BLANK), AfterValidator(_trim)]
Url = Annotated[str, StringConstraints(min_length=1, max_length=300, pattern=URL)]
LongText = Annotated[str, StringConstraints(max_length=5000, pattern=NO_NUL)]
EMAIL_LENGTH = 254  # RFC 5321's limit, the column's length


RESERVED_DOMAINS = ("arpa", "invalid", "local", "localhost", "onion", "test")  # email-validator refuses these


def _any_case(word: str) -> str:
    return "".join(f"[{c.lower()}{c.upper()}]" for c in word)


# JSON Schema's `email` format allows special-use domains; email-validator (and so the API) refuses them, so the
# document says so (a JSON Schema pattern: ECMA regex, case spelled out)
EMAIL_PATTERN = rf"^(?!.*[@.]({'|'.join(map(_any_case, RESERVED_DOMAINS))})\.?$).*$"


def _email(value: str) -> str:
    """A valid address at a domain that is not reserved for special use, lower-cased as the CHECK wants it."""
    import email_validator

    try:
        checked = email_validator.validate_email(value, check_deliverability=False)
    except email_validator.EmailNotValidError as exc:
        raise ValueError(f"value is not a valid email address: {exc}") from exc
    lowered = checked.normalized.lower()  # lowering can lengthen some letters (İ → i̇): check the stored form
    if len(lowered) > EMAIL_LENGTH:
        raise ValueError(f"must be at most {EMAIL_LENGTH} characters")
    return lowered


Email = Annotated[
    str,
    StringConstraints(max_length=EMAIL_LENGTH),
    AfterValidator(_email),
    Field(json_schema_extra={"format": "email", "pattern": EMAIL_PATTERN}),
]
Degree = Literal["bachelor", "master", "phd"]
Kind = Literal["internship", "job"]


class Places:
    """Round to a NUMERIC column's scale (half away from zero, as PostgreSQL does), after the bounds are checked."""

    def __init__(self, places: int) -> None:
        self.places = places
        self.quantum = Decimal(1).scaleb(-places)

    def __call__(self, value: float) -> float:
        return float(Decimal(repr(value)).quantize(self.quantum, rounding=ROUND_HALF_UP))


def _number(value: Any) -> Any:
    """JSON numbers only: `false` or `"1.5"` are not numbers in the schema, so they are not taken as 0 or 1.5."""
    if isinstance(value, bool | str | bytes):
        raise ValueError("must be a number")
    return value


Number = BeforeValidator(_number)
Money = Annotated[
    float, Field(ge=0, le=10_000_000, description="US dollars, to the cent"), Number, AfterValidator(Places(2))
]
Tuition = Annotated[
    float, Field(ge=0, le=200_000, description="yearly tuition in USD, to the cent"), Number, AfterValidator(Places(2))
]
Gpa = Annotated[
    float,
    Field(ge=0, le=4, description="grade point average on a 0-4 scale, 2 decimals"),
    Number,
    AfterValidator(Places(2)),
]
Years = Annotated[
    float, Field(ge=0.1, le=8, description="length in years, 1 decimal"), Number, AfterValidator(Places(1))
]
Rate = Annotated[
    float, Field(ge=0, le=1, description="share admitted, 0-1, 3 decimals"), Number, AfterValidator(Places(3))
]
WorldRank = Annotated[int, Field(ge=1, le=100_000), Number]
FoundedYear = Annotated[int, Field(ge=1000, le=2100), Number]
Employees = Annotated[int, Field(ge=1, le=10_000_000), Number]
Flag = Annotated[bool, Field(strict=True)]  # true or false, not "yes" or 1


def unset() -> Any:
    """A PATCH field of a NOT NULL column: may be left out (nothing changes), may not be null."""
    return Field(None)


def _no_null_defaults(schema: dict[str, Any]) -> None:
    """A field that may not be null has no `default: null` in the document: leaving it out is what changes nothing."""
    for prop in schema.get("properties", {}).values():
        branches = prop.get("anyOf", [prop])
        if prop.get("default", ...) is None and not any(branch.get("type") == "null" for branch in branches):
            del prop["default"]


class Patch(BaseModel):
    """The body of a PATCH: only the fields given change (`model_dump(exclude_unset=True)`)."""

    model_config = ConfigDict(json_schema_extra=_no_null_defaults)


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
    language: Language
    duration_years: Years
    min_gpa: Gpa | None = None


class ProgramCreate(ProgramBase):
    pass


class ProgramUpdate(Patch):
    name: Name = unset()
    field_of_study: ShortText = unset()
    degree: Degree = unset()
    tuition: Tuition = unset()
    language: Language = unset()
    duration_years: Years = unset()
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
    world_rank: WorldRank | None = None
    founded_year: FoundedYear | None = None
    acceptance_rate: Rate | None = None
    description: LongText | None = None


class UniversityCreate(UniversityBase):
    programs: list[ProgramCreate] = Field(default_factory=list, max_length=200)


class UniversityUpdate(Patch):
    name: Name = unset()
    country: ShortText = unset()
    city: City = unset()
    website: Url | None = None
    world_rank: WorldRank | None = None
    founded_year: FoundedYear | None = None
    acceptance_rate: Rate | None = None
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


class StudentUpdate(Patch):
    first_name: ShortText = unset()
    last_name: ShortText = unset()
    email: Email = unset()
    country: ShortText = unset()
    field_of_study: ShortText = unset()
    gpa: Gpa | None = None
    max_tuition: Tuition | None = None
    interests: Annotated[list[ShortText], Field(max_length=20)] = unset()


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
    remote: Flag = False
    salary: Money | None = None
    description: LongText | None = None


class OpportunityCreate(OpportunityBase):
    pass


class OpportunityUpdate(Patch):
    title: Name = unset()
    kind: Kind = unset()
    field_of_study: ShortText = unset()
    city: City = unset()
    country: ShortText = unset()
    remote: Flag = unset()
    salary: Money | None = None
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
    employees: Employees | None = None
    description: LongText | None = None


class CompanyCreate(CompanyBase):
    opportunities: list[OpportunityCreate] = Field(default_factory=list, max_length=200)


class CompanyUpdate(Patch):
    name: Name = unset()
    industry: ShortText = unset()
    email: Email = unset()
    website: Url | None = None
    city: City = unset()
    country: ShortText = unset()
    employees: Employees | None = None
    description: LongText | None = None


class CompanyPublic(CompanyBase, Public):
    id: int


class CompanyDetail(CompanyPublic):
    opportunities: list[OpportunityPublic]


class Health(BaseModel):
    status: str
    database: str | None = None
    detail: str | None = None
