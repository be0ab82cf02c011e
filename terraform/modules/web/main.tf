data "aws_caller_identity" "current" {}

locals {
  create      = var.create
  bucket_name = coalesce(var.bucket_name, "${var.name}-web-${data.aws_caller_identity.current.account_id}")
  ancestors   = join(" ", concat(["'self'"], var.widget_hosts))
  connect     = join(" ", concat(["'self'"], var.api_origins))
  # No inline scripts or styles (the page has none: web/ is plain files), nothing but our origins.
  csp = join("; ", [
    "default-src 'self'", "script-src 'self'", "style-src 'self'", "img-src 'self' data:",
    "connect-src ${local.connect}", "frame-ancestors ${local.ancestors}", "base-uri 'none'",
    "form-action 'self'", "object-src 'none'",
  ])
}

################################################################################
# Private bucket: only the distribution reads it (origin access control, SigV4)
################################################################################

resource "aws_s3_bucket" "this" {
  #checkov:skip=CKV_AWS_145:public static files (SSE-S3); SSE-KMS would need the key shared with CloudFront for no gain
  #checkov:skip=CKV_AWS_144:the web chat's files are a build output re-uploaded by platform deploy; no replica needed
  #checkov:skip=CKV2_AWS_62:no consumer of object events for static files
  #checkov:skip=CKV_AWS_18:reads go through CloudFront, whose logs (log_bucket_domain_name) record them
  count = local.create ? 1 : 0

  bucket        = local.bucket_name
  force_destroy = true

  tags = var.tags
}

resource "aws_s3_bucket_public_access_block" "this" {
  count = local.create ? 1 : 0

  bucket                  = aws_s3_bucket.this[0].id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_ownership_controls" "this" {
  count = local.create ? 1 : 0

  bucket = aws_s3_bucket.this[0].id
  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

resource "aws_s3_bucket_versioning" "this" {
  count = local.create ? 1 : 0

  bucket = aws_s3_bucket.this[0].id
  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "this" {
  count = local.create ? 1 : 0

  bucket = aws_s3_bucket.this[0].id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm = "AES256"
    }
  }
}

resource "aws_s3_bucket_lifecycle_configuration" "this" {
  count = local.create ? 1 : 0

  bucket = aws_s3_bucket.this[0].id
  rule {
    id     = "old-builds"
    status = "Enabled"
    filter {}
    noncurrent_version_expiration {
      noncurrent_days = 30
    }
    abort_incomplete_multipart_upload {
      days_after_initiation = 1
    }
  }
}

data "aws_iam_policy_document" "bucket" {
  count = local.create ? 1 : 0

  statement {
    sid       = "CloudFrontReads"
    actions   = ["s3:GetObject"]
    resources = ["${aws_s3_bucket.this[0].arn}/*"]
    principals {
      type        = "Service"
      identifiers = ["cloudfront.amazonaws.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "AWS:SourceArn"
      values   = [aws_cloudfront_distribution.this[0].arn]
    }
  }

  statement {
    sid       = "TlsOnly"
    effect    = "Deny"
    actions   = ["s3:*"]
    resources = [aws_s3_bucket.this[0].arn, "${aws_s3_bucket.this[0].arn}/*"]
    principals {
      type        = "*"
      identifiers = ["*"]
    }
    condition {
      test     = "Bool"
      variable = "aws:SecureTransport"
      values   = ["false"]
    }
  }
}

resource "aws_s3_bucket_policy" "this" {
  count = local.create ? 1 : 0

  bucket = aws_s3_bucket.this[0].id
  policy = data.aws_iam_policy_document.bucket[0].json

  depends_on = [aws_s3_bucket_public_access_block.this]
}

################################################################################
# CloudFront: origin access control, security headers, HTTPS only
################################################################################

resource "aws_cloudfront_origin_access_control" "this" {
  count = local.create ? 1 : 0

  name                              = "${var.name}-web"
  description                       = "campusbot web chat bucket"
  origin_access_control_origin_type = "s3"
  signing_behavior                  = "always"
  signing_protocol                  = "sigv4"
}

resource "aws_cloudfront_response_headers_policy" "this" {
  count = local.create ? 1 : 0

  name    = "${var.name}-web-security"
  comment = "campusbot web chat: CSP without inline scripts, HSTS, frame-ancestors for the widget hosts"

  security_headers_config {
    content_security_policy {
      content_security_policy = local.csp
      override                = true
    }
    strict_transport_security {
      access_control_max_age_sec = 63072000
      include_subdomains         = true
      preload                    = true
      override                   = true
    }
    content_type_options {
      override = true
    }
    referrer_policy {
      referrer_policy = "strict-origin-when-cross-origin"
      override        = true
    }
    dynamic "frame_options" {
      # X-Frame-Options cannot list hosts: only without widget hosts (frame-ancestors governs either way)
      for_each = length(var.widget_hosts) == 0 ? [1] : []
      content {
        frame_option = "SAMEORIGIN"
        override     = true
      }
    }
  }
}

data "aws_cloudfront_cache_policy" "optimized" {
  count = local.create ? 1 : 0

  name = "Managed-CachingOptimized"
}

resource "aws_cloudfront_distribution" "this" {
  #checkov:skip=CKV_AWS_174:the default *.cloudfront.net certificate; a custom domain (TLSv1.2_2021) is a later option
  #checkov:skip=CKV2_AWS_42:the default *.cloudfront.net certificate, as above
  #checkov:skip=CKV_AWS_310:one origin (the bucket); no failover origin for static files
  #checkov:skip=CKV_AWS_374:students anywhere: no geo restriction
  #checkov:skip=CKV_AWS_68:WAF is optional (web_acl_arn); static files behind CloudFront's own protections
  #checkov:skip=CKV2_AWS_47:WAF is optional (web_acl_arn), as above
  #checkov:skip=CKV_AWS_86:access logs are optional (log_bucket_domain_name)
  count = local.create ? 1 : 0

  enabled             = true
  is_ipv6_enabled     = true
  comment             = "${var.name} web chat"
  default_root_object = "index.html"
  price_class         = var.price_class
  web_acl_id          = var.web_acl_arn

  origin {
    origin_id                = "web"
    domain_name              = aws_s3_bucket.this[0].bucket_regional_domain_name
    origin_access_control_id = aws_cloudfront_origin_access_control.this[0].id
  }

  default_cache_behavior {
    target_origin_id           = "web"
    viewer_protocol_policy     = "redirect-to-https"
    allowed_methods            = ["GET", "HEAD"]
    cached_methods             = ["GET", "HEAD"]
    compress                   = true
    cache_policy_id            = data.aws_cloudfront_cache_policy.optimized[0].id
    response_headers_policy_id = aws_cloudfront_response_headers_policy.this[0].id
  }

  dynamic "logging_config" {
    for_each = var.log_bucket_domain_name == null ? [] : [var.log_bucket_domain_name]
    content {
      bucket          = logging_config.value
      prefix          = "cloudfront/${var.name}-web/"
      include_cookies = false
    }
  }

  restrictions {
    geo_restriction {
      restriction_type = "none"
    }
  }

  viewer_certificate {
    cloudfront_default_certificate = true
  }

  tags = var.tags
}
