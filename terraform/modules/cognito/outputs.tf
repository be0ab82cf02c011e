output "user_pool_id" {
  description = "ID of the user pool (<region>_<id>)."
  value       = aws_cognito_user_pool.this.id
}

output "user_pool_arn" {
  description = "ARN of the user pool."
  value       = aws_cognito_user_pool.this.arn
}

output "client_id" {
  description = "ID of the public app client (no secret) whose ID tokens the chat API accepts."
  value       = aws_cognito_user_pool_client.public.id
}

output "issuer" {
  description = "Issuer of the pool's tokens (their iss claim): https://cognito-idp.<region>.amazonaws.com/<pool id>; its keys are at <issuer>/.well-known/jwks.json."
  value       = "https://${aws_cognito_user_pool.this.endpoint}"
}

output "endpoint" {
  description = "Endpoint of the pool (cognito-idp.<region>.amazonaws.com/<pool id>)."
  value       = aws_cognito_user_pool.this.endpoint
}
