"""Analytics: the chat event record the lex_proxy Lambda writes to the lake, and the SQL that reads it."""
