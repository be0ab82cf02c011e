data "aws_caller_identity" "current" {}

data "aws_partition" "current" {}

data "aws_region" "current" {}

locals {
  partition = data.aws_partition.current.partition
  region    = data.aws_region.current.id
  account   = data.aws_caller_identity.current.account_id

  geo_prefix = "^(us|eu|apac|us-gov|jp|au|ca|global)\\."

  # Resources a model id needs in an IAM policy: a foundation model in this region; or a
  # cross-region inference profile plus its foundation model in the regions it routes to;
  # or an ARN as given.
  model_resources = {
    for id in distinct(concat([var.chat_model_id, var.embedding_model_id], var.additional_model_ids)) : id => (
      startswith(id, "arn:") ? [id] :
      can(regex(local.geo_prefix, id)) ? [
        "arn:${local.partition}:bedrock:${local.region}:${local.account}:inference-profile/${id}",
        "arn:${local.partition}:bedrock:*::foundation-model/${replace(id, "/${local.geo_prefix}/", "")}",
      ] :
      ["arn:${local.partition}:bedrock:${local.region}::foundation-model/${id}"]
    )
  }

  chat_resources      = distinct(flatten([for id, r in local.model_resources : r if id != var.embedding_model_id]))
  embedding_resources = local.model_resources[var.embedding_model_id]
  log_group_name      = "/aws/bedrock/${var.name}/invocations"
}

################################################################################
# Invocation policies (attached to the roles of the API and the vectorizer)
################################################################################

data "aws_iam_policy_document" "invoke_all" {
  statement {
    sid       = "InvokeChatAndEmbeddingModels"
    actions   = ["bedrock:InvokeModel", "bedrock:InvokeModelWithResponseStream"]
    resources = distinct(concat(local.chat_resources, local.embedding_resources))
  }

  dynamic "statement" {
    for_each = var.create_guardrail ? [1] : []

    content {
      sid       = "ApplyGuardrail"
      actions   = ["bedrock:ApplyGuardrail"]
      resources = [aws_bedrock_guardrail.this[0].guardrail_arn]
    }
  }
}

resource "aws_iam_policy" "invoke_all" {
  name        = "${var.name}-bedrock-invoke"
  description = "Converse/InvokeModel on the chat model (${var.chat_model_id}) and the embedding model (${var.embedding_model_id})."
  policy      = data.aws_iam_policy_document.invoke_all.json

  tags = var.tags
}

data "aws_iam_policy_document" "invoke_embedding" {
  statement {
    sid       = "InvokeEmbeddingModel"
    actions   = ["bedrock:InvokeModel"]
    resources = local.embedding_resources
  }
}

resource "aws_iam_policy" "invoke_embedding" {
  name        = "${var.name}-bedrock-embed"
  description = "InvokeModel on the embedding model (${var.embedding_model_id}) only."
  policy      = data.aws_iam_policy_document.invoke_embedding.json

  tags = var.tags
}

################################################################################
# Model invocation logging (one configuration per account and region)
################################################################################

resource "aws_cloudwatch_log_group" "invocations" {
  count = var.create_invocation_logging ? 1 : 0

  name              = local.log_group_name
  retention_in_days = var.log_retention_days
  kms_key_id        = var.kms_key_arn

  tags = var.tags
}

data "aws_iam_policy_document" "logging_assume" {
  count = var.create_invocation_logging ? 1 : 0

  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["bedrock.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account]
    }

    condition {
      test     = "ArnLike"
      variable = "aws:SourceArn"
      values   = ["arn:${local.partition}:bedrock:${local.region}:${local.account}:*"]
    }
  }
}

data "aws_iam_policy_document" "logging" {
  count = var.create_invocation_logging ? 1 : 0

  statement {
    sid       = "WriteInvocationLogs"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${aws_cloudwatch_log_group.invocations[0].arn}:*"]
  }
}

resource "aws_iam_role" "logging" {
  count = var.create_invocation_logging ? 1 : 0

  name               = "${var.name}-bedrock-logging"
  assume_role_policy = data.aws_iam_policy_document.logging_assume[0].json

  tags = var.tags
}

resource "aws_iam_role_policy" "logging" {
  count = var.create_invocation_logging ? 1 : 0

  name   = "write-invocation-logs"
  role   = aws_iam_role.logging[0].id
  policy = data.aws_iam_policy_document.logging[0].json
}

resource "aws_bedrock_model_invocation_logging_configuration" "this" {
  count = var.create_invocation_logging ? 1 : 0

  logging_config {
    text_data_delivery_enabled      = var.log_text_data
    embedding_data_delivery_enabled = false
    image_data_delivery_enabled     = false
    video_data_delivery_enabled     = false

    cloudwatch_config {
      log_group_name = aws_cloudwatch_log_group.invocations[0].name
      role_arn       = aws_iam_role.logging[0].arn
    }
  }

  depends_on = [aws_iam_role_policy.logging]
}

################################################################################
# Optional guardrail
################################################################################

resource "aws_bedrock_guardrail" "this" {
  count = var.create_guardrail ? 1 : 0

  name                      = var.name
  description               = "campusbot answers: harmful content and prompt attacks filtered, contact data masked."
  blocked_input_messaging   = var.guardrail_blocked_message
  blocked_outputs_messaging = var.guardrail_blocked_message
  kms_key_arn               = var.kms_key_arn

  content_policy_config {
    dynamic "filters_config" {
      for_each = toset(["HATE", "INSULTS", "SEXUAL", "VIOLENCE", "MISCONDUCT"])

      content {
        type            = filters_config.value
        input_strength  = var.guardrail_filter_strength
        output_strength = var.guardrail_filter_strength
      }
    }

    filters_config {
      type            = "PROMPT_ATTACK"
      input_strength  = "HIGH"
      output_strength = "NONE"
    }
  }

  sensitive_information_policy_config {
    pii_entities_config {
      type   = "PHONE"
      action = "ANONYMIZE"
    }

    pii_entities_config {
      type   = "CREDIT_DEBIT_CARD_NUMBER"
      action = "BLOCK"
    }
  }

  tags = var.tags
}

resource "aws_bedrock_guardrail_version" "this" {
  count = var.create_guardrail ? 1 : 0

  guardrail_arn = aws_bedrock_guardrail.this[0].guardrail_arn
  description   = "Managed by Terraform"
}
