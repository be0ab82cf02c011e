"""The assistant: what each Lex intent answers (via the data API), and the chat turn behind POST /chat.

Nothing here imports SQLAlchemy or the database: the Lambdas that use it are zipped small.
"""
