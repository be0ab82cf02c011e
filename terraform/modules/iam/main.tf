data "aws_caller_identity" "current" {}

data "aws_partition" "current" {}

data "aws_region" "current" {}

locals {
  partition = data.aws_partition.current.partition
  account   = data.aws_caller_identity.current.account_id
  region    = data.aws_region.current.id

  arn_prefix_logs = "arn:${local.partition}:logs:${local.region}:${local.account}:log-group"
  aws_policy      = "arn:${local.partition}:iam::aws:policy"
}

################################################################################
# Scalr: OIDC provider + the role Scalr runs plan/apply with
################################################################################

locals {
  create_scalr          = var.create_scalr_oidc_role
  create_scalr_provider = local.create_scalr && var.create_scalr_oidc_provider
  scalr_provider_arn    = local.create_scalr_provider ? try(aws_iam_openid_connect_provider.scalr[0].arn, null) : var.scalr_oidc_provider_arn
  scalr_role_name       = "${var.name_prefix}-scalr"
  scalr_passed_to_services = distinct(concat(
    var.scalr_passed_to_services,
    ["logs.${local.region}.amazonaws.com", "dms.${local.region}.amazonaws.com"],
  ))
}

resource "aws_iam_openid_connect_provider" "scalr" {
  count = local.create_scalr_provider ? 1 : 0

  url            = "https://${var.scalr_hostname}"
  client_id_list = [var.scalr_audience]

  tags = var.tags
}

data "aws_iam_policy_document" "scalr_assume" {
  count = local.create_scalr ? 1 : 0

  statement {
    actions = ["sts:AssumeRoleWithWebIdentity"]

    principals {
      type        = "Federated"
      identifiers = [local.scalr_provider_arn]
    }

    condition {
      test     = "StringEquals"
      variable = "${var.scalr_hostname}:aud"
      values   = [var.scalr_audience]
    }

    condition {
      test     = "StringLike"
      variable = "${var.scalr_hostname}:sub"
      values   = var.scalr_subjects
    }
  }
}

# PowerUserAccess has no IAM write; this adds IAM write limited to the project's own
# roles and policies (name prefix) and denies the usual escalation paths.
data "aws_iam_policy_document" "scalr" {
  count = local.create_scalr ? 1 : 0

  statement {
    sid = "ManageProjectRolesAndPolicies"
    actions = [
      "iam:AttachRolePolicy",
      "iam:CreatePolicy",
      "iam:CreatePolicyVersion",
      "iam:CreateRole",
      "iam:DeletePolicy",
      "iam:DeletePolicyVersion",
      "iam:DeleteRole",
      "iam:DeleteRolePolicy",
      "iam:DetachRolePolicy",
      "iam:GetPolicy",
      "iam:GetPolicyVersion",
      "iam:GetRole",
      "iam:GetRolePolicy",
      "iam:ListAttachedRolePolicies",
      "iam:ListInstanceProfilesForRole",
      "iam:ListPolicyVersions",
      "iam:ListRolePolicies",
      "iam:PutRolePolicy",
      "iam:TagPolicy",
      "iam:TagRole",
      "iam:UntagPolicy",
      "iam:UntagRole",
      "iam:UpdateAssumeRolePolicy",
      "iam:UpdateRole",
      "iam:UpdateRoleDescription",
    ]
    resources = concat(
      [
        "arn:${local.partition}:iam::${local.account}:role/${var.name_prefix}-*",
        "arn:${local.partition}:iam::${local.account}:policy/${var.name_prefix}-*",
      ],
      [for r in var.scalr_extra_role_names : "arn:${local.partition}:iam::${local.account}:role/${r}"],
    )
  }

  # Passing a project role only to the services the stacks give roles to.
  statement {
    sid     = "PassProjectRolesToTheirServices"
    actions = ["iam:PassRole"]
    resources = concat(
      ["arn:${local.partition}:iam::${local.account}:role/${var.name_prefix}-*"],
      [for r in var.scalr_extra_role_names : "arn:${local.partition}:iam::${local.account}:role/${r}"],
    )

    condition {
      test     = "StringEquals"
      variable = "iam:PassedToService"
      values   = local.scalr_passed_to_services
    }
  }

  statement {
    sid = "ManageScalrOidcProvider"
    actions = [
      "iam:AddClientIDToOpenIDConnectProvider",
      "iam:GetOpenIDConnectProvider",
      "iam:RemoveClientIDFromOpenIDConnectProvider",
      "iam:TagOpenIDConnectProvider",
      "iam:UntagOpenIDConnectProvider",
      "iam:UpdateOpenIDConnectProviderThumbprint",
    ]
    resources = ["arn:${local.partition}:iam::${local.account}:oidc-provider/${var.scalr_hostname}"]
  }

  statement {
    sid    = "DenySelfModification"
    effect = "Deny"
    actions = [
      "iam:AttachRolePolicy",
      "iam:DeleteRole",
      "iam:DeleteRolePermissionsBoundary",
      "iam:DeleteRolePolicy",
      "iam:DetachRolePolicy",
      "iam:PutRolePermissionsBoundary",
      "iam:PutRolePolicy",
      "iam:UpdateAssumeRolePolicy",
      "iam:UpdateRole",
    ]
    resources = ["arn:${local.partition}:iam::${local.account}:role/${local.scalr_role_name}"]
  }

  statement {
    sid       = "DenyAdministratorPolicies"
    effect    = "Deny"
    actions   = ["iam:AttachRolePolicy"]
    resources = ["arn:${local.partition}:iam::${local.account}:role/*"]

    condition {
      test     = "ArnLike"
      variable = "iam:PolicyARN"
      values = [
        "${local.aws_policy}/AdministratorAccess",
        "${local.aws_policy}/IAMFullAccess",
      ]
    }
  }
}

resource "aws_iam_role" "scalr" {
  count = local.create_scalr ? 1 : 0

  name                 = local.scalr_role_name
  description          = "Scalr runs plan/apply of the ${var.name_prefix} stacks with this role (OIDC)."
  assume_role_policy   = data.aws_iam_policy_document.scalr_assume[0].json
  max_session_duration = var.scalr_role_max_session_duration

  tags = var.tags
}

resource "aws_iam_role_policy" "scalr" {
  count = local.create_scalr ? 1 : 0

  name   = "project-iam"
  role   = aws_iam_role.scalr[0].id
  policy = data.aws_iam_policy_document.scalr[0].json
}

resource "aws_iam_role_policy_attachment" "scalr" {
  for_each = local.create_scalr ? toset(var.scalr_role_managed_policy_names) : toset([])

  role       = aws_iam_role.scalr[0].name
  policy_arn = "${local.aws_policy}/${each.value}"
}

################################################################################
# ECS: task execution role (pull image, write logs, read the DB secret) and task role
################################################################################

locals {
  create_ecs = var.create_ecs_roles
}

data "aws_iam_policy_document" "ecs_assume" {
  count = local.create_ecs ? 1 : 0

  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["ecs-tasks.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account]
    }

    condition {
      test     = "ArnLike"
      variable = "aws:SourceArn"
      values   = ["arn:${local.partition}:ecs:${local.region}:${local.account}:*"]
    }
  }
}

data "aws_iam_policy_document" "ecs_execution" {
  count = local.create_ecs ? 1 : 0

  statement {
    sid       = "EcrAuth"
    actions   = ["ecr:GetAuthorizationToken"]
    resources = ["*"]
  }

  statement {
    sid = "EcrPull"
    actions = [
      "ecr:BatchCheckLayerAvailability",
      "ecr:BatchGetImage",
      "ecr:GetDownloadUrlForLayer",
    ]
    resources = var.ecs.ecr_repository_arns
  }

  statement {
    sid       = "WriteLogs"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = [for g in var.ecs.log_group_names : "${local.arn_prefix_logs}:${g}:*"]
  }

  dynamic "statement" {
    for_each = length(var.ecs.secret_arns) > 0 ? [1] : []

    content {
      sid       = "ReadContainerSecrets"
      actions   = ["secretsmanager:GetSecretValue"]
      resources = var.ecs.secret_arns
    }
  }

  dynamic "statement" {
    for_each = length(var.ecs.kms_key_arns) > 0 ? [1] : []

    content {
      sid       = "DecryptSecrets"
      actions   = ["kms:Decrypt"]
      resources = var.ecs.kms_key_arns

      condition {
        test     = "StringEquals"
        variable = "kms:ViaService"
        values   = ["secretsmanager.${local.region}.amazonaws.com"]
      }
    }
  }
}

data "aws_iam_policy_document" "ecs_task" {
  count = local.create_ecs ? 1 : 0

  dynamic "statement" {
    for_each = length(var.ecs.s3_bucket_arns) > 0 ? [1] : []

    content {
      sid       = "ListBuckets"
      actions   = ["s3:ListBucket"]
      resources = var.ecs.s3_bucket_arns
    }
  }

  dynamic "statement" {
    for_each = length(var.ecs.s3_bucket_arns) > 0 ? [1] : []

    content {
      sid       = "ReadWriteObjects"
      actions   = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"]
      resources = [for b in var.ecs.s3_bucket_arns : "${b}/*"]
    }
  }

  dynamic "statement" {
    for_each = length(var.ecs.kms_key_arns) > 0 ? [1] : []

    content {
      sid       = "UseBucketKey"
      actions   = ["kms:Decrypt", "kms:GenerateDataKey"]
      resources = var.ecs.kms_key_arns

      condition {
        test     = "StringEquals"
        variable = "kms:ViaService"
        values   = ["s3.${local.region}.amazonaws.com"]
      }
    }
  }

  dynamic "statement" {
    for_each = var.ecs.statements

    content {
      sid       = statement.value.sid
      actions   = statement.value.actions
      resources = statement.value.resources

      dynamic "condition" {
        for_each = statement.value.conditions

        content {
          test     = condition.value.test
          variable = condition.value.variable
          values   = condition.value.values
        }
      }
    }
  }
}

resource "aws_iam_role" "ecs_execution" {
  count = local.create_ecs ? 1 : 0

  name               = "${var.name_prefix}-ecs-execution"
  description        = "ECS agent: pulls the API image, writes its logs, resolves its secrets."
  assume_role_policy = data.aws_iam_policy_document.ecs_assume[0].json

  tags = var.tags
}

resource "aws_iam_role_policy" "ecs_execution" {
  count = local.create_ecs ? 1 : 0

  name   = "execution"
  role   = aws_iam_role.ecs_execution[0].id
  policy = data.aws_iam_policy_document.ecs_execution[0].json
}

resource "aws_iam_role" "ecs_task" {
  count = local.create_ecs ? 1 : 0

  name               = "${var.name_prefix}-ecs-task"
  description        = "The API container: documents bucket and Bedrock."
  assume_role_policy = data.aws_iam_policy_document.ecs_assume[0].json

  tags = var.tags
}

resource "aws_iam_role_policy" "ecs_task" {
  count = local.create_ecs ? 1 : 0

  name   = "task"
  role   = aws_iam_role.ecs_task[0].id
  policy = data.aws_iam_policy_document.ecs_task[0].json
}

resource "aws_iam_role_policy_attachment" "ecs_task" {
  for_each = local.create_ecs ? var.ecs.policy_arns : {}

  role       = aws_iam_role.ecs_task[0].name
  policy_arn = each.value
}

################################################################################
# Lambda: one role per function
################################################################################

data "aws_iam_policy_document" "lambda_assume" {
  count = length(var.lambda_roles) > 0 ? 1 : 0

  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["lambda.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account]
    }
  }
}

data "aws_iam_policy_document" "lambda" {
  for_each = var.lambda_roles

  statement {
    sid     = "WriteLogs"
    actions = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = [
      "${local.arn_prefix_logs}:/aws/lambda/${each.value.function_name}:*",
    ]
  }

  statement {
    sid       = "XRay"
    actions   = ["xray:PutTelemetryRecords", "xray:PutTraceSegments"]
    resources = ["*"]
  }

  statement {
    sid       = "DeadLetterQueue"
    actions   = ["sqs:SendMessage"]
    resources = ["arn:${local.partition}:sqs:${local.region}:${local.account}:${each.value.function_name}-dlq"]
  }

  dynamic "statement" {
    for_each = length(each.value.kms_key_arns) > 0 ? [1] : []

    content {
      sid       = "DecryptEnvironment"
      actions   = ["kms:Decrypt"]
      resources = each.value.kms_key_arns
    }
  }

  # The dead-letter queue is encrypted with the same key: Lambda sends failed asynchronous events
  # to it with this role, and SQS needs a data key for that (without it they are dropped silently).
  dynamic "statement" {
    for_each = length(each.value.kms_key_arns) > 0 ? [1] : []

    content {
      sid       = "EncryptDeadLetters"
      actions   = ["kms:Decrypt", "kms:GenerateDataKey"]
      resources = each.value.kms_key_arns

      condition {
        test     = "StringEquals"
        variable = "kms:ViaService"
        values   = ["sqs.${local.region}.amazonaws.com"]
      }
    }
  }

  dynamic "statement" {
    for_each = each.value.vpc_access ? [1] : []

    content {
      sid = "DescribeNetwork"
      actions = [
        "ec2:DescribeNetworkInterfaces",
        "ec2:DescribeSubnets",
      ]
      resources = ["*"]
    }
  }

  dynamic "statement" {
    for_each = each.value.vpc_access ? [1] : []

    content {
      sid = "ManageFunctionEnis"
      actions = [
        "ec2:AssignPrivateIpAddresses",
        "ec2:CreateNetworkInterface",
        "ec2:DeleteNetworkInterface",
        "ec2:UnassignPrivateIpAddresses",
      ]
      resources = [
        "arn:${local.partition}:ec2:${local.region}:${local.account}:network-interface/*",
        "arn:${local.partition}:ec2:${local.region}:${local.account}:security-group/*",
        "arn:${local.partition}:ec2:${local.region}:${local.account}:subnet/*",
      ]
    }
  }

  dynamic "statement" {
    for_each = each.value.statements

    content {
      sid       = statement.value.sid
      actions   = statement.value.actions
      resources = statement.value.resources

      dynamic "condition" {
        for_each = statement.value.conditions

        content {
          test     = condition.value.test
          variable = condition.value.variable
          values   = condition.value.values
        }
      }
    }
  }
}

resource "aws_iam_role" "lambda" {
  for_each = var.lambda_roles

  name               = "${var.name_prefix}-lambda-${replace(each.key, "_", "-")}"
  description        = "Execution role of the ${each.value.function_name} Lambda function."
  assume_role_policy = data.aws_iam_policy_document.lambda_assume[0].json

  tags = var.tags
}

resource "aws_iam_role_policy" "lambda" {
  for_each = var.lambda_roles

  name   = "function"
  role   = aws_iam_role.lambda[each.key].id
  policy = data.aws_iam_policy_document.lambda[each.key].json
}

resource "aws_iam_role_policy_attachment" "lambda" {
  for_each = merge([
    for role, spec in var.lambda_roles : {
      for name, arn in spec.policy_arns : "${role}/${name}" => { role = role, arn = arn }
    }
  ]...)

  role       = aws_iam_role.lambda[each.value.role].name
  policy_arn = each.value.arn
}

################################################################################
# DMS: the account-wide service roles DMS looks up by name, the S3 target role and
# the role DMS uses to read the RDS-managed secret
################################################################################

locals {
  create_dms     = var.create_dms_roles
  create_dms_vpc = local.create_dms && var.create_dms_service_roles
}

data "aws_iam_policy_document" "dms_assume" {
  count = local.create_dms ? 1 : 0

  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["dms.amazonaws.com", "dms.${local.region}.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "dms_vpc" {
  count = local.create_dms_vpc ? 1 : 0

  name               = "dms-vpc-role"
  description        = "Lets DMS manage the network interfaces of replication instances (name required by DMS)."
  assume_role_policy = data.aws_iam_policy_document.dms_assume[0].json

  tags = var.tags
}

resource "aws_iam_role_policy_attachment" "dms_vpc" {
  count = local.create_dms_vpc ? 1 : 0

  role       = aws_iam_role.dms_vpc[0].name
  policy_arn = "${local.aws_policy}/service-role/AmazonDMSVPCManagementRole"
}

resource "aws_iam_role" "dms_cloudwatch" {
  count = local.create_dms_vpc ? 1 : 0

  name               = "dms-cloudwatch-logs-role"
  description        = "Lets DMS write task logs to CloudWatch Logs (name required by DMS)."
  assume_role_policy = data.aws_iam_policy_document.dms_assume[0].json

  tags = var.tags
}

resource "aws_iam_role_policy_attachment" "dms_cloudwatch" {
  count = local.create_dms_vpc ? 1 : 0

  role       = aws_iam_role.dms_cloudwatch[0].name
  policy_arn = "${local.aws_policy}/service-role/AmazonDMSCloudWatchLogsRole"
}

data "aws_iam_policy_document" "dms_s3_target" {
  count = local.create_dms ? 1 : 0

  statement {
    sid       = "ListLake"
    actions   = ["s3:ListBucket"]
    resources = [var.dms.s3_bucket_arn]

    condition {
      test     = "StringLike"
      variable = "s3:prefix"
      values   = ["${var.dms.s3_prefix}*"]
    }
  }

  statement {
    sid       = "WriteLakePrefix"
    actions   = ["s3:DeleteObject", "s3:GetObject", "s3:PutObject", "s3:PutObjectTagging"]
    resources = ["${var.dms.s3_bucket_arn}/${var.dms.s3_prefix}*"]
  }

  statement {
    sid       = "UseLakeKey"
    actions   = ["kms:Decrypt", "kms:GenerateDataKey"]
    resources = var.dms.kms_key_arns
  }
}

resource "aws_iam_role" "dms_s3_target" {
  count = local.create_dms ? 1 : 0

  name               = "${var.name_prefix}-dms-s3-target"
  description        = "DMS writes the replicated tables under the lake's DMS prefix."
  assume_role_policy = data.aws_iam_policy_document.dms_assume[0].json

  tags = var.tags
}

resource "aws_iam_role_policy" "dms_s3_target" {
  count = local.create_dms ? 1 : 0

  name   = "s3-target"
  role   = aws_iam_role.dms_s3_target[0].id
  policy = data.aws_iam_policy_document.dms_s3_target[0].json
}

data "aws_iam_policy_document" "dms_secrets" {
  count = local.create_dms ? 1 : 0

  statement {
    sid       = "ReadSourceSecret"
    actions   = ["secretsmanager:DescribeSecret", "secretsmanager:GetSecretValue"]
    resources = var.dms.secret_arns
  }

  statement {
    sid       = "DecryptSourceSecret"
    actions   = ["kms:Decrypt"]
    resources = var.dms.kms_key_arns

    condition {
      test     = "StringEquals"
      variable = "kms:ViaService"
      values   = ["secretsmanager.${local.region}.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "dms_secrets" {
  count = local.create_dms ? 1 : 0

  name               = "${var.name_prefix}-dms-secrets"
  description        = "DMS reads the RDS-managed master secret of the source endpoint."
  assume_role_policy = data.aws_iam_policy_document.dms_assume[0].json

  tags = var.tags
}

resource "aws_iam_role_policy" "dms_secrets" {
  count = local.create_dms ? 1 : 0

  name   = "source-secret"
  role   = aws_iam_role.dms_secrets[0].id
  policy = data.aws_iam_policy_document.dms_secrets[0].json
}

################################################################################
# Lex V2: the bot's service role (conversation logs)
################################################################################

data "aws_iam_policy_document" "lex_assume" {
  count = var.create_lex_bot_role ? 1 : 0

  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["lexv2.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account]
    }
  }
}

data "aws_iam_policy_document" "lex" {
  count = var.create_lex_bot_role ? 1 : 0

  statement {
    sid       = "SynthesizeSpeech"
    actions   = ["polly:SynthesizeSpeech"]
    resources = ["arn:${local.partition}:polly:${local.region}:${local.account}:lexicon/*"]
  }

  statement {
    sid       = "ConversationLogs"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${local.arn_prefix_logs}:${var.lex_conversation_log_group_name}:*"]
  }
}

resource "aws_iam_role" "lex" {
  count = var.create_lex_bot_role ? 1 : 0

  name               = "${var.name_prefix}-lex-bot"
  description        = "Service role of the Lex V2 bot."
  assume_role_policy = data.aws_iam_policy_document.lex_assume[0].json

  tags = var.tags
}

resource "aws_iam_role_policy" "lex" {
  count = var.create_lex_bot_role ? 1 : 0

  name   = "bot"
  role   = aws_iam_role.lex[0].id
  policy = data.aws_iam_policy_document.lex[0].json
}
