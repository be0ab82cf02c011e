"""campusbot's AWS emulator: the AWS APIs nothing free emulates (Lex V2 runtime, Bedrock runtime), on the
REST paths of the botocore service models, so unchanged boto3 clients reach it through endpoint URLs."""
