"""Signing in against a Cognito user pool (the CLI's `users add`, `chat --as`, signed-in smoke scripts): the local
runtime's pool in moto, or a deployed stack's pool (its ids from SSM `/campusbot/<env>/cognito/*`).

Users are created confirmed with a verified email (AdminCreateUser without an invitation, then a permanent
password), and sign in with USER_PASSWORD_AUTH on the public app client (what the module allows for the CLI); the
ID token is what the chat API takes as `Authorization: Bearer`.
"""

from __future__ import annotations

import secrets
import string
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError


class SignInError(RuntimeError):
    """Signing in or creating a user failed; the message says why in words a person can act on."""


@dataclass(frozen=True)
class PoolAddress:
    user_pool_id: str
    client_id: str
    region: str
    endpoint: str | None = None  # cognito-idp endpoint (moto); None: AWS


def generate_password(length: int = 20) -> str:
    """A password that satisfies the module's policy (lower, upper, digit, symbol; 20 characters by default)."""
    alphabet = string.ascii_letters + string.digits + "!#%+-.:=?@^_~"
    while True:
        password = "".join(secrets.choice(alphabet) for _ in range(length))
        if (
            any(c.islower() for c in password)
            and any(c.isupper() for c in password)
            and any(c.isdigit() for c in password)
            and any(not c.isalnum() for c in password)
        ):
            return password


class CognitoUsers:
    def __init__(self, pool: PoolAddress, client: Any | None = None) -> None:
        import boto3

        self.pool = pool
        # the local pool (moto) takes any credentials: placeholders, never someone's real ones
        keys = ("testing", "testing") if pool.endpoint else (None, None)
        self.client = client or boto3.client(
            "cognito-idp",
            region_name=pool.region,
            endpoint_url=pool.endpoint,
            aws_access_key_id=keys[0],
            aws_secret_access_key=keys[1],
        )

    def add(self, email: str, password: str) -> str:
        """A confirmed user with this (verified) email and permanent password; returns its `sub`."""
        try:
            created = self.client.admin_create_user(
                UserPoolId=self.pool.user_pool_id,
                Username=email,
                UserAttributes=[{"Name": "email", "Value": email}, {"Name": "email_verified", "Value": "true"}],
                MessageAction="SUPPRESS",
            )
            self.client.admin_set_user_password(
                UserPoolId=self.pool.user_pool_id, Username=email, Password=password, Permanent=True
            )
        except ClientError as exc:
            code = exc.response.get("Error", {}).get("Code", "")
            if code == "UsernameExistsException":
                raise SignInError(f"{email} already has an account in pool {self.pool.user_pool_id}") from None
            if code == "InvalidPasswordException":
                raise SignInError(f"the password does not meet the pool's policy: {_message(exc)}") from None
            raise SignInError(f"could not create {email}: {code}: {_message(exc)}") from None
        except BotoCoreError as exc:
            raise SignInError(f"cannot reach the user pool: {exc}") from None
        attributes = {a["Name"]: a["Value"] for a in created["User"].get("Attributes", [])}
        return str(attributes.get("sub") or created["User"]["Username"])

    def exists(self, email: str) -> bool:
        try:
            self.client.admin_get_user(UserPoolId=self.pool.user_pool_id, Username=email)
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") == "UserNotFoundException":
                return False
            raise SignInError(f"could not look up {email}: {_message(exc)}") from None
        return True

    def sign_in(self, email: str, password: str) -> str:
        """The ID token of `email` (USER_PASSWORD_AUTH); SignInError for a wrong password or an unknown user."""
        try:
            result = self.client.initiate_auth(
                ClientId=self.pool.client_id,
                AuthFlow="USER_PASSWORD_AUTH",
                AuthParameters={"USERNAME": email, "PASSWORD": password},
            )
        except ClientError as exc:
            code = exc.response.get("Error", {}).get("Code", "")
            if code in ("NotAuthorizedException", "UserNotFoundException"):
                raise SignInError(
                    f"cannot sign in as {email}: wrong password or no such user "
                    "(create one with `platform users add EMAIL`)"
                ) from None
            if code == "UserNotConfirmedException":
                raise SignInError(f"{email} is not confirmed yet") from None
            raise SignInError(f"cannot sign in as {email}: {code}: {_message(exc)}") from None
        except BotoCoreError as exc:
            raise SignInError(f"cannot reach the user pool: {exc}") from None
        authenticated = result.get("AuthenticationResult") or {}
        token = authenticated.get("IdToken")
        if not isinstance(token, str):
            challenge = result.get("ChallengeName", "an unexpected answer")
            raise SignInError(f"cannot sign in as {email}: the pool asks for {challenge}")
        return token


def _message(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Message", ""))[:200]


def local_pool(state: dict[str, Any] | None) -> PoolAddress | None:
    """The local runtime's pool, from its state file (`platform status --json` shows the same block)."""
    block = (state or {}).get("cognito")
    if not isinstance(block, dict):
        return None
    return PoolAddress(block["user_pool_id"], block["client_id"], block["region"], block.get("endpoint"))


def deployed_pool(ssm: Any, env: str, region: str) -> PoolAddress:
    """A deployed stack's pool: the conversation stack writes its ids to SSM /campusbot/<env>/cognito/*."""
    try:
        values = {
            key: ssm.get_parameter(Name=f"/campusbot/{env}/cognito/{key}")["Parameter"]["Value"]
            for key in ("user_pool_id", "client_id")
        }
    except (ClientError, BotoCoreError) as exc:
        raise SignInError(
            f"cannot read the user pool of {env} from SSM /campusbot/{env}/cognito/* ({exc}); is it deployed?"
        ) from None
    return PoolAddress(values["user_pool_id"], values["client_id"], region)


def account_signer(users: Callable[[], CognitoUsers]) -> Callable[[str], str]:
    """For signed-in smoke scripts: email → an ID token, the account created (or its password reset) with a fresh
    generated password first. `users` is called once, on the first script that signs in."""
    made: list[CognitoUsers] = []

    def sign_in(email: str) -> str:
        if not made:
            made.append(users())
        pool = made[0]
        password = generate_password()
        if pool.exists(email):
            pool.client.admin_set_user_password(
                UserPoolId=pool.pool.user_pool_id, Username=email, Password=password, Permanent=True
            )
        else:
            pool.add(email, password)
        return pool.sign_in(email, password)

    return sign_in
