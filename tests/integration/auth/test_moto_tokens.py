"""The verifier and the authorizer on real moto cognito-idp tokens, keys read from moto's JWKS endpoint over HTTP
(the pool created as the local runtime creates it, from terraform/modules/cognito's settings)."""

from __future__ import annotations

import time
import uuid
from typing import Any

import jwt
import pytest
from tests.fixtures.cognito import moto_private_key
from tests.fixtures.lambda_events import load_event

from campusbot.auth.authorizer import Unauthorized, authorize
from campusbot.auth.signin import CognitoUsers, PoolAddress, SignInError, generate_password
from campusbot.auth.tokens import InvalidToken, TokenVerifier, jwks_url


@pytest.fixture(scope="module")
def signed_in(moto_pool: Any, moto_s3: Any) -> dict[str, Any]:
    pool, client = moto_pool
    users = CognitoUsers(PoolAddress(pool.pool_id, pool.client_id, "us-east-1", moto_s3.url), client)
    email, password = f"it-{uuid.uuid4().hex[:8]}@example.org", generate_password()
    sub = users.add(email, password)
    auth = client.initiate_auth(
        ClientId=pool.client_id, AuthFlow="USER_PASSWORD_AUTH", AuthParameters={"USERNAME": email, "PASSWORD": password}
    )["AuthenticationResult"]
    verifier = TokenVerifier(issuer=pool.issuer, client_id=pool.client_id, jwks_url=jwks_url(pool.issuer, moto_s3.url))
    return {"users": users, "email": email, "password": password, "sub": sub, "auth": auth, "verifier": verifier}


def test_a_moto_id_token_verifies_against_motos_jwks(signed_in: dict[str, Any]) -> None:
    principal = signed_in["verifier"].verify(signed_in["auth"]["IdToken"])
    assert (principal.sub, principal.email) == (signed_in["sub"], signed_in["email"])


def test_the_issuer_moto_writes_is_the_one_aws_writes(moto_pool: Any, signed_in: dict[str, Any]) -> None:
    claims = jwt.decode(signed_in["auth"]["IdToken"], options={"verify_signature": False})
    assert claims["iss"] == f"https://cognito-idp.us-east-1.amazonaws.com/{moto_pool[0].pool_id}"


def test_motos_access_token_is_refused(signed_in: dict[str, Any]) -> None:
    with pytest.raises(InvalidToken):
        signed_in["verifier"].verify(signed_in["auth"]["AccessToken"])


def test_tokens_of_another_client_or_pool_are_refused(moto_pool: Any, moto_s3: Any, signed_in: dict[str, Any]) -> None:
    pool, client = moto_pool
    other_client = client.create_user_pool_client(
        UserPoolId=pool.pool_id,
        ClientName=f"other-{uuid.uuid4().hex[:6]}",
        ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH"],
    )["UserPoolClient"]["ClientId"]
    params = {"USERNAME": signed_in["email"], "PASSWORD": signed_in["password"]}
    token = client.initiate_auth(ClientId=other_client, AuthFlow="USER_PASSWORD_AUTH", AuthParameters=params)
    with pytest.raises(InvalidToken):
        signed_in["verifier"].verify(token["AuthenticationResult"]["IdToken"])
    other_pool = client.create_user_pool(PoolName=f"other-{uuid.uuid4().hex[:6]}", UsernameAttributes=["email"])
    other_pool_id = other_pool["UserPool"]["Id"]
    other_pool_client = client.create_user_pool_client(
        UserPoolId=other_pool_id, ClientName="x", ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH"]
    )["UserPoolClient"]["ClientId"]
    users = CognitoUsers(PoolAddress(other_pool_id, other_pool_client, "us-east-1", moto_s3.url), client)
    users.add(signed_in["email"], signed_in["password"])
    foreign = users.sign_in(signed_in["email"], signed_in["password"])
    with pytest.raises(InvalidToken):  # same moto key, same email: only iss and aud tell them apart
        signed_in["verifier"].verify(foreign)


def test_an_expired_moto_token_is_refused(signed_in: dict[str, Any]) -> None:
    claims = jwt.decode(signed_in["auth"]["IdToken"], options={"verify_signature": False})
    claims.update(exp=int(time.time()) - 60, iat=int(time.time()) - 3660)
    expired = jwt.encode(claims, moto_private_key(), algorithm="RS256", headers={"kid": "dummy"})
    with pytest.raises(InvalidToken):
        signed_in["verifier"].verify(expired)
    claims.update(exp=int(time.time()) + 600)  # the same re-signed but valid: the key really is moto's
    assert signed_in["verifier"].verify(
        jwt.encode(claims, moto_private_key(), algorithm="RS256", headers={"kid": "dummy"})
    )


def test_the_authorizer_on_moto_tokens(signed_in: dict[str, Any]) -> None:
    event = load_event("apigw_authorizer_request_bearer")
    event["headers"]["Authorization"] = event["multiValueHeaders"]["Authorization"][0] = (
        f"Bearer {signed_in['auth']['IdToken']}"
    )
    assert authorize(event, signed_in["verifier"])["context"]["sub"] == signed_in["sub"]
    event["headers"]["Authorization"] = event["multiValueHeaders"]["Authorization"][0] = (
        f"Bearer {signed_in['auth']['AccessToken']}"
    )
    with pytest.raises(Unauthorized):
        authorize(event, signed_in["verifier"])


def test_sign_in_errors_are_clear(signed_in: dict[str, Any]) -> None:
    users: CognitoUsers = signed_in["users"]
    with pytest.raises(SignInError, match="wrong password or no such user"):
        users.sign_in(signed_in["email"], "Wrong-passw0rd!")
    with pytest.raises(SignInError, match="wrong password or no such user"):
        users.sign_in("nobody@example.org", "Wrong-passw0rd!")
    with pytest.raises(SignInError, match="already has an account"):
        users.add(signed_in["email"], generate_password())
