output "bucket_name" {
  description = "The private bucket platform deploy uploads the web chat (and its config.json) to."
  value       = try(aws_s3_bucket.this[0].id, null)
}

output "distribution_id" {
  description = "The CloudFront distribution's id (for invalidations after an upload)."
  value       = try(aws_cloudfront_distribution.this[0].id, null)
}

output "domain_name" {
  description = "The distribution's domain name (<id>.cloudfront.net)."
  value       = try(aws_cloudfront_distribution.this[0].domain_name, null)
}

output "url" {
  description = "The web chat's URL; also lex_proxy's CORS origin."
  value       = try("https://${aws_cloudfront_distribution.this[0].domain_name}", null)
}
