data "aws_caller_identity" "current" {}

data "aws_partition" "current" {}

data "aws_region" "current" {}

################################################################################
# The bot: the CloudFormation template rendered from src/campusbot/bot/definition.yaml by
# `platform bot render` (src/campusbot/bot/bot.template.json, committed; the local Lex
# emulator runs the same file). Nothing about the bot is derived here: what only the deploy
# knows goes in as stack parameters, and slot types filled from the data take their values
# from var.slot_type_values (the one substitution, below).
################################################################################

locals {
  create   = var.create
  artifact = jsondecode(file(var.template_path))
  metadata = local.artifact.Metadata.Campusbot
  locale   = local.artifact.Resources.Bot.Properties.BotLocales[0]

  locale_id       = local.locale.LocaleId
  intent_names    = [for intent in local.locale.Intents : intent.Name]
  slot_type_names = [for st in local.locale.SlotTypes : st.Name]

  # The deploy-time substitution: the values_from: database slot types (UniversityName) take
  # the values the deploy step passes, in CloudFormation's shape. The rendered values are the
  # default. src/campusbot/bot/cloudformation.py deploy_template() is the Python twin.
  slot_type_values = {
    for name, values in var.slot_type_values : name => [
      for v in values : merge(
        { SampleValue = { Value = v.value } },
        { for k, x in { Synonyms = [for s in v.synonyms : { Value = s }] } : k => x if length(v.synonyms) > 0 },
      )
    ]
  }
  bot_locales = [
    for locale in local.artifact.Resources.Bot.Properties.BotLocales : merge(locale, {
      SlotTypes = [
        for st in locale.SlotTypes : merge(st, {
          for k, x in { SlotTypeValues = try(local.slot_type_values[st.Name], null) } : k => x if x != null
        })
      ]
    })
  ]
  template = merge(local.artifact, {
    Resources = merge(local.artifact.Resources, {
      Bot = merge(local.artifact.Resources.Bot, {
        Properties = merge(local.artifact.Resources.Bot.Properties, { BotLocales = local.bot_locales })
      })
    })
  })

  # A new version is cut whenever the bot changes: the BotVersion's logical id carries a hash of
  # the bot (BotVersion<hash>), so CloudFormation creates the new version, moves the alias to it
  # and then deletes the old one. Deploy-time values change the bot, so they change the hash:
  # the rendered hash is replaced wherever the template names it (logical id, GetAtt, descriptions).
  rendered_hash   = local.metadata.DefinitionHash
  definition_hash = length(local.slot_type_values) == 0 ? local.rendered_hash : substr(sha256(jsonencode([local.rendered_hash, local.slot_type_values])), 0, 12)
  template_body   = replace(jsonencode(local.template), local.rendered_hash, local.definition_hash)

  # Delivery: through S3 when a bucket is given (template_url, 1 MB), else inline (template_body, 51,200 B).
  # The key carries a hash of the body, so a changed template is a new object and a new URL (a stack update).
  from_s3      = var.template_bucket != null
  template_key = "${trimsuffix(var.template_key_prefix, "/")}/${var.name}/bot-${substr(sha256(local.template_body), 0, 16)}.template.json"
  template_url = "https://${coalesce(var.template_bucket, "none")}.s3.${data.aws_region.current.id}.${data.aws_partition.current.dns_suffix}/${local.template_key}"

  # Deploy-time values of the template's parameters. Tag<Key> parameters come from var.tags.
  tag_keys = [for name, _ in local.artifact.Parameters : trimprefix(name, "Tag") if startswith(name, "Tag")]
  parameters = merge(
    {
      BotName                 = var.name
      BotRoleArn              = var.role_arn
      FulfillmentLambdaArn    = var.fulfillment_lambda_arn
      AliasName               = var.alias_name
      ConversationLogGroupArn = try(aws_cloudwatch_log_group.conversation[0].arn, "")
    },
    { for key in local.tag_keys : "Tag${key}" => lookup(var.tags, key, "") },
  )
}

################################################################################
# Conversation (text) logs
################################################################################

resource "aws_cloudwatch_log_group" "conversation" {
  count = local.create && var.enable_conversation_logs ? 1 : 0

  name              = var.conversation_log_group_name
  retention_in_days = var.log_retention_days
  kms_key_id        = var.kms_key_arn

  tags = var.tags
}

################################################################################
# The template in S3 (private, encrypted, versioned bucket of the caller), read by CloudFormation
################################################################################

resource "aws_s3_object" "template" {
  count = local.create && local.from_s3 ? 1 : 0

  bucket                 = var.template_bucket
  key                    = local.template_key
  content                = local.template_body
  content_type           = "application/json"
  server_side_encryption = var.template_kms_key_arn != null ? "aws:kms" : "AES256"
  kms_key_id             = var.template_kms_key_arn

  tags = var.tags
}

################################################################################
# Bot, locale (built), version and alias with the fulfillment code hook
################################################################################

resource "aws_cloudformation_stack" "this" {
  count = local.create ? 1 : 0

  name               = var.name
  template_body      = local.from_s3 ? null : local.template_body
  template_url       = local.from_s3 ? local.template_url : null
  parameters         = local.parameters
  iam_role_arn       = var.cloudformation_role_arn
  on_failure         = "DELETE"
  timeout_in_minutes = var.stack_timeout_minutes

  tags = var.tags

  depends_on = [aws_s3_object.template]

  timeouts {
    create = "${var.stack_timeout_minutes}m"
    update = "${var.stack_timeout_minutes}m"
    delete = "${var.stack_timeout_minutes}m"
  }

  lifecycle {
    # checkov:skip=CKV_AWS_124:Stack events surface in the Terraform run that drives the stack; the bot itself is alarmed by the observability module.
    # Bytes, not characters (university names are not all ASCII): base64 of n bytes has
    # 4 * ceil(n / 3) characters, so these hold for n <= 51,198 of the 51,200 bytes allowed inline
    # and for n <= 1,048,575 of the 1,048,576 allowed through S3.
    precondition {
      condition     = local.from_s3 || length(base64encode(local.template_body)) <= 68264
      error_message = "The bot template exceeds CloudFormation's 51,200-byte template_body limit: deliver it through S3 (template_bucket)."
    }
    precondition {
      condition     = length(base64encode(local.template_body)) <= 1398100
      error_message = "The bot template exceeds CloudFormation's 1 MB template_url limit (fewer slot values or intents)."
    }
    precondition {
      condition     = length(setsubtract(keys(var.slot_type_values), local.metadata.DatabaseSlotTypes)) == 0
      error_message = "slot_type_values may only fill the template's values_from: database slot types (${join(", ", local.metadata.DatabaseSlotTypes)})."
    }
  }
}

resource "aws_lambda_permission" "fulfillment" {
  count = local.create ? 1 : 0

  statement_id  = "AllowLexV2-${var.name}"
  action        = "lambda:InvokeFunction"
  function_name = var.fulfillment_lambda_arn
  principal     = "lexv2.amazonaws.com"
  source_arn    = "arn:${data.aws_partition.current.partition}:lex:${data.aws_region.current.id}:${data.aws_caller_identity.current.account_id}:bot-alias/${aws_cloudformation_stack.this[0].outputs["BotId"]}/*"
}
