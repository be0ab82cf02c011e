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
    { name = "kind", type = "STRING" },
    { name = "question", type = "STRING" },
    { name = "sources", type = "STRING" },
    { name = "rated_event_id", type = "STRING" },
    { name = "rating", type = "INTEGER" },
    { name = "dt", type = "STRING" },
  ]

  # The named queries (src/campusbot/analytics/queries/*.sql): one data set each (custom SQL on Athena, the
  # tables qualified with the Glue database) and one visual each, drawn as the file's "-- chart:" line says,
  # in the order of its "-- order:" line: the same charts as `platform analytics report`.
  query_files  = local.create ? fileset(var.queries_dir, "*.sql") : toset([])
  query_texts  = { for f in local.query_files : replace(trimsuffix(f, ".sql"), "_", "-") => file("${var.queries_dir}/${f}") }
  query_charts = { for id, text in local.query_texts : id => split(" ", trimspace(regex("(?m)^--\\s*chart:\\s*(.+)$", text)[0])) }
  queries = {
    for id, text in local.query_texts : id => {
      title   = trimspace(regex("(?m)^--\\s*title:\\s*(.+)$", text)[0])
      order   = tonumber(regex("(?m)^--\\s*order:\\s*(\\d+)", text)[0])
      kind    = local.query_charts[id][0]
      options = { for o in slice(local.query_charts[id], 1, length(local.query_charts[id])) : split("=", o)[0] => split("=", o)[1] }
      columns = [for c in split(",", regex("(?m)^--\\s*columns:\\s*(.+)$", text)[0]) : { name = trimspace(split(":", c)[0]), type = trimspace(split(":", c)[1]) }]
      sql = replace(
        join("\n", [for line in split("\n", text) : line if !startswith(trimspace(line), "--")]),
        "/\\b(FROM|JOIN)\\s+(chat_events|dms_\\w+)\\b/",
        "$1 \"${var.glue_database_name}\".$2",
      )
    }
  }
  visual_order = [for key in sort([for id, q in local.queries : format("%05d %s", q.order, id)]) : split(" ", key)[1]]
  visuals = {
    for id, q in local.queries : id => merge(q, {
      x     = lookup(q.options, "x", "")
      y     = compact(split(",", lookup(q.options, "y", "")))
      color = lookup(q.options, "color", "")
    })
  }

  data_source_actions = [
    "quicksight:DescribeDataSource",
    "quicksight:DescribeDataSourcePermissions",
    "quicksight:PassDataSource",
    "quicksight:UpdateDataSource",
    "quicksight:DeleteDataSource",
    "quicksight:UpdateDataSourcePermissions",
  ]
  analysis_actions = [
    "quicksight:RestoreAnalysis",
    "quicksight:UpdateAnalysisPermissions",
    "quicksight:DeleteAnalysis",
    "quicksight:DescribeAnalysisPermissions",
    "quicksight:QueryAnalysis",
    "quicksight:DescribeAnalysis",
    "quicksight:UpdateAnalysis",
  ]
  dashboard_actions = [
    "quicksight:DescribeDashboard",
    "quicksight:ListDashboardVersions",
    "quicksight:UpdateDashboardPermissions",
    "quicksight:QueryDashboard",
    "quicksight:UpdateDashboard",
    "quicksight:DeleteDashboard",
    "quicksight:DescribeDashboardPermissions",
    "quicksight:UpdateDashboardPublishedVersion",
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

################################################################################
# One data set per named query, an analysis with one visual each, a template of
# it and the dashboard people open
################################################################################

resource "aws_quicksight_data_set" "query" {
  for_each = local.queries

  aws_account_id = local.account_id
  data_set_id    = "${var.name}-${each.key}"
  name           = "${var.name} ${each.value.title}"
  import_mode    = var.import_mode

  physical_table_map {
    physical_table_map_id = replace(each.key, "-", "")

    custom_sql {
      data_source_arn = aws_quicksight_data_source.athena[0].arn
      name            = each.key
      sql_query       = each.value.sql

      dynamic "columns" {
        for_each = each.value.columns

        content {
          name = columns.value.name
          type = columns.value.type
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

resource "aws_quicksight_analysis" "this" {
  count = local.create ? 1 : 0

  aws_account_id = local.account_id
  analysis_id    = "${var.name}-analytics"
  name           = "${var.name} analytics"

  definition {
    dynamic "data_set_identifiers_declarations" {
      for_each = local.visual_order

      content {
        identifier   = data_set_identifiers_declarations.value
        data_set_arn = aws_quicksight_data_set.query[data_set_identifiers_declarations.value].arn
      }
    }

    sheets {
      sheet_id = "overview"
      name     = "Overview"

      dynamic "visuals" {
        for_each = local.visual_order

        content {
          dynamic "line_chart_visual" {
            for_each = local.visuals[visuals.value].kind == "line" ? [local.visuals[visuals.value]] : []
            iterator = chart

            content {
              visual_id = visuals.value

              title {
                format_text {
                  plain_text = chart.value.title
                }
              }

              chart_configuration {
                field_wells {
                  line_chart_aggregated_field_wells {
                    category {
                      categorical_dimension_field {
                        field_id = "${visuals.value}.${chart.value.x}"

                        column {
                          data_set_identifier = visuals.value
                          column_name         = chart.value.x
                        }
                      }
                    }

                    dynamic "values" {
                      for_each = chart.value.y

                      content {
                        numerical_measure_field {
                          field_id = "${visuals.value}.${values.value}"

                          column {
                            data_set_identifier = visuals.value
                            column_name         = values.value
                          }

                          aggregation_function {
                            simple_numerical_aggregation = "SUM"
                          }
                        }
                      }
                    }
                  }
                }
              }
            }
          }

          dynamic "bar_chart_visual" {
            for_each = contains(["bar", "barh", "stacked"], local.visuals[visuals.value].kind) ? [local.visuals[visuals.value]] : []
            iterator = chart

            content {
              visual_id = visuals.value

              title {
                format_text {
                  plain_text = chart.value.title
                }
              }

              chart_configuration {
                orientation      = chart.value.kind == "barh" ? "HORIZONTAL" : "VERTICAL"
                bars_arrangement = chart.value.kind == "stacked" ? "STACKED" : "CLUSTERED"

                field_wells {
                  bar_chart_aggregated_field_wells {
                    category {
                      categorical_dimension_field {
                        field_id = "${visuals.value}.${chart.value.x}"

                        column {
                          data_set_identifier = visuals.value
                          column_name         = chart.value.x
                        }
                      }
                    }

                    dynamic "colors" {
                      for_each = chart.value.color != "" ? [chart.value.color] : []

                      content {
                        categorical_dimension_field {
                          field_id = "${visuals.value}.${colors.value}"

                          column {
                            data_set_identifier = visuals.value
                            column_name         = colors.value
                          }
                        }
                      }
                    }

                    dynamic "values" {
                      for_each = chart.value.y

                      content {
                        numerical_measure_field {
                          field_id = "${visuals.value}.${values.value}"

                          column {
                            data_set_identifier = visuals.value
                            column_name         = values.value
                          }

                          aggregation_function {
                            simple_numerical_aggregation = "SUM"
                          }
                        }
                      }
                    }
                  }
                }
              }
            }
          }

          dynamic "table_visual" {
            for_each = local.visuals[visuals.value].kind == "table" ? [local.visuals[visuals.value]] : []
            iterator = chart

            content {
              visual_id = visuals.value

              title {
                format_text {
                  plain_text = chart.value.title
                }
              }

              chart_configuration {
                field_wells {
                  table_unaggregated_field_wells {
                    dynamic "values" {
                      for_each = chart.value.columns

                      content {
                        field_id = "${visuals.value}.${values.value.name}"

                        column {
                          data_set_identifier = visuals.value
                          column_name         = values.value.name
                        }
                      }
                    }
                  }
                }
              }
            }
          }
        }
      }
    }
  }

  dynamic "permissions" {
    for_each = toset(var.owner_principal_arns)

    content {
      principal = permissions.value
      actions   = local.analysis_actions
    }
  }

  tags = var.tags
}

resource "aws_quicksight_template" "this" {
  count = local.create ? 1 : 0

  aws_account_id      = local.account_id
  template_id         = "${var.name}-analytics"
  name                = "${var.name} analytics"
  version_description = "The named queries of src/campusbot/analytics/queries"

  source_entity {
    source_analysis {
      arn = aws_quicksight_analysis.this[0].arn

      dynamic "data_set_references" {
        for_each = local.visual_order

        content {
          data_set_placeholder = data_set_references.value
          data_set_arn         = aws_quicksight_data_set.query[data_set_references.value].arn
        }
      }
    }
  }

  tags = var.tags
}

resource "aws_quicksight_dashboard" "this" {
  count = local.create ? 1 : 0

  aws_account_id      = local.account_id
  dashboard_id        = "${var.name}-analytics"
  name                = "${var.name} analytics"
  version_description = "The named queries of src/campusbot/analytics/queries"

  source_entity {
    source_template {
      arn = aws_quicksight_template.this[0].arn

      dynamic "data_set_references" {
        for_each = local.visual_order

        content {
          data_set_placeholder = data_set_references.value
          data_set_arn         = aws_quicksight_data_set.query[data_set_references.value].arn
        }
      }
    }
  }

  dynamic "permissions" {
    for_each = toset(var.owner_principal_arns)

    content {
      principal = permissions.value
      actions   = local.dashboard_actions
    }
  }

  tags = var.tags
}
