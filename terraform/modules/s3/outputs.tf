output "s3_bucket_id" {
  description = "Name of the bucket (available once its policy is attached, so log delivery to it can be configured)."
  value       = try(aws_s3_bucket.this[0].id, var.bucket)
  depends_on  = [aws_s3_bucket_policy.this]
}

output "s3_bucket_arn" {
  description = "ARN of the bucket."
  value       = try(aws_s3_bucket.this[0].arn, local.bucket_arn)
}

output "s3_bucket_regional_domain_name" {
  description = "Region-specific domain name of the bucket."
  value       = try(aws_s3_bucket.this[0].bucket_regional_domain_name, null)
}

output "s3_bucket_policy" {
  description = "The bucket policy JSON that is attached."
  value       = try(aws_s3_bucket_policy.this[0].policy, null)
}

output "s3_bucket_notification_id" {
  description = "ID of the bucket notification configuration, when lambda_notifications are set."
  value       = try(aws_s3_bucket_notification.this[0].id, null)
}
