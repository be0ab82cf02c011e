"""campusbot: a conversational assistant for students, universities and companies, on AWS."""

__version__ = "0.1.0"
