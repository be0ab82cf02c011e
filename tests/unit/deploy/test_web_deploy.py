"""platform deploy's web step: web/ and a generated config.json into the web bucket (moto's S3), unchanged files not
sent again."""

from __future__ import annotations

import json

import boto3
from moto import mock_aws

from campusbot.deploy import web


def test_config_names_the_api_its_key_and_the_pool() -> None:
    config = web.client_config(
        "https://abc.execute-api.eu-central-1.amazonaws.com/v1/chat",
        api_key="k3y",
        cognito={"region": "eu-central-1", "userPoolId": "eu-central-1_x", "clientId": "c", "endpoint": "e"},
    )
    assert config["apiUrl"].endswith("/v1/chat") and config["feedbackUrl"].endswith("/v1/feedback")
    assert config["apiKey"] == "k3y" and config["cognito"]["clientId"] == "c"
    assert web.client_config("https://x/v1/chat")["cognito"] is None


@mock_aws
def test_upload_puts_the_files_and_config_then_only_what_changed() -> None:
    s3 = boto3.client("s3", region_name="us-east-1")
    s3.create_bucket(Bucket="campusbot-dev-web")
    config = web.client_config("https://abc.execute-api.us-east-1.amazonaws.com/v1/chat")
    first = web.upload(s3, "campusbot-dev-web", config)
    keys = {u.key for u in first}
    assert {"index.html", "app.js", "widget.js", "app.css", "render.js", "auth.js", "config.json"} <= keys
    assert "config.example.json" not in keys and all(u.uploaded for u in first)
    page = s3.get_object(Bucket="campusbot-dev-web", Key="index.html")
    assert page["ContentType"].startswith("text/html") and page["CacheControl"] == "no-cache"
    assert json.loads(s3.get_object(Bucket="campusbot-dev-web", Key="config.json")["Body"].read()) == config
    again = web.upload(s3, "campusbot-dev-web", {**config, "title": "Ask Admissions"})
    assert [u.key for u in again if u.uploaded] == ["config.json"]
