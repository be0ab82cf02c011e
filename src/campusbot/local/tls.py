"""A private CA for the local runtime, so the embedded PostgreSQL serves TLS the way RDS does and clients verify it
with the same verify-full code path as in AWS (`campusbot.db.tls`); only the CA bundle differs.

`ensure_local_ca(folder)` creates (once) an EC P-256 CA and a server certificate for `localhost` signed by it,
and re-issues the server certificate when it is about to expire. The CA key stays in `folder` (0600).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import ipaddress
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

SERVER_NAME = "localhost"
CA_DAYS = 3650
SERVER_DAYS = 397
RENEW_BEFORE = dt.timedelta(days=30)


@dataclass(frozen=True)
class LocalCertificates:
    ca_cert: Path  # the CA bundle clients verify against (CAMPUSBOT_DB_CA_BUNDLE on the local runtime)
    server_cert: Path
    server_key: Path
    server_name: str = SERVER_NAME


def ensure_local_ca(folder: Path, *, server_name: str = SERVER_NAME) -> LocalCertificates:
    """The local CA and a valid server certificate for `server_name` in `folder`, created when missing."""
    folder.mkdir(parents=True, exist_ok=True)
    certificates = LocalCertificates(folder / "ca.pem", folder / "server.pem", folder / "server.key", server_name)
    ca_key_path = folder / "ca.key"
    if not (certificates.ca_cert.exists() and ca_key_path.exists()):
        ca_key = ec.generate_private_key(ec.SECP256R1())
        _write_key(ca_key_path, ca_key)
        certificates.ca_cert.write_bytes(_ca_certificate(ca_key).public_bytes(serialization.Encoding.PEM))
    if _needs_server_certificate(certificates):
        loaded = serialization.load_pem_private_key(ca_key_path.read_bytes(), password=None)
        assert isinstance(loaded, ec.EllipticCurvePrivateKey)
        ca_cert = x509.load_pem_x509_certificate(certificates.ca_cert.read_bytes())
        server_key = ec.generate_private_key(ec.SECP256R1())
        _write_key(certificates.server_key, server_key)
        certificate = _server_certificate(server_key, loaded, ca_cert, server_name)
        certificates.server_cert.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    return certificates


def _needs_server_certificate(certificates: LocalCertificates) -> bool:
    if not (certificates.server_cert.exists() and certificates.server_key.exists()):
        return True
    certificate = x509.load_pem_x509_certificate(certificates.server_cert.read_bytes())
    names = certificate.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    expiring = certificate.not_valid_after_utc - _now() < RENEW_BEFORE
    return expiring or certificates.server_name not in names.get_values_for_type(x509.DNSName)


def _ca_certificate(key: ec.EllipticCurvePrivateKey) -> x509.Certificate:
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "campusbot local runtime database CA")])
    public = key.public_key()
    return (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(public)
        .serial_number(x509.random_serial_number())
        .not_valid_before(_now() - dt.timedelta(minutes=5))
        .not_valid_after(_now() + dt.timedelta(days=CA_DAYS))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public), critical=False)
        .sign(key, hashes.SHA256())
    )


def _server_certificate(
    key: ec.EllipticCurvePrivateKey, ca_key: ec.EllipticCurvePrivateKey, ca_cert: x509.Certificate, server_name: str
) -> x509.Certificate:
    names: list[x509.GeneralName] = [x509.DNSName(server_name)]
    with contextlib.suppress(ValueError):  # an IP address is named as one
        names = [x509.IPAddress(ipaddress.ip_address(server_name))]
    return (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, server_name)]))
        .issuer_name(ca_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(_now() - dt.timedelta(minutes=5))
        .not_valid_after(_now() + dt.timedelta(days=SERVER_DAYS))
        .add_extension(x509.SubjectAlternativeName(names), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )


def _write_key(path: Path, key: ec.EllipticCurvePrivateKey) -> None:
    data = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "wb") as out:
        out.write(data)
    path.chmod(0o600)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)
