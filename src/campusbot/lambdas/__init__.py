"""Lambda entry points: thin adapters, event in → response out. Each builds its clients once per cold start.

- lex_proxy.handler: API Gateway `POST /chat` → Lex V2 RecognizeText → the chat contract
- fulfillment.handler: Lex V2 code hook → the intent's answer via the data API
"""
