data "aws_caller_identity" "current" {}

locals {
  create     = var.create
  account_id = coalesce(var.aws_account_id, data.aws_caller_identity.current.account_id)
  columns = [
    { name = "event_id", type = "STRING" },
    { name = "occurred_at", type = "STRING" },
    { name = "session_id", type = "STRING" },
    { name = "env", type = "STRING" },
    { name = "channel", type = "STRING" },
    { name = "intent", type = "STRING" },
    { name = "nlu_confidence", type = "DECIMAL" },
    { name = "state", type = "STRING" },
    { name = "answer_source", type = "STRING" },
    { name = "slots", type = "STRING" },
    { name = "message_chars", type = "INTEGER" },
    { name = "latency_ms", type = "INTEGER" },
    { name = "error", type = "STRING" },
    { name = "dt", type = "STRING" },
  ]
  data_source_actions = [
    "quicksight:DescribeDataSource",
    "quicksight:DescribeDataSourcePermissions",
    "quicksight:PassDataSource",
    "quicksight:UpdateDataSource",
    "quicksight:DeleteDataSource",
    "quicksight:UpdateDataSourcePermissions",
  ]
  data_set_actions = [
    "quicksight:DescribeDataSet",
    "quicksight:DescribeDataSetPermissions",
    "quicksight:PassDataSet",
    "quicksight:DescribeIngestion",
    "quicksight:ListIngestions",
    "quicksight:UpdateDataSet",
    "quicksight:DeleteDataSet",
    "quicksight:CreateIngestion",
    "quicksight:CancelIngestion",
    "quicksight:UpdateDataSetPermissions",
  ]
}

resource "aws_quicksight_data_source" "athena" {
  count = local.create ? 1 : 0

  aws_account_id = local.account_id
  data_source_id = "${var.name}-athena"
  name           = "${var.name} Athena"
  type           = "ATHENA"

  parameters {
    athena {
      work_group = var.athena_workgroup_name
    }
  }

  ssl_properties {
    disable_ssl = false
  }

  dynamic "permission" {
    for_each = toset(var.owner_principal_arns)

    content {
      principal = permission.value
      actions   = local.data_source_actions
    }
  }

  tags = var.tags
}

resource "aws_quicksight_data_set" "chat_events" {
  count = local.create ? 1 : 0

  aws_account_id = local.account_id
  data_set_id    = "${var.name}-chat-events"
  name           = "${var.name} chat events"
  import_mode    = var.import_mode

  physical_table_map {
    physical_table_map_id = "chatevents"

    relational_table {
      data_source_arn = aws_quicksight_data_source.athena[0].arn
      catalog         = "AwsDataCatalog"
      schema          = var.glue_database_name
      name            = var.chat_events_table_name

      dynamic "input_columns" {
        for_each = local.columns

        content {
          name = input_columns.value.name
          type = input_columns.value.type
        }
      }
    }
  }

  dynamic "permissions" {
    for_each = toset(var.owner_principal_arns)

    content {
      principal = permissions.value
      actions   = local.data_set_actions
    }
  }

  tags = var.tags
}
