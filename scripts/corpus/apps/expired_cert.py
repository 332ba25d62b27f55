"""Write a self-signed certificate that expired on 2026-11-30 (key.pem, cert.pem) into the given directory.

The TLS-expiry runs need a certificate already past its notAfter; openssl 3.0's CLI cannot back-date one
without a CA setup, the `cryptography` package can.
"""

import datetime
import sys

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

out = sys.argv[1]
key = ec.generate_private_key(ec.SECP256R1())
name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "pager-api.example.test")])
cert = (
    x509.CertificateBuilder()
    .subject_name(name)
    .issuer_name(name)
    .public_key(key.public_key())
    .serial_number(x509.random_serial_number())
    .not_valid_before(datetime.datetime(2025, 12, 1, tzinfo=datetime.timezone.utc))
    .not_valid_after(datetime.datetime(2026, 11, 30, tzinfo=datetime.timezone.utc))
    .add_extension(x509.SubjectAlternativeName([x509.IPAddress(__import__("ipaddress").ip_address("127.0.0.1"))]), False)
    .sign(key, hashes.SHA256())
)
with open(f"{out}/key.pem", "wb") as f:
    f.write(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
with open(f"{out}/cert.pem", "wb") as f:
    f.write(cert.public_bytes(serialization.Encoding.PEM))
