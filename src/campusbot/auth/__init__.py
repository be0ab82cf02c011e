"""Who is asking: Cognito ID tokens verified against the user pool's signing keys (`tokens`, PyJWT), the API Gateway
authorizer built on them (`authorizer`), and the verified `Principal` (`principal`, importable without PyJWT: lex_proxy
and the fulfillment only read it)."""
